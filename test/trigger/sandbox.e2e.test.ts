/**
 * End to end: the sandbox's own signed status callbacks, sent to the webhook server's URL, start the workflow
 * once per status change. The invoice is created and processed over the sandbox's Private API (HTTP Basic), with
 * callback_url = the trigger's URL, exactly as a merchant would.
 */
import axios from 'axios';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { startSandbox, type RunningSandbox, type SandboxCredentials } from '../../sandbox';
import { startWebhookServer } from '../../harness/webhookServer';
import { TRIGGER, triggerWorkflow } from './fixtures';

const E2E_WEBHOOK_ID = '7c1f0e9a-2b4d-4c8e-9f11-3a5b6c7d8e02';

type Server = Awaited<ReturnType<typeof startWebhookServer>>;

/** The sandbox's credential as the harness takes it (same field names as `paymentsTrustApi`). */
const asCredential = (credentials: SandboxCredentials) =>
	({ ...credentials }) as unknown as ICredentialDataDecryptedObject;

async function createAndProcess(
	sandbox: RunningSandbox,
	callbackUrl: string,
	reference: string,
	fields: Record<string, string> = { account: '1234567' },
): Promise<string> {
	const auth = { username: sandbox.credentials.accountId, password: sandbox.credentials.apiKey };
	const created = await axios.post(
		`${sandbox.privateApiUrl}/payout-invoices`,
		{
			data: {
				type: 'payout-invoice',
				attributes: {
					service: 'test_usd',
					currency: 'USD',
					amount: 10,
					reference_id: reference,
					test_mode: true,
					fields,
					callback_url: callbackUrl,
				},
			},
		},
		{ auth, validateStatus: () => true },
	);
	// Plain values only in assertions: an AxiosError is circular and would crash a jest worker.
	expect([created.status, created.data]).toEqual([201, expect.anything()]);
	const id = created.data.data.id as string;
	const processed = await axios.post(
		`${sandbox.privateApiUrl}/payout-invoices/${id}/process`,
		{},
		{
			auth,
			validateStatus: () => true,
		},
	);
	expect([processed.status, processed.data]).toEqual([200, expect.anything()]);
	return id;
}

async function until(check: () => boolean, ms: number): Promise<void> {
	const deadline = Date.now() + ms;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe('PaymentsTrust Trigger with the sandbox’s signed callbacks', () => {
	let sandbox: RunningSandbox;
	let server: Server | undefined;

	beforeAll(async () => {
		sandbox = await startSandbox({
			port: 0,
			processDelayMs: 100,
			callbackRetryDelaysMs: [50],
			callbackMaxAttempts: 3,
		});
	});
	afterEach(async () => {
		await server?.close();
		server = undefined;
		sandbox.reset();
	});
	afterAll(async () => {
		await sandbox?.close();
	});

	it('starts one execution per status change: processing, then processed', async () => {
		server = await startWebhookServer({
			workflow: triggerWorkflow({}, E2E_WEBHOOK_ID),
			credentials: { paymentsTrustApi: asCredential(sandbox.credentials) },
			triggerNodeName: TRIGGER,
		});
		const id = await createAndProcess(sandbox, server.webhookUrl, 'e2e-paid-1');
		await server.waitForExecutions(2, 10_000);
		const outputs = server.executions.map((run) => run.outputOf(TRIGGER)[0].json);
		expect(outputs.map((o) => [o.id, o.status, o.isFinal])).toEqual([
			[id, 'processing', false],
			[id, 'processed', true],
		]);
		expect(outputs[1]).toMatchObject({
			referenceId: 'e2e-paid-1',
			amount: 10,
			currency: 'USD',
			testMode: true,
		});
		await until(() => sandbox.ledger().summary.callbacks.pending === 0, 5_000);
		const attempts = sandbox.ledger().callbacks.filter((c) => c.invoiceId === id);
		expect(attempts.map((c) => [c.invoiceStatus, c.httpStatus])).toEqual([
			['processing', 200],
			['processed', 200],
		]);
	});

	it('reports a failed payout, and with Final Statuses Only skips the intermediate status', async () => {
		server = await startWebhookServer({
			workflow: triggerWorkflow({ triggerOn: 'finalStatuses' }, E2E_WEBHOOK_ID),
			credentials: { paymentsTrustApi: asCredential(sandbox.credentials) },
			triggerNodeName: TRIGGER,
		});
		const id = await createAndProcess(sandbox, server.webhookUrl, 'e2e-failed-1', {
			account: '7654321',
			test_details_success_rate: '0',
			test_details_payout_resolution: 'insufficient funds', // the field allows letters and spaces only
		});
		await server.waitForExecutions(1, 10_000);
		await until(() => sandbox.ledger().summary.callbacks.pending === 0, 5_000);
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0].outputOf(TRIGGER)[0].json).toMatchObject({
			id,
			status: 'process_failed',
			resolution: 'insufficient_funds',
			isFinal: true,
		});
		// The filtered-out `processing` and `process_error` callbacks were acknowledged, so the sandbox did not retry them.
		const attempts = sandbox.ledger().callbacks.filter((c) => c.invoiceId === id);
		expect(attempts.map((c) => [c.invoiceStatus, c.httpStatus])).toEqual([
			['processing', 200],
			['process_error', 200],
			['process_failed', 200],
		]);
	});

	it('refuses (401) every callback when the credential holds another secret, and the platform retries', async () => {
		server = await startWebhookServer({
			workflow: triggerWorkflow({}, E2E_WEBHOOK_ID),
			credentials: {
				paymentsTrustApi: asCredential({
					...sandbox.credentials,
					testSecretKey: 'sk_test_not_the_one',
				}),
			},
			triggerNodeName: TRIGGER,
		});
		const id = await createAndProcess(sandbox, server.webhookUrl, 'e2e-wrong-secret');
		await until(() => sandbox.ledger().summary.callbacks.pending === 0, 10_000);
		const attempts = sandbox.ledger().callbacks.filter((c) => c.invoiceId === id);
		expect(attempts.length).toBe(6); // 2 status changes × callbackMaxAttempts 3
		expect(new Set(attempts.map((c) => c.httpStatus))).toEqual(new Set([401]));
		expect(server.executions).toHaveLength(0);
	});
});
