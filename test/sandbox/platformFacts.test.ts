/**
 * The sandbox, faithful to docs/platform.md (issue 11): test_mode per invoice from the create request (omitted = live,
 * the unsafe reading, marked in the ledger), the Private API at /api or at the host root, callbacks signed with the
 * secret key of the invoice's mode, batched callbacks, process_error before process_failed, split parts on final
 * callbacks.
 */
import { signCallback, startSandbox, type RunningSandbox } from '../../sandbox';
import { basicAuth, cardBody, startReceiver, testUsdBody, waitFor } from './helpers';
import axios from 'axios';

let sb: RunningSandbox;
beforeAll(async () => {
	sb = await startSandbox({
		port: 0,
		processDelayMs: 20,
		callbackRetryDelaysMs: [20],
		callbackMaxAttempts: 2,
	});
});
afterAll(async () => sb.close());
beforeEach(() => sb.reset());

const api = (sandbox: RunningSandbox) =>
	axios.create({
		baseURL: sandbox.privateApiUrl,
		headers: {
			Authorization: basicAuth(sandbox.credentials.accountId, sandbox.credentials.apiKey),
		},
		validateStatus: () => true,
	});

describe('test_mode per invoice', () => {
	test('true, false and omitted: the answer, the ledger and the summary say each mode; omitted is live and marked', async () => {
		const test = await api(sb).post(
			'/payout-invoices',
			testUsdBody({ reference_id: 'm-test', test_mode: true }),
		);
		const live = await api(sb).post(
			'/payout-invoices',
			testUsdBody({ reference_id: 'm-live', test_mode: false }),
		);
		const omitted = await api(sb).post(
			'/payout-invoices',
			testUsdBody({ reference_id: 'm-none', test_mode: undefined }),
		);
		expect([test.status, live.status, omitted.status]).toEqual([201, 201, 201]);
		expect([test, live, omitted].map((r) => r.data.data.attributes.test_mode)).toEqual([
			true,
			false,
			false,
		]);
		const ledger = sb.ledger();
		expect(ledger.invoices.map((i) => [i.referenceId, i.testMode, i.testModeExplicit])).toEqual([
			['m-test', true, true],
			['m-live', false, true],
			['m-none', false, false],
		]);
		expect(ledger.summary.invoicesWithoutExplicitTestMode).toBe(1);
	});

	test('a test_mode that is not a boolean is refused (422) and writes nothing', async () => {
		const r = await api(sb).post('/payout-invoices', testUsdBody({ test_mode: 'true' }));
		expect(r.status).toBe(422);
		expect(r.data.errors.test_mode).toBe('This value should be of type bool.');
		expect(sb.ledger().invoices).toHaveLength(0);
	});
});

describe('Private API at the host root', () => {
	let root: RunningSandbox;
	beforeAll(async () => {
		root = await startSandbox({ port: 0, privateApiPath: '' });
	});
	afterAll(async () => root.close());

	test('answers at /payout-… (links too) and 404 under /api; the credential leaves the path automatic', async () => {
		expect(root.privateApiUrl).toBe(root.baseUrl);
		expect(root.credentials.privateApiPath).toBe('');
		const created = await api(root).post('/payout-invoices', testUsdBody());
		expect(created.status).toBe(201);
		expect(created.data.data.links.self).toBe(`/payout-invoices/${created.data.data.id}`);
		const services = await api(root).get('/payout-services');
		expect(services.status).toBe(200);
		expect(services.data.data[0].links.self).toMatch(/^\/payout-services\//);
		const underApi = await axios.get(`${root.baseUrl}/api/payout-services`, {
			headers: { Authorization: basicAuth(root.credentials.accountId, root.credentials.apiKey) },
			validateStatus: () => true,
		});
		expect(underApi.status).toBe(404);
	});

	test('only "/api" or "" is a valid option', async () => {
		await expect(startSandbox({ port: 0, privateApiPath: '/v2' as never })).rejects.toThrow(
			/privateApiPath/,
		);
	});
});

describe('callbacks', () => {
	test('signed with the secret key of the invoice’s mode: one URL receives both', async () => {
		const rx = await startReceiver();
		try {
			await api(sb).post(
				'/payout-invoices',
				testUsdBody({
					reference_id: 'cb-test',
					test_mode: true,
					callback_url: rx.url,
					options: { auto_process: true },
				}),
			);
			await api(sb).post(
				'/payout-invoices',
				testUsdBody({
					reference_id: 'cb-live',
					test_mode: false,
					callback_url: rx.url,
					options: { auto_process: true },
				}),
			);
			// The receiver records a callback before the sandbox has read its answer and written the ledger: wait for both.
			await waitFor(() => rx.received.length === 4 && sb.ledger().summary.callbacks.pending === 0);
			expect(
				rx.received.filter((cb) => cb.json.data.attributes.status === 'processed'),
			).toHaveLength(2);
			for (const cb of rx.received) {
				const testMode = cb.json.data.attributes.test_mode;
				const key = testMode ? sb.credentials.testSecretKey : sb.credentials.liveSecretKey;
				const other = testMode ? sb.credentials.liveSecretKey : sb.credentials.testSecretKey;
				expect(cb.headers['x-signature']).toBe(signCallback(key, cb.raw));
				expect(cb.headers['x-signature']).not.toBe(signCallback(other, cb.raw));
			}
			expect(
				sb
					.ledger()
					.callbacks.map((c) => c.testMode)
					.sort(),
			).toEqual([false, false, true, true]);
		} finally {
			await rx.close();
		}
	});

	test('a failed payout goes through process_error before process_failed', async () => {
		const rx = await startReceiver();
		try {
			const body = testUsdBody({
				callback_url: rx.url,
				options: { auto_process: true },
				fields: { account: '1', test_details_success_rate: '0' },
			});
			await api(sb).post('/payout-invoices', body);
			await waitFor(() => rx.received.length === 3 && sb.ledger().summary.callbacks.pending === 0);
			expect(rx.received.map((cb) => cb.json.data.attributes.status)).toEqual([
				'processing',
				'process_error',
				'process_failed',
			]);
		} finally {
			await rx.close();
		}
	});

	test('with callbackBatchMs, close changes become one callback with the newest status: processing is never seen', async () => {
		sb.configure({ callbackBatchMs: 200 });
		const rx = await startReceiver();
		try {
			await api(sb).post(
				'/payout-invoices',
				testUsdBody({ callback_url: rx.url, options: { auto_process: true } }),
			);
			// No callback waiting or in flight and the invoice final: nothing more can come (no fixed sleep needed).
			await waitFor(
				() =>
					sb.ledger().summary.callbacks.pending === 0 &&
					sb.ledger().invoices[0]?.status === 'processed',
			);
			expect(rx.received.map((cb) => cb.json.data.attributes.status)).toEqual(['processed']);
			expect(sb.ledger().summary.callbacks).toMatchObject({
				attempts: 1,
				delivered: 1,
				pending: 0,
			});
		} finally {
			await rx.close();
		}
	});

	test('final callbacks of a split payout carry its parts as attributes.payouts; earlier ones do not', async () => {
		const rx = await startReceiver();
		try {
			const body = cardBody('4111111111111111', {
				amount: 12000,
				callback_url: rx.url,
				test_mode: true,
				options: { split_mode: true, auto_process: true },
			});
			const created = await api(sb).post('/payout-invoices', body);
			expect(created.status).toBe(201);
			await waitFor(() => rx.received.length === 2 && sb.ledger().summary.callbacks.pending === 0);
			const [processing, processed] = rx.received.map((cb) => cb.json.data.attributes);
			expect(processing.payouts).toBeUndefined();
			expect(processed.payouts).toHaveLength(3);
			expect(processed.payouts.map((part: { amount: number }) => part.amount)).toEqual([
				4000, 4000, 4000,
			]);
			expect(processed.payouts[0]).toMatchObject({
				status: 'processed',
				currency: 'USD',
				test_mode: true,
				id: expect.stringMatching(/^cpo_/),
			});
		} finally {
			await rx.close();
		}
	});
});
