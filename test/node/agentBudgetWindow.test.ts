/**
 * Issue 29: an AI agent's budget over a time window holds across executions (and so across queue-mode workers:
 * nothing of it lives in a process). Each `runAgent` below is its own execution, as a webhook call is; the
 * budget's ledger is the platform's invoices. What was paid is read from the sandbox's ledger, never from the
 * node's output. The real-n8n proof with two workers is e2e/queueScenario.ts ("agent budget across workers").
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { BUDGET_TAG, windowAt } from '../../nodes/PaymentsTrust/payouts/budgetWindow';
import { runWorkflow } from '../../harness/runWorkflow';
import { agentExecution, asTool, runAgent, TOOL_TYPE } from '../support/agentRun';
import { startCreateBarrier, type CreateBarrier } from '../support/createBarrier';
import { startFaultProxy, type FaultProxy } from '../support/faultProxy';
import { paymentsTrustWorkflow, payoutParameters } from '../support/payoutWorkflow';
import { failureText } from '../support/runNode';

let sandbox: RunningSandbox;
let proxy: FaultProxy;
let barrier: CreateBarrier;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
	proxy = await startFaultProxy(sandbox.baseUrl, { seed: 29, rate: 0, lagReads: 0 });
	barrier = await startCreateBarrier(sandbox.baseUrl);
});
afterAll(async () => {
	await barrier?.close();
	await proxy?.close();
	await sandbox?.close();
});

/** A Create and Process tool with a budget of `max` USD per `window`. */
const tool = (max: string, window = 'day', options: IDataObject = {}, extra: IDataObject = {}) =>
	payoutParameters(
		'createAndProcess',
		{ safetyLimits: { limit: [{ currency: 'USD', maxTotal: max }] }, ...options },
		{ budgetWindow: window, ...extra },
	);
const pay = (reference: string, amount: string) => [
	{ reference_id: reference, amount, account: '1' },
];
const via = (baseUrl = sandbox.baseUrl) => ({ ...sandbox.credentials, baseUrl });

/** The ledger's invoices under `prefix`: amount, status, how many process requests the platform took. */
const ledgerOf = (prefix: string) =>
	sandbox
		.ledger()
		.invoices.filter((invoice) => invoice.referenceId.startsWith(prefix))
		.map((invoice) => ({
			reference: invoice.referenceId,
			amount: invoice.amount,
			status: invoice.status,
			processed: invoice.processCommitted,
		}));
const paidTotal = (prefix: string) =>
	ledgerOf(prefix)
		.filter((invoice) => invoice.processed > 0)
		.reduce((sum, invoice) => sum + invoice.amount, 0);
/** The invoice's metadata as the platform's API shows it. */
async function metadataOf(reference: string): Promise<unknown> {
	const { accountId, apiKey } = sandbox.credentials;
	const res = await fetch(
		`${sandbox.baseUrl}/api/payout-invoices?filter[reference_id]=${encodeURIComponent(reference)}`,
		{
			headers: {
				authorization: `Basic ${Buffer.from(`${accountId}:${apiKey}`).toString('base64')}`,
			},
		},
	);
	const body = (await res.json()) as { data: Array<{ attributes: { metadata: unknown } }> };
	return body.data[0]?.attributes.metadata;
}
const callsFor = (prefix: string) =>
	sandbox.ledger().calls.filter((call) => call.referenceId?.startsWith(prefix));

describe('a budget per day holds across executions', () => {
	it('four executions in a row, 50 USD each, 100 USD a day: two are paid, the others are refused with nothing sent', async () => {
		const answers: IDataObject[] = [];
		for (let call = 1; call <= 4; call++)
			answers.push(
				(await runAgent(via(), tool('100'), [pay(`bw-row-${call}`, '50')], 'wf-bw-row'))[0],
			);
		expect(ledgerOf('bw-row-')).toEqual([
			{ reference: 'bw-row-1', amount: 50, status: expect.any(String), processed: 1 },
			{ reference: 'bw-row-2', amount: 50, status: expect.any(String), processed: 1 },
		]);
		// Refused before the create: not even a refused request reached the platform.
		expect(callsFor('bw-row-3')).toEqual([]);
		expect(answers.map((answer) => answer.budgetLeft)).toEqual([
			{ USD: '50.00' },
			{ USD: '0.00' },
			{ USD: '0.00' },
			{ USD: '0.00' },
		]);
		expect(answers[2]).toMatchObject({ stage: 'safety_limit', field: 'amount' });
		expect(String(answers[2].error)).toMatch(
			/amount 50\.00 USD is more than this tool's budget has left: 0\.00 of 100\.00 USD for all calls in this day \(UTC, until \d{4}-\d\d-\d\dT00:00:00Z\) together; nothing was sent\./,
		);
		expect(answers[0].budgetWindow).toMatchObject({ window: 'day' });
		// Every invoice carries the budget's tag: the platform is the ledger.
		expect(await metadataOf('bw-row-1')).toEqual({ [BUDGET_TAG]: 'wf-bw-row/pay-out-tool' });
	});

	it('without a window (This Execution) the same four executions pay 200 USD: the window is what holds', async () => {
		for (let call = 1; call <= 4; call++)
			await runAgent(via(), tool('100', 'execution'), [pay(`bw-exec-${call}`, '50')], 'wf-bw-exec');
		expect(paidTotal('bw-exec-')).toBe(200);
	});

	it('each tool node (workflow and node) has its own budget; a regular run does not count', async () => {
		// A regular (non-tool) run pays 100 USD: no tag, not the agent's.
		await runWorkflow({
			workflow: paymentsTrustWorkflow(payoutParameters('createAndProcess'), [
				{ reference_id: 'bw-own-regular', amount: '100', account: '1' },
			]),
			credentials: { paymentsTrustApi: sandbox.credentials },
		});
		await runAgent(via(), tool('100'), [pay('bw-own-a', '80')], 'wf-bw-own-a');
		await runAgent(via(), tool('100'), [pay('bw-own-b', '80')], 'wf-bw-own-b');
		expect(paidTotal('bw-own-')).toBe(260);
	});

	it('the same reference ID again in a later execution is the same invoice: counted once, paid once', async () => {
		await runAgent(via(), tool('100'), [pay('bw-same-1', '60')], 'wf-bw-same');
		const [again] = await runAgent(via(), tool('100'), [pay('bw-same-1', '60')], 'wf-bw-same');
		const [more] = await runAgent(via(), tool('100'), [pay('bw-same-2', '40')], 'wf-bw-same');
		expect(again).toMatchObject({ alreadyExisted: true, budgetLeft: { USD: '40.00' } });
		expect(more.budgetLeft).toEqual({ USD: '0.00' });
		expect(ledgerOf('bw-same-').map((invoice) => [invoice.reference, invoice.processed])).toEqual([
			['bw-same-1', 1],
			['bw-same-2', 1],
		]);
	});
});

describe('executions at the same instant', () => {
	/**
	 * One execution per payout, all at once: the barrier holds every create until all have arrived, so each
	 * made its check before any invoice existed. Each execution's answer, in order.
	 */
	async function atOnce(workflowId: string, payouts: Array<[string, string]>) {
		barrier.arm(payouts.length);
		return await Promise.all(
			payouts.map(
				async ([reference, amount]) =>
					(
						await runAgent(via(barrier.baseUrl), tool('100'), [pay(reference, amount)], workflowId)
					)[0],
			),
		);
	}

	it('two at once, 60 USD each under 100 USD: never more than 100 USD paid; a refused one stays in "created", never processed', async () => {
		const answers = await atOnce('wf-bw-race', [
			['bw-race-1', '60'],
			['bw-race-2', '60'],
		]);
		const ledger = ledgerOf('bw-race-');
		// Both passed the check before the create (the barrier held both creates until both had arrived).
		expect(ledger).toHaveLength(2);
		expect(paidTotal('bw-race-')).toBeLessThanOrEqual(100);
		const refused = answers.filter((answer) => answer.stage === 'budget_window');
		expect(refused.length).toBeGreaterThanOrEqual(1);
		for (const answer of refused) {
			const invoice = ledger.find((entry) => entry.reference === answer.referenceId);
			expect(invoice).toMatchObject({ status: 'created', processed: 0 });
			expect(String(answer.error)).toMatch(/stays in status "created" \(nothing was processed\)/);
		}
		// No process request went out for a refused one.
		const processCalls = sandbox
			.ledger()
			.calls.filter(
				(call) => call.operation === 'process' && call.referenceId?.startsWith('bw-race-'),
			);
		expect(processCalls).toHaveLength(2 - refused.length);
	});

	it('five at once, 30 USD each under 100 USD: never more than 100 USD paid', async () => {
		await atOnce(
			'wf-bw-five',
			[1, 2, 3, 4, 5].map((call) => [`bw-five-${call}`, '30']),
		);
		expect(ledgerOf('bw-five-')).toHaveLength(5);
		expect(paidTotal('bw-five-')).toBeLessThanOrEqual(100);
	});

	it('two at once that fit together (60 + 30 of 100 USD) are both paid', async () => {
		await atOnce('wf-bw-fit', [
			['bw-fit-1', '60'],
			['bw-fit-2', '30'],
		]);
		expect(paidTotal('bw-fit-')).toBe(90);
	});
});

describe('the window rolls over', () => {
	it('windows are UTC clock hours, UTC days and weeks from Monday 00:00 UTC', () => {
		const at = (iso: string) => Date.parse(iso) / 1000;
		const wednesday = at('2026-12-09T15:30:00Z');
		expect(windowAt('hour', wednesday)).toEqual({
			kind: 'hour',
			start: at('2026-12-09T15:00:00Z'),
			end: at('2026-12-09T16:00:00Z'),
		});
		expect(windowAt('day', wednesday).start).toBe(at('2026-12-09T00:00:00Z'));
		expect(windowAt('week', wednesday)).toMatchObject({
			start: at('2026-12-07T00:00:00Z'),
			end: at('2026-12-14T00:00:00Z'),
		});
		// Sunday's last second is still the week that began on Monday.
		expect(windowAt('week', at('2026-12-13T23:59:59Z')).start).toBe(at('2026-12-07T00:00:00Z'));
	});

	const seedPaid = (key: string, amount: number, created: number) =>
		sandbox.seedInvoices(1, {
			status: 'processed',
			amount,
			created,
			metadata: { [BUDGET_TAG]: key },
		});

	it("yesterday's payouts do not count; today's from its first second do", async () => {
		const today = windowAt('day', Math.floor(Date.now() / 1000));
		// 100 USD paid in the last second of yesterday: the whole budget of that day.
		seedPaid('wf-bw-roll/pay-out-tool', 100, today.start - 1);
		const [first] = await runAgent(via(), tool('100'), [pay('bw-roll-1', '60')], 'wf-bw-roll');
		expect(first.budgetLeft).toEqual({ USD: '40.00' });
		// 30 USD paid in the first second of today counts.
		seedPaid('wf-bw-roll/pay-out-tool', 30, today.start);
		const [second] = await runAgent(via(), tool('100'), [pay('bw-roll-2', '20')], 'wf-bw-roll');
		expect(second).toMatchObject({ stage: 'safety_limit', field: 'amount' });
		expect(paidTotal('bw-roll-')).toBe(60);
	});

	it('an hour window: the previous hour does not count', async () => {
		const hour = windowAt('hour', Math.floor(Date.now() / 1000));
		seedPaid('wf-bw-hour/pay-out-tool', 100, hour.start - 1);
		const [answer] = await runAgent(
			via(),
			tool('100', 'hour'),
			[pay('bw-hour-1', '100')],
			'wf-bw-hour',
		);
		expect(answer.budgetWindow).toMatchObject({ window: 'hour' });
		expect(paidTotal('bw-hour-')).toBe(100);
	});
});

describe('an unreadable ledger pays nothing', () => {
	afterEach(() => proxy.configure({ rate: 0, force: undefined }));

	it('the window cannot be read before the create: refused, nothing sent', async () => {
		// Every unfiltered list (the budget's walk) is spoilt; reference look-ups are not.
		proxy.configure({
			force: (request) =>
				request.operation === 'list' && !request.referenceId ? 'not_a_list' : undefined,
		});
		const [answer] = await runAgent(
			via(proxy.baseUrl),
			tool('100', 'day', { maxAttempts: 2 }),
			[pay('bw-dark-1', '10')],
			'wf-bw-dark',
		);
		expect(answer).toMatchObject({ stage: 'safety_limit', field: 'budget' });
		expect(String(answer.error)).toMatch(/could not read its budget .*nothing was sent/);
		expect(callsFor('bw-dark-')).toEqual([]);
	});

	it('the window cannot be read after the create: not processed, and a later call with the same reference ID pays it once', async () => {
		let created = false;
		proxy.configure({
			force: (request) => {
				if (request.operation === 'create') created = true;
				return created && request.operation === 'list' && !request.referenceId
					? 'non_json_200'
					: undefined;
			},
		});
		const [answer] = await runAgent(
			via(proxy.baseUrl),
			tool('100', 'day', { maxAttempts: 2 }),
			[pay('bw-gate-1', '10')],
			'wf-bw-gate',
		);
		expect(answer).toMatchObject({ stage: 'budget_window' });
		expect(String(answer.error)).toMatch(/could not read its budget/);
		expect(ledgerOf('bw-gate-')).toEqual([
			{ reference: 'bw-gate-1', amount: 10, status: 'created', processed: 0 },
		]);
		proxy.configure({ force: undefined });
		const [again] = await runAgent(
			via(proxy.baseUrl),
			tool('100'),
			[pay('bw-gate-1', '10')],
			'wf-bw-gate',
		);
		expect(again).toMatchObject({ alreadyExisted: true, budgetLeft: { USD: '90.00' } });
		expect(ledgerOf('bw-gate-')[0].processed).toBe(1);
	});
});

describe('what a windowed budget refuses before anything is sent', () => {
	it('Auto Process (an invoice that pays on create cannot be checked against the window)', async () => {
		const [answer] = await runAgent(
			via(),
			tool('100', 'day', {}, { processing: 'autoProcess' }),
			[pay('bw-auto-1', '10')],
			'wf-bw-auto',
		);
		expect(answer).toMatchObject({ stage: 'safety_limit', field: 'auto_process' });
		expect(callsFor('bw-auto-')).toEqual([]);
	});

	it('a window the model would choose ($fromAI) stops the tool before anything is sent', async () => {
		const fromAi = await runWorkflow({
			workflow: agentExecution(
				tool('100', "={{ $fromAI('window', 'the window', 'string') }}"),
				[pay('bw-stop-2', '10')],
				'wf-bw-stop',
			),
			credentials: { paymentsTrustApi: sandbox.credentials },
			nodeTypes: { [TOOL_TYPE]: asTool() },
		});
		expect(failureText(fromAi)).toMatch(/Budget Window\) would come from the AI model/);
		expect(callsFor('bw-stop-')).toEqual([]);
	});
});
