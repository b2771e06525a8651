/**
 * Test or live, always explicit (issue 11). Every invoice the node creates carries `test_mode` from the credential's
 * Environment, whatever a row says; keys of the other mode stop the run before ANY request (the recording proxy and
 * the sandbox ledger both show nothing arrived); every output item says its mode. Outcomes are read from the
 * sandbox's ledger, which records each invoice's mode from its create request (omitted = live).
 */
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest, expectEveryInvoiceModeExplicit } from '../support/explicitMode';
import { payoutParameters } from '../support/payoutWorkflow';
import { startRecordingProxy, type RecordingProxy } from '../support/recordingProxy';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

const WAIT = { waitForFinalStatus: true, pollIntervalSeconds: 0.05, maxWaitSeconds: 10 };
/** Each row pays a test account of its own (one payee in several rows would stop the run). */
let nextAccount = 130000;
const row = (reference: string) => ({
	reference_id: reference,
	amount: '1.00',
	account: String(nextAccount++),
});

/** An invoice created straight over the API (not by the node), with the given test_mode or none. */
async function createDirectly(reference: string, testMode?: boolean) {
	const attributes = {
		reference_id: reference,
		service: 'test_usd',
		currency: 'USD',
		amount: 1,
		fields: { account: '12345' },
		test_mode: testMode,
	};
	return await fetch(`${testSandbox.privateApiUrl}/payout-invoices`, {
		method: 'POST',
		headers: {
			'Content-Type': 'application/json',
			Authorization: `Basic ${Buffer.from(`${testSandbox.credentials.accountId}:${testSandbox.credentials.apiKey}`).toString('base64')}`,
		},
		body: JSON.stringify({ data: { type: 'payout-invoice', attributes } }),
	});
}

let testSandbox: RunningSandbox;
let liveSandbox: RunningSandbox;
let proxy: RecordingProxy;
beforeAll(async () => {
	testSandbox = await startSandbox({ port: 0, processDelayMs: 20 });
	// A live account: its public key is a pk_live_ one, so its pre-request and services answer test_mode false.
	liveSandbox = await startSandbox({ port: 0, processDelayMs: 20, publicKey: 'pk_live_sandbox' });
	proxy = await startRecordingProxy(testSandbox.baseUrl);
});
afterAll(async () => {
	await proxy.close();
	await testSandbox.close();
	await liveSandbox.close();
});
beforeEach(() => {
	testSandbox.reset();
	liveSandbox.reset();
	proxy.clear();
});
// Invoices of the other mode are created here on purpose (straight over the API), but none without test_mode.
checkModeAfterEachTest(() => testSandbox, 'any');
checkModeAfterEachTest(() => liveSandbox, false);

describe('every create request says test_mode', () => {
	it('Test: Create and Process creates test invoices (ledger), and every output item says testMode true', async () => {
		const run = await runNode(testSandbox.credentials, payoutParameters('createAndProcess', WAIT), [
			row('t-1'),
			row('t-2'),
		]);
		expect(run.json().map((item) => [item.referenceId, item.status, item.testMode])).toEqual([
			['t-1', 'processed', true],
			['t-2', 'processed', true],
		]);
		expectEveryInvoiceModeExplicit(testSandbox, true);
		expect(testSandbox.ledger().invoices).toHaveLength(2);
	});

	it('Live: the same workflow with a Live credential creates live invoices, test_mode false said explicitly', async () => {
		expect(liveSandbox.credentials.environment).toBe('live');
		const run = await runNode(liveSandbox.credentials, payoutParameters('create'), [row('l-1')]);
		expect(run.json()[0]).toMatchObject({ referenceId: 'l-1', status: 'created', testMode: false });
		const [invoice] = liveSandbox.ledger().invoices;
		expect(invoice).toMatchObject({ referenceId: 'l-1', testMode: false, testModeExplicit: true });
	});

	it('the sandbox records an invoice created without test_mode as live, and the check names it (the check can fail)', async () => {
		expect((await createDirectly('no-mode')).status).toBe(201);
		expect(testSandbox.ledger().invoices[0]).toMatchObject({
			referenceId: 'no-mode',
			testMode: false,
			testModeExplicit: false,
		});
		expect(testSandbox.ledger().summary.invoicesWithoutExplicitTestMode).toBe(1);
		expect(() => expectEveryInvoiceModeExplicit(testSandbox)).toThrow(/no-mode/);
		// Made on purpose, not by the node: cleared so the suite-wide check after this test judges the node only.
		testSandbox.reset();
	});

	it('a test_mode in the extra fields JSON that differs from the Environment stops the run before anything is sent', async () => {
		const parameters = payoutParameters(
			'createAndProcess',
			{},
			{ additionalFields: { extraFields: '{"test_mode": false}' } },
		);
		const run = await runNode({ ...testSandbox.credentials, baseUrl: proxy.baseUrl }, parameters, [
			row('x-1'),
			row('x-2'),
		]);
		expect(run.result.status).toBe('error');
		expect(failureText(run.result)).toMatch(
			/Row 1 \(item 0\): the extra service fields JSON sets test_mode to false, but the credential's Environment is Test/,
		);
		expect(testSandbox.ledger().summary.createAttempts.total).toBe(0);
		expect(proxy.requests.filter((request) => request.method !== 'GET')).toEqual([]);
	});

	it('the same test_mode in the extra fields JSON is allowed, taken out of the service fields, and sent as the attribute', async () => {
		// Simplify off: the test reads the invoice's fields.
		const parameters = payoutParameters(
			'create',
			{},
			{ additionalFields: { extraFields: '{"test_mode": true}' }, simplify: false },
		);
		const same = row('same-1');
		const run = await runNode({ ...testSandbox.credentials, baseUrl: proxy.baseUrl }, parameters, [
			same,
		]);
		expect(run.json()[0]).toMatchObject({
			referenceId: 'same-1',
			testMode: true,
			fields: { account: same.account },
		});
		const [post] = proxy.requestsTo('POST', '/api/payout-invoices');
		const attributes = JSON.parse(post.body).data.attributes;
		expect(attributes.test_mode).toBe(true);
		expect(attributes.fields).toEqual({ account: same.account });
		expectEveryInvoiceModeExplicit(testSandbox, true);
	});

	it('Validate says which environment the run would pay in, on valid and refused rows, and creates nothing', async () => {
		const run = await runNode(testSandbox.credentials, payoutParameters('validate'), [
			row('v-1'),
			{ ...row('v-2'), amount: 'ten' },
		]);
		expect(run.json().map((item) => [item.valid, item.environment, item.testMode])).toEqual([
			[true, 'test', true],
			[false, 'test', true],
		]);
		const live = await runNode(liveSandbox.credentials, payoutParameters('validate'), [row('v-3')]);
		expect(live.json()[0]).toMatchObject({ valid: true, environment: 'live', testMode: false });
		expect(testSandbox.ledger().invoices).toHaveLength(0);
		expect(liveSandbox.ledger().invoices).toHaveLength(0);
	});
});

describe('an invoice of the other mode is never processed', () => {
	it('Process by ID of a live invoice with a Test credential fails the row; the invoice stays in created', async () => {
		const created = await createDirectly('live-by-id', false);
		const id = ((await created.json()) as { data: { id: string } }).data.id;
		const run = await runNode(testSandbox.credentials, {
			resource: 'payoutInvoice',
			operation: 'process',
			invoiceId: id,
		});
		expect(failureText(run.result)).toMatch(
			new RegExp(
				`Row 1 \\(item 0\\): invoice ${id} is a live invoice \\(test_mode false\\), but the credential's Environment is Test`,
			),
		);
		expect(testSandbox.ledger().summary.processCalls.total).toBe(0);
		expect(testSandbox.ledger().invoices[0].status).toBe('created');
	});

	it('Create and Process finding a live invoice under the row’s reference ID does not process it', async () => {
		await createDirectly('live-ref', false);
		const run = await runNode(
			testSandbox.credentials,
			payoutParameters('createAndProcess'),
			[row('live-ref')],
			CONTINUE_ON_FAIL,
		);
		expect(run.json()[0]).toMatchObject({ row: 1, stage: 'mode_mismatch', testMode: true });
		expect(testSandbox.ledger().summary.processCalls.total).toBe(0);
	});
});

describe('keys of the other mode stop the run before any request', () => {
	const mismatches: Array<[string, Record<string, string>, RegExp]> = [
		[
			'a pk_live_ public key in a Test credential',
			{ publicKey: 'pk_live_abc123' },
			/Environment is Test, but the Public Key is a live key \(pk_live_…\) in a Test credential/,
		],
		[
			'a pk_test_ public key in a Live credential',
			{ environment: 'live', publicKey: 'pk_test_abc123' },
			/Environment is Live, but the Public Key is a test key \(pk_test_…\) in a Live credential/,
		],
		[
			'an sk_live_ key in the Test Secret Key field',
			{ testSecretKey: 'sk_live_abc123' },
			/the Test Secret Key is a live key \(sk_live_…\) in the Test Secret Key field/,
		],
		[
			'an sk_test_ key in the Live Secret Key field of a Live credential',
			{ environment: 'live', publicKey: 'pk_live_abc', liveSecretKey: 'sk_test_abc123' },
			/Environment is Live, but the Live Secret Key is a test key \(sk_test_…\) in the Live Secret Key field/,
		],
	];
	const operations = [
		['Create and Process', payoutParameters('createAndProcess'), [row('m-1')]],
		['Validate', payoutParameters('validate'), [row('m-2')]],
		[
			'Get Many invoices',
			{ resource: 'payoutInvoice', operation: 'getMany', returnAll: true },
			[{}],
		],
		[
			'Pre-request',
			{ resource: 'prerequest', operation: 'getServices', currency: 'USD', amount: '10' },
			[{}],
		],
	] as const;

	for (const [what, keys, message] of mismatches) {
		it(`${what}: every operation fails naming the Environment and the key (prefix only); nothing reaches the API`, async () => {
			for (const [, parameters, rows] of operations) {
				const run = await runNode(
					{ ...testSandbox.credentials, baseUrl: proxy.baseUrl, ...keys },
					{ ...parameters },
					[...rows],
				);
				expect(run.result.status).toBe('error');
				const text = failureText(run.result);
				expect(text).toMatch(message);
				expect(text).toMatch(/Nothing was sent/);
				expect(text).not.toMatch(/abc123/);
			}
			expect(proxy.requests).toEqual([]);
			expect(testSandbox.ledger().calls).toEqual([]);
		});
	}

	it('with Continue On Fail, every row becomes an error item saying so, and still nothing is sent', async () => {
		const run = await runNode(
			{ ...testSandbox.credentials, baseUrl: proxy.baseUrl, publicKey: 'pk_live_abc123' },
			payoutParameters('create'),
			[row('c-1'), row('c-2')],
			CONTINUE_ON_FAIL,
		);
		expect(
			run.json().map((item) => [item.row, String(item.error).includes('Environment is Test')]),
		).toEqual([
			[1, true],
			[2, true],
		]);
		expect(proxy.requests).toEqual([]);
	});
});

describe('the pre-request’s own test_mode answer is checked against the Environment', () => {
	it('a pre-request answering test for a Live credential fails, naming both modes (a key without prefix passes the key check)', async () => {
		const sandbox = await startSandbox({ port: 0, publicKey: 'public_key_without_prefix' });
		try {
			const run = await runNode(
				{ ...sandbox.credentials, environment: 'live', publicKey: 'public_key_without_prefix' },
				{ resource: 'prerequest', operation: 'getServices', currency: 'USD', amount: '10' },
			);
			expect(run.result.status).toBe('error');
			expect(failureText(run.result)).toMatch(
				/The pre-request answered in test mode \(test_mode true\), but the credential's Environment is Live/,
			);
		} finally {
			await sandbox.close();
		}
	});

	it('Create checks the same answer (it reads field rules by pre-request) and creates nothing', async () => {
		const sandbox = await startSandbox({ port: 0, publicKey: 'public_key_without_prefix' });
		try {
			const run = await runNode(
				{ ...sandbox.credentials, environment: 'live', publicKey: 'public_key_without_prefix' },
				payoutParameters('createAndProcess'),
				[row('pm-1')],
			);
			expect(failureText(run.result)).toMatch(
				/The pre-request answered in test mode \(test_mode true\), but the credential's Environment is Live\. Nothing was sent\./,
			);
			expect(sandbox.ledger().calls).toEqual([]);
		} finally {
			await sandbox.close();
		}
	});

	it('in the right environment the pre-request answers, and each service says testMode', async () => {
		const run = await runNode(liveSandbox.credentials, {
			resource: 'prerequest',
			operation: 'getServices',
			currency: 'USD',
			amount: '10',
		});
		expect(run.json().length).toBeGreaterThan(0);
		expect(new Set(run.json().map((item) => item.testMode))).toEqual(new Set([false]));
	});
});
