/**
 * PaymentsTrust Trigger and node against the sandbox's callbacks as docs/platform.md#callbacks describes them (issue 11): one callback
 * URL receives test and live invoices, each signed with its mode's key; a credential without an Environment counts as
 * Test; batched callbacks (no `processing`), `process_error` before `process_failed`, and the `payouts` parts of
 * a split payout reach the workflow. Invoices are created by the PaymentsTrust node itself.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { startWebhookServer } from '../../harness/webhookServer';
import { expectEveryInvoiceModeExplicit } from '../support/explicitMode';
import { payoutParameters } from '../support/payoutWorkflow';
import { runNode } from '../support/runNode';
import { TRIGGER, triggerWorkflow } from './fixtures';

type Server = Awaited<ReturnType<typeof startWebhookServer>>;
const WAIT = { waitForFinalStatus: true, pollIntervalSeconds: 0.05, maxWaitSeconds: 10 };

let testAccount: RunningSandbox;
let liveAccount: RunningSandbox;
let server: Server | undefined;
beforeAll(async () => {
	// Two sandboxes with the same secret keys stand in for one account used in both modes.
	testAccount = await startSandbox({
		port: 0,
		processDelayMs: 30,
		callbackRetryDelaysMs: [30],
		callbackMaxAttempts: 2,
	});
	liveAccount = await startSandbox({
		port: 0,
		processDelayMs: 30,
		callbackRetryDelaysMs: [30],
		callbackMaxAttempts: 2,
		publicKey: 'pk_live_sandbox',
	});
});
afterEach(async () => {
	await server?.close();
	server = undefined;
	// Every invoice the node created said its mode, and it is the mode of the account's credential.
	expectEveryInvoiceModeExplicit(testAccount, true);
	expectEveryInvoiceModeExplicit(liveAccount, false);
	testAccount.reset();
	liveAccount.reset();
});
afterAll(async () => {
	await testAccount.close();
	await liveAccount.close();
});

async function listen(
	credentials: ICredentialDataDecryptedObject,
	parameters = {},
): Promise<Server> {
	server = await startWebhookServer({
		workflow: triggerWorkflow(parameters),
		credentials: { paymentsTrustApi: credentials },
		triggerNodeName: TRIGGER,
	});
	return server;
}

async function pay(
	sandbox: RunningSandbox,
	callbackUrl: string,
	rows: IDataObject[],
	invoiceOptions = {},
) {
	const parameters = payoutParameters('createAndProcess', WAIT, {
		additionalFields: { callbackUrl },
		invoiceOptions,
	});
	return await runNode(sandbox.credentials, parameters, rows);
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

const outputs = (s: Server) => s.executions.map((run) => run.outputOf(TRIGGER)[0].json);

it('one Trigger URL starts for test and live invoices, each verified with its own key; the Mode filter still works', async () => {
	const s = await listen({ ...testAccount.credentials }, { triggerOn: 'finalStatuses' });
	await pay(testAccount, s.webhookUrl, [{ reference_id: 'both-t', amount: '1', account: '1' }]);
	await pay(liveAccount, s.webhookUrl, [{ reference_id: 'both-l', amount: '1', account: '1' }]);
	await s.waitForExecutions(2, 10_000);
	expect(
		outputs(s)
			.map((json) => [json.referenceId, json.testMode])
			.sort(),
	).toEqual([
		['both-l', false],
		['both-t', true],
	]);
	expectEveryInvoiceModeExplicit(testAccount, true);
	expectEveryInvoiceModeExplicit(liveAccount, false);
	await s.close();

	const liveOnly = await listen(
		{ ...testAccount.credentials },
		{ triggerOn: 'finalStatuses', options: { mode: 'live' } },
	);
	await pay(testAccount, liveOnly.webhookUrl, [
		{ reference_id: 'mode-t', amount: '1', account: '1' },
	]);
	await pay(liveAccount, liveOnly.webhookUrl, [
		{ reference_id: 'mode-l', amount: '1', account: '1' },
	]);
	await liveOnly.waitForExecutions(1, 10_000);
	await until(
		() =>
			testAccount.ledger().summary.callbacks.pending === 0 &&
			liveAccount.ledger().summary.callbacks.pending === 0,
	);
	await liveOnly.settled();
	expect(outputs(liveOnly).map((json) => json.referenceId)).toEqual(['mode-l']);
});

it('a credential with only the test key answers 401 to live callbacks, and the platform retries them', async () => {
	const s = await listen({ ...testAccount.credentials, liveSecretKey: '' });
	await pay(liveAccount, s.webhookUrl, [{ reference_id: 'nolive', amount: '1', account: '1' }]);
	await until(() => liveAccount.ledger().summary.callbacks.pending === 0);
	expect(new Set(liveAccount.ledger().callbacks.map((c) => c.httpStatus))).toEqual(new Set([401]));
	await s.settled();
	expect(s.executions).toHaveLength(0);
});

it('a credential with no Environment and only a Test Secret Key verifies the sandbox’s test callbacks', async () => {
	const { liveSecretKey: _unused, environment: _none, ...rest } = testAccount.credentials;
	const old = { ...rest, privateApiPath: '/api' };
	const s = await listen(old, { triggerOn: 'finalStatuses' });
	await pay(testAccount, s.webhookUrl, [{ reference_id: 'old-1', amount: '1', account: '1' }]);
	await s.waitForExecutions(1, 10_000);
	expect(outputs(s)[0]).toMatchObject({
		referenceId: 'old-1',
		status: 'processed',
		testMode: true,
	});
	// And the same credential runs the node: no Environment means Test, so the invoice says test_mode true.
	const run = await runNode(old, payoutParameters('create'), [
		{ reference_id: 'old-2', amount: '1', account: '1' },
	]);
	expect(run.json()[0]).toMatchObject({ referenceId: 'old-2', testMode: true });
	expectEveryInvoiceModeExplicit(testAccount, true);
});

it('batched callbacks: the workflow may never see processing, and still gets the final status once', async () => {
	testAccount.configure({ callbackBatchMs: 150 });
	const s = await listen({ ...testAccount.credentials });
	await pay(testAccount, s.webhookUrl, [{ reference_id: 'batch-1', amount: '1', account: '1' }]);
	await s.waitForExecutions(1, 10_000);
	await until(() => testAccount.ledger().summary.callbacks.pending === 0);
	await s.settled();
	expect(outputs(s).map((json) => json.status)).toEqual(['processed']);
});

it('a failed payout: process_error is not final (node keeps waiting; Final Statuses Only skips it), process_failed is', async () => {
	const s = await listen({ ...testAccount.credentials });
	const run = await pay(testAccount, s.webhookUrl, [
		{ reference_id: 'fail-1', amount: '1', account: '1', test_details_success_rate: '0' },
	]);
	expect(run.json()[0]).toMatchObject({
		referenceId: 'fail-1',
		status: 'process_failed',
		isFinal: true,
		testMode: true,
	});
	await s.waitForExecutions(3, 10_000);
	// Each status change is its own delivery: under load they may arrive in any order.
	expect(
		outputs(s)
			.map((json) => [json.status, json.isFinal])
			.sort(),
	).toEqual([
		['process_error', false],
		['process_failed', true],
		['processing', false],
	]);
});

it('a split payout: the final callback’s parts come out as payouts', async () => {
	const s = await listen({ ...testAccount.credentials }, { triggerOn: 'finalStatuses' });
	const rows = [
		{
			reference_id: 'split-1',
			amount: '12000',
			service: 'payment_card_usd',
			card_number: '4111111111111111',
		},
	];
	const run = await pay(testAccount, s.webhookUrl, rows, { split_mode: true });
	expect(run.json()[0]).toMatchObject({ referenceId: 'split-1', status: 'processed' });
	await s.waitForExecutions(1, 10_000);
	const [json] = outputs(s);
	expect(json.payouts).toEqual([
		expect.objectContaining({ amount: 4000, status: 'processed' }),
		expect.objectContaining({ amount: 4000, status: 'processed' }),
		expect.objectContaining({ amount: 4000, status: 'processed' }),
	]);
});
