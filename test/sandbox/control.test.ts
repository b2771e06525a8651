/** Control endpoints under /__sandbox/ and their in-process twins on RunningSandbox. */
import { RunningSandbox, startSandbox } from '../../sandbox';
import { controlClient, privateClient, testUsdBody } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

const control = () => controlClient(sb);

test('RunningSandbox: URLs and credentials with the credential type field names', () => {
	expect(sb.baseUrl).toBe(`http://127.0.0.1:${sb.port}`);
	expect(sb.privateApiUrl).toBe(`${sb.baseUrl}/api`);
	expect(sb.publicApiUrl).toBe(`${sb.baseUrl}/public-api`);
	expect(sb.credentials).toEqual({
		baseUrl: sb.baseUrl,
		environment: 'test',
		privateApiPath: '',
		publicApiPath: '/public-api',
		accountId: 'coma_sandbox',
		apiKey: 'sandbox_api_key',
		publicKey: 'pk_test_sandbox',
		testSecretKey: 'sk_test_sandbox',
		liveSecretKey: 'sk_live_sandbox',
	});
});

test('custom keys are what the sandbox accepts', async () => {
	const other = await startSandbox({
		port: 0,
		accountId: 'coma_x',
		apiKey: 'k',
		publicKey: 'pk_live_x',
		testSecretKey: 'sk_live_x',
	});
	try {
		expect((await privateClient(other).get('/payout-services')).status).toBe(200);
		expect(
			(await privateClient(other).get('/payout-services')).data.data[0].attributes.test_mode,
		).toBe(false);
		expect(
			(
				await privateClient(sb, privateClient(other).defaults.headers.Authorization as string).get(
					'/payout-services',
				)
			).status,
		).toBe(401);
	} finally {
		await other.close();
	}
});

test('health', async () => {
	expect((await control().get('/health')).data).toEqual({
		ok: true,
		baseUrl: sb.baseUrl,
		invoices: 0,
	});
});

test('ledger: invoices, calls and summary; ?summary=1 for the counts only', async () => {
	// Long enough that a loaded CI machine cannot finish the payout before the ledger is read.
	sb.configure({ processDelayMs: 60_000 });
	const api = privateClient(sb);
	const a = await api.post('/payout-invoices', testUsdBody({ reference_id: 'L1', amount: 12.5 }));
	await api.post('/payout-invoices', testUsdBody({ reference_id: 'L1' }));
	await api.post('/payout-invoices', testUsdBody({ reference_id: 'L2', amount: -1 }));
	await api.post(`/payout-invoices/${a.data.data.id}/process`);
	const l = (await control().get('/ledger')).data;
	expect(l).toEqual(sb.ledger());
	expect(l.invoices).toEqual([
		{
			id: a.data.data.id,
			referenceId: 'L1',
			testMode: true,
			testModeExplicit: true,
			amount: 12.5,
			currency: 'USD',
			service: 'test_usd',
			status: 'processing',
			resolution: 'ok',
			created: expect.any(Number),
			updated: expect.any(Number),
			seeded: false,
			createsCommitted: 1,
			processCommitted: 1,
		},
	]);
	expect(
		l.calls.map((c: any) => [
			c.seq,
			c.operation,
			c.referenceId,
			c.outcome,
			c.httpStatus,
			c.committed,
			c.error,
		]),
	).toEqual([
		[1, 'create', 'L1', 'accepted', 201, true, null],
		[2, 'create', 'L1', 'rejected', 409, false, 'duplicated_reference_id'],
		[3, 'create', 'L2', 'rejected', 422, false, 'invalid: amount'],
		[4, 'process', 'L1', 'accepted', 200, true, null],
	]);
	expect(l.summary).toMatchObject({
		invoices: 1,
		seededInvoices: 0,
		invoicesByStatus: { processing: 1 },
		createAttempts: {
			total: 3,
			accepted: 1,
			rejected: 2,
			faulted: 0,
			committed: 1,
			rejectedByStatus: { '409': 1, '422': 1 },
		},
		processCalls: { total: 1, accepted: 1, committed: 1 },
		referencesWithMultipleInvoices: 0,
		invoicesProcessedMoreThanOnce: 0,
		pendingProcessing: 1,
		faultsInjected: 0,
	});
	const summaryOnly = (await control().get('/ledger', { params: { summary: 1 } })).data;
	expect(summaryOnly).toEqual({
		summary: expect.objectContaining({ invoices: 1 }),
		invoices: [],
		calls: [],
		callbacks: [],
	});
});

test('reset forgets everything and restores config and faults to the start options', async () => {
	await privateClient(sb).post('/payout-invoices', testUsdBody());
	sb.configure({ latencyMs: 5 });
	sb.setFaults({ rate: 0.1 });
	expect((await control().post('/reset')).data).toEqual({ ok: true });
	expect(sb.ledger().summary.invoices).toBe(0);
	expect(sb.ledger().calls).toEqual([]);
	expect((await control().get('/config')).data.latencyMs).toBe(0);
	expect((await control().get('/faults')).data.active).toBe(false);
});

test('config: read, change (partial), refuse bad values', async () => {
	const before = (await control().get('/config')).data;
	expect(before).toEqual({
		latencyMs: 0,
		processDelayMs: 20,
		callbackRetryDelaysMs: [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000],
		callbackMaxAttempts: 10,
		callbackTimeoutMs: 10000,
		callbackBatchMs: 0,
		autoProcessEnabled: true,
	});
	const after = await control().post('/config', {
		processDelayMs: 5,
		callbackRetryDelaysMs: [1, 2],
	});
	expect(after.data).toEqual({ ...before, processDelayMs: 5, callbackRetryDelaysMs: [1, 2] });
	expect(sb.configure({})).toEqual(after.data);
	for (const body of [
		{ latencyMs: -1 },
		{ callbackMaxAttempts: 0 },
		{ callbackRetryDelaysMs: [] },
		{ autoProcessEnabled: 'no' },
		{ port: 1 },
	]) {
		const r = await control().post('/config', body);
		expect([body, r.status]).toEqual([body, 400]);
	}
});

test('latencyMs delays API answers, not the control endpoints', async () => {
	// Wide apart, so that a loaded CI machine's pauses cannot blur a delayed answer with an undelayed one.
	sb.configure({ latencyMs: 800 });
	let t = Date.now();
	await privateClient(sb).get('/payout-services');
	expect(Date.now() - t).toBeGreaterThanOrEqual(790);
	t = Date.now();
	await privateClient(sb).get('/no-such-path');
	expect(Date.now() - t).toBeGreaterThanOrEqual(790);
	t = Date.now();
	await control().get('/health');
	expect(Date.now() - t).toBeLessThan(400);
});

test('processDelayMs set at runtime applies to the next process', async () => {
	sb.configure({ processDelayMs: 60_000 });
	const api = privateClient(sb);
	const created = await api.post(
		'/payout-invoices',
		testUsdBody({ options: { auto_process: true } }),
	);
	await new Promise((r) => setTimeout(r, 100));
	expect(
		(await api.get(`/payout-invoices/${created.data.data.id}`)).data.data.attributes.status,
	).toBe('processing');
});

test('faults: set, read, clear', async () => {
	const set = await control().post('/faults', {
		rate: 0.25,
		operations: ['create'],
		kinds: { '503': 2, drop: 1 },
	});
	expect(set.status).toBe(200);
	expect(set.data).toEqual({
		active: true,
		config: {
			rate: 0.25,
			operations: ['create'],
			kinds: { '503': 2, drop: 1 },
			afterCommitShare: 0.5,
			slowMs: 3000,
			retryAfterSeconds: 1,
			limit: null,
			seed: 1,
		},
		injected: 0,
		injectedByKind: {},
	});
	expect((await control().get('/faults')).data).toEqual(set.data);
	expect((await control().post('/faults', {})).data.active).toBe(false);
});

test('seed: N invoices at once, with a status mix, a chosen service or status; bad counts refused', async () => {
	const r = await control().post('/seed', { count: 1000 });
	expect(r.data).toEqual({ inserted: 1000, total: 1000 });
	const l = sb.ledger();
	expect(l.summary.seededInvoices).toBe(1000);
	expect(Object.keys(l.summary.invoicesByStatus).sort()).toEqual([
		'created',
		'process_failed',
		'processed',
		'processing',
	]);
	expect(l.calls).toEqual([]);
	expect(sb.seedInvoices(10, { service: 'payment_card_jpy', status: 'created' })).toEqual({
		inserted: 10,
		total: 1010,
	});
	const jpy = await privateClient(sb).get('/payout-invoices', { params: { 'page[size]': 1 } });
	expect(jpy.data.data[0].attributes).toMatchObject({
		currency: 'JPY',
		status: 'created',
		reference_id: 'seed-1010',
	});
	expect(jpy.data.data[0].attributes.fields.card_number).toMatch(/^\d{6}\*{6}\d{4}$/);
	// A seeded created invoice can be processed like any other.
	const id = jpy.data.data[0].id;
	expect((await privateClient(sb).post(`/payout-invoices/${id}/process`)).status).toBe(200);
	for (const body of [
		{},
		{ count: 0 },
		{ count: 1.5 },
		{ count: 10, service: 'nope' },
		{ count: 10, status: 'paid' },
	]) {
		expect((await control().post('/seed', body)).status).toBe(400);
	}
});
