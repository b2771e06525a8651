/**
 * The Private API path (issue 11): PaymentsTrust's docs put it at the host root, the reference's links under /api.
 * The main workflows run against a sandbox serving it at each, with the credential's path left automatic; the
 * node finds it with a read, remembers it per credential, uses a path the user set as given, and never sends a
 * write to a path no read confirmed.
 */
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { forgetPrivateApiPaths } from '../../nodes/PaymentsTrust/transport/privateApiPath';
import { expectEveryInvoiceModeExplicit } from '../support/explicitMode';
import { payoutParameters } from '../support/payoutWorkflow';
import { startRecordingProxy, type RecordingProxy } from '../support/recordingProxy';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

const WAIT = { waitForFinalStatus: true, pollIntervalSeconds: 0.05, maxWaitSeconds: 10 };
/** Each row pays a test account of its own (one payee in several rows would stop the run). */
let nextAccount = 120000;
const row = (reference: string, amount = '2.00') => ({
	reference_id: reference,
	amount,
	account: String(nextAccount++),
});

/** A sandbox serving the Private API at `privateApiPath`, behind a recording proxy; each test starts afresh. */
function sandboxBehindProxy(privateApiPath: '/api' | ''): {
	sandbox: RunningSandbox;
	proxy: RecordingProxy;
} {
	const started = {} as { sandbox: RunningSandbox; proxy: RecordingProxy };
	beforeAll(async () => {
		started.sandbox = await startSandbox({ port: 0, processDelayMs: 20, privateApiPath });
		started.proxy = await startRecordingProxy(started.sandbox.baseUrl);
	});
	afterAll(async () => {
		await started.proxy.close();
		await started.sandbox.close();
	});
	beforeEach(() => {
		started.sandbox.reset();
		started.proxy.clear();
		started.proxy.answerItself(undefined);
		forgetPrivateApiPaths();
	});
	return started;
}

describe.each([
	['/api', '/api'],
	['the host root', ''],
] as const)('Private API served at %s, credential path automatic', (_name, privateApiPath) => {
	const started = sandboxBehindProxy(privateApiPath);
	afterEach(() => expectEveryInvoiceModeExplicit(started.sandbox, true));
	const credentials = () => ({ ...started.sandbox.credentials, baseUrl: started.proxy.baseUrl });

	it('Create and Process pays each row once; every write went to the path the first read confirmed', async () => {
		const run = await runNode(credentials(), payoutParameters('createAndProcess', WAIT), [
			row('p-1'),
			row('p-2'),
		]);
		expect(run.json().map((item) => [item.referenceId, item.status, item.testMode])).toEqual([
			['p-1', 'processed', true],
			['p-2', 'processed', true],
		]);
		expect(
			started.sandbox
				.ledger()
				.invoices.map((invoice) => [
					invoice.referenceId,
					invoice.createsCommitted,
					invoice.processCommitted,
				]),
		).toEqual(
			expect.arrayContaining([
				['p-1', 1, 1],
				['p-2', 1, 1],
			]),
		);
		const writes = started.proxy.requests.filter(
			(request) => request.method === 'POST' && !request.path.startsWith('/public-api'),
		);
		expect(writes.length).toBe(4);
		for (const write of writes)
			expect(write.path.startsWith(`${privateApiPath}/payout-invoices`)).toBe(true);
		// The first request of the run is the look-up, before any write.
		expect(started.proxy.requests[0]).toMatchObject({
			method: 'GET',
			path: '/api/payout-services',
		});
		const firstWrite = started.proxy.requests.findIndex(
			(request) => request.method === 'POST' && request.path.endsWith('/payout-invoices'),
		);
		const confirmingRead = started.proxy.requests.findIndex(
			(request) =>
				request.method === 'GET' &&
				request.path === `${privateApiPath}/payout-services` &&
				request.status === 200,
		);
		expect(confirmingRead).toBeGreaterThanOrEqual(0);
		expect(confirmingRead).toBeLessThan(firstWrite);
	});

	it('Create, then Process by ID, Get (by ID and by reference ID) and Get Many read and write at the same path', async () => {
		const created = await runNode(credentials(), payoutParameters('create'), [row('r-1')]);
		const id = String(created.json()[0].id);
		const processed = await runNode(credentials(), {
			resource: 'payoutInvoice',
			operation: 'process',
			invoiceId: id,
		});
		expect(processed.json()[0]).toMatchObject({ id, status: 'processing' });
		const got = await runNode(credentials(), {
			resource: 'payoutInvoice',
			operation: 'get',
			invoiceId: id,
		});
		expect(got.json()[0]).toMatchObject({ id, referenceId: 'r-1', testMode: true });
		const byReference = await runNode(credentials(), {
			resource: 'payoutInvoice',
			operation: 'get',
			invoiceId: { __rl: true, mode: 'referenceId', value: 'r-1' },
		});
		expect(byReference.json()[0]).toMatchObject({ id });
		const many = await runNode(credentials(), {
			resource: 'payoutInvoice',
			operation: 'getMany',
			returnAll: true,
		});
		expect(many.json().map((item) => item.id)).toEqual([id]);
		expect(started.sandbox.ledger().invoices[0]).toMatchObject({
			createsCommitted: 1,
			processCommitted: 1,
		});
		const apiRequests = started.proxy.requests.filter(
			(request) => !request.path.startsWith('/public-api'),
		);
		const off = apiRequests.filter(
			(request) => request.status !== 404 && !request.path.startsWith(`${privateApiPath}/payout-`),
		);
		expect(off).toEqual([]);
	});

	it('a 404 to the write at the path found is never retried at the other path: each row fails, nothing is paid', async () => {
		const found = `${privateApiPath}/payout-invoices`;
		const other = privateApiPath === '/api' ? '/payout-invoices' : '/api/payout-invoices';
		// Reads still work at the path found (it is confirmed); only the write gets a 404, as from a gateway in front.
		started.proxy.answerItself((request) =>
			request.method === 'POST' && request.path === found
				? {
						status: 404,
						body: { errors: [{ status: 'Not Found', code: '404', detail: 'No route found' }] },
					}
				: undefined,
		);
		const run = await runNode(
			credentials(),
			payoutParameters('createAndProcess', WAIT),
			[row('nf-1'), row('nf-2')],
			CONTINUE_ON_FAIL,
		);
		const items = run.json();
		expect(items).toHaveLength(2);
		for (const [index, item] of items.entries()) {
			// An error naming the row and the 404, never a payout: no id, no status.
			expect(item).toMatchObject({
				row: index + 1,
				referenceId: `nf-${index + 1}`,
				httpCode: '404',
			});
			expect(item.error).toMatch(
				new RegExp(
					`^Row ${index + 1} \\(item ${index}, reference ID "nf-${index + 1}"\\): Create payout invoice failed with HTTP 404`,
				),
			);
			expect(item.id).toBeUndefined();
			expect(item.status).toBeUndefined();
		}
		// The proxy saw each row's write once, at the path found, and no write anywhere else (nor a process call).
		expect(
			started.proxy
				.requestsTo('POST', found)
				.map((request) => JSON.parse(request.body).data.attributes.reference_id),
		).toEqual(['nf-1', 'nf-2']);
		expect(started.proxy.requestsTo('POST', other)).toEqual([]);
		const writes = started.proxy.requests.filter(
			(request) => request.method !== 'GET' && !request.path.startsWith('/public-api'),
		);
		expect(writes.map((request) => request.path)).toEqual([found, found]);
		// And the platform has nothing: no invoice, no create reached it.
		expect(started.sandbox.ledger().invoices).toEqual([]);
		expect(started.sandbox.ledger().summary.createAttempts.total).toBe(0);

		// Without Continue On Fail the run stops with the 404; still nothing elsewhere.
		started.proxy.clear();
		const stopped = await runNode(credentials(), payoutParameters('create'), [row('nf-3')]);
		expect(stopped.result.status).toBe('error');
		expect(failureText(stopped.result)).toMatch(/404|not found/i);
		expect(started.proxy.requestsTo('POST', other)).toEqual([]);
		expect(started.sandbox.ledger().invoices).toEqual([]);
	});

	it('the path found is remembered per credential for the process: a second run does not look again', async () => {
		await runNode(credentials(), {
			resource: 'payoutService',
			operation: 'getMany',
			returnAll: true,
		});
		const probes = () =>
			started.proxy.requests.filter((request) => request.query['page[size]'] === '1');
		const first = probes().length;
		expect(first).toBe(privateApiPath === '/api' ? 1 : 2);
		await runNode(credentials(), {
			resource: 'payoutService',
			operation: 'getMany',
			returnAll: true,
		});
		expect(probes().length).toBe(first);
	});
});

describe('a path the user sets, and writes that no read confirmed', () => {
	const started = sandboxBehindProxy('');

	it('a set path is used as given, with no look-up: /api against a root API is a 404, never tried elsewhere', async () => {
		const run = await runNode(
			{ ...started.sandbox.credentials, baseUrl: started.proxy.baseUrl, privateApiPath: '/api' },
			payoutParameters('create'),
			[row('s-1')],
		);
		expect(run.result.status).toBe('error');
		expect(failureText(run.result)).toMatch(/404/);
		expect(
			started.proxy.requests.every(
				(request) => request.path.startsWith('/api/') || request.path.startsWith('/public-api/'),
			),
		).toBe(true);
		expect(started.sandbox.ledger().calls).toEqual([]);
	});

	it('"/" as the set path means the host root', async () => {
		const run = await runNode(
			{ ...started.sandbox.credentials, baseUrl: started.proxy.baseUrl, privateApiPath: '/' },
			payoutParameters('create'),
			[row('s-2')],
		);
		expect(run.json()[0]).toMatchObject({ referenceId: 's-2', status: 'created' });
		expect(started.proxy.requestsTo('POST', '/payout-invoices')).toHaveLength(1);
		expectEveryInvoiceModeExplicit(started.sandbox, true);
	});

	it('when no read confirms the path (the look-ups fail), no payout is created even though later reads succeed', async () => {
		// /api is a 404 here; the root's probe is tried 3 times and fails each time, then the service list answers.
		started.sandbox.setFaults({
			rate: 1,
			operations: ['services'],
			kinds: { '503': 1 },
			afterCommitShare: 0,
			limit: 3,
		});
		const run = await runNode(
			{ ...started.sandbox.credentials, baseUrl: started.proxy.baseUrl },
			payoutParameters('create'),
			[row('u-1')],
		);
		expect(run.result.status).toBe('error');
		expect(failureText(run.result)).toMatch(
			/The Private API was not found: .*\/api answered HTTP 404 \(nothing there\); http:\/\/127\.0\.0\.1:\d+ answered HTTP 503 \(the platform failed to answer, try again later\)\. Nothing was sent/,
		);
		expect(
			started.proxy.requests.filter(
				(request) => request.method === 'POST' && !request.path.startsWith('/public-api'),
			),
		).toEqual([]);
		expect(started.sandbox.ledger().summary.createAttempts.total).toBe(0);
	});

	it('wrong API key: the look-up explains the 401, and reads report it with the usual advice', async () => {
		const run = await runNode(
			{
				...started.sandbox.credentials,
				baseUrl: started.proxy.baseUrl,
				apiKey: 'wrong_key_never_shown',
			},
			{ resource: 'payoutService', operation: 'getMany', returnAll: true },
		);
		expect(run.result.status).toBe('error');
		const text = failureText(run.result);
		expect(text).toMatch(/401/);
		expect(text).not.toContain('wrong_key_never_shown');
	});
});
