/**
 * Issue 20: an AI agent can never pay more than the node allows, in any currency, over any number of calls.
 *
 * An agent's tool calls are runs of the tool node inside the agent's execution. Here one execution runs the
 * PaymentsTrust node under its Tool type several times (one run per "call" node feeding it, as n8n's v1
 * execution order does), with the tool's errors handed on as items (an agent reads a failed call and goes on).
 * What was paid is read from the sandbox's ledger, never from the node's output.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import {
	AGENT_BUDGET_MAX_EXECUTIONS,
	AgentBudget,
} from '../../nodes/PaymentsTrust/payouts/agentBudget';
import type { ValidPayout } from '../../nodes/PaymentsTrust/payouts/types';
import { runWorkflow } from '../../harness/runWorkflow';
import { agentExecution, asTool, runAgent as runAgentCalls, TOOL_TYPE } from '../support/agentRun';
import { startFaultProxy, type FaultProxy } from '../support/faultProxy';
import { payoutParameters } from '../support/payoutWorkflow';
import { failureText } from '../support/runNode';

let sandbox: RunningSandbox;
let proxy: FaultProxy;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
	proxy = await startFaultProxy(sandbox.baseUrl, { seed: 20, rate: 0 });
});
afterAll(async () => {
	await proxy?.close();
	await sandbox?.close();
});

const limits = (...entries: Array<[string, string]>) => ({
	safetyLimits: { limit: entries.map(([currency, maxTotal]) => ({ currency, maxTotal })) },
});
const USD_100 = limits(['USD', '100']);

/** Invoices the sandbox holds under references starting with `prefix`: what was really paid. */
const ledgerOf = (prefix: string) =>
	sandbox
		.ledger()
		.invoices.filter((invoice) => invoice.referenceId.startsWith(prefix))
		.map((invoice) => [invoice.referenceId, invoice.currency, invoice.amount]);

/** One execution of the tool's calls (test/support/agentRun.ts); each call's answer, in call order. */
const runAgent = async (
	parameters: IDataObject,
	calls: IDataObject[][],
	baseUrl = sandbox.baseUrl,
) => await runAgentCalls({ ...sandbox.credentials, baseUrl }, parameters, calls);

/** A valid sepa_eur recipient (the service takes EUR). */
const SEPA = { service: 'sepa_eur', iban: 'DE89370400440532013000', beneficiary_name: 'Ann Lee' };

const pay = (reference: string, amount: string | number, extra: IDataObject = {}) => [
	{ reference_id: reference, amount, account: '1', ...extra },
];

describe('an agent budget: the limits bound all calls of one execution together, per currency', () => {
	it('calls are paid until the next would pass the budget; that call is refused and later ones that fit are paid', async () => {
		const answers = await runAgent(payoutParameters('createAndProcess', USD_100), [
			pay('ab-sum-1', '40'),
			pay('ab-sum-2', '40'),
			pay('ab-sum-3', '30'),
			pay('ab-sum-4', '20'),
		]);
		expect(ledgerOf('ab-sum-')).toEqual([
			['ab-sum-1', 'USD', 40],
			['ab-sum-2', 'USD', 40],
			['ab-sum-4', 'USD', 20],
		]);
		expect(answers.map((answer) => answer.budgetLeft)).toEqual([
			{ USD: '60.00' },
			{ USD: '20.00' },
			{ USD: '20.00' },
			{ USD: '0.00' },
		]);
		expect(answers[2]).toMatchObject({ stage: 'safety_limit', field: 'amount' });
		expect(answers[2].error).toBe(
			'Row 1 (item 0, reference ID "ab-sum-3"): amount 30.00 USD is more than this tool\'s budget has left: 20.00 of 100.00 USD for all calls of this run together; nothing was sent. Pay at most 20.00 USD, or ask the user.',
		);
	});

	it('a currency without a limit is refused, whatever supplies it; each limited currency has its own budget', async () => {
		const card = { card_number: '4111111111111111' };
		const answers = await runAgent(
			payoutParameters('createAndProcess', limits(['USD', '100'], ['EUR', '50'])),
			[
				pay('ab-cur-1', '40', { ...SEPA, currency: 'EUR' }),
				pay('ab-cur-2', '90'),
				pay('ab-cur-3', '5', { ...card, currency: 'GBP', service: 'payment_card_gbp' }),
				pay('ab-cur-4', '500', { ...card, currency: 'jpy', service: 'payment_card_jpy' }),
				pay('ab-cur-5', '20', { ...SEPA, currency: 'EUR' }),
			],
		);
		expect(ledgerOf('ab-cur-')).toEqual([
			['ab-cur-1', 'EUR', 40],
			['ab-cur-2', 'USD', 90],
		]);
		for (const index of [2, 3]) {
			expect(answers[index]).toMatchObject({ stage: 'safety_limit', field: 'currency' });
			expect(String(answers[index].error)).toMatch(
				/: currency (GBP|JPY) is not in this tool's budget \(it has no Run Safety Limit in (GBP|JPY)\); nothing was sent. Budget left: 10.00 USD, 10.00 EUR. Pay in a currency of the budget, or ask the user.$/,
			);
		}
		expect(answers[4]).toMatchObject({ stage: 'safety_limit', field: 'amount' });
		expect(answers[4].budgetLeft).toEqual({ USD: '10.00', EUR: '10.00' });
	});

	it('a service whose currency has no limit is refused too, and nothing is sent', async () => {
		const answers = await runAgent(payoutParameters('createAndProcess', USD_100), [
			pay('ab-svc-1', '10', { ...SEPA, currency: 'EUR' }),
			pay('ab-svc-2', '10', SEPA),
		]);
		expect(answers[0]).toMatchObject({ stage: 'safety_limit', field: 'currency' });
		// The service takes EUR, the row says USD: refused by validation before the budget.
		expect(answers[1]).toMatchObject({ stage: 'validation', field: 'currency' });
		expect(ledgerOf('ab-svc-')).toEqual([]);
		// Not even a refused create reached the platform.
		expect(
			sandbox.ledger().calls.filter((call) => call.referenceId?.startsWith('ab-svc-')),
		).toEqual([]);
	});

	it('the same reference ID twice is one invoice and is counted once', async () => {
		const answers = await runAgent(payoutParameters('createAndProcess', USD_100), [
			pay('ab-same-1', '60'),
			pay('ab-same-1', '60'),
			pay('ab-same-2', '40'),
		]);
		expect(ledgerOf('ab-same-')).toEqual([
			['ab-same-1', 'USD', 60],
			['ab-same-2', 'USD', 40],
		]);
		expect(answers[1]).toMatchObject({ alreadyExisted: true, budgetLeft: { USD: '40.00' } });
	});

	it('the same reference ID with another amount is counted in full (it could be a new payout)', async () => {
		const answers = await runAgent(payoutParameters('createAndProcess', USD_100), [
			pay('ab-other-1', '60'),
			pay('ab-other-1', '50'),
		]);
		expect(answers[1]).toMatchObject({ stage: 'safety_limit', field: 'amount' });
		expect(ledgerOf('ab-other-')).toEqual([['ab-other-1', 'USD', 60]]);
	});

	it('amounts a model might invent are refused and take nothing from the budget', async () => {
		const answers = await runAgent(payoutParameters('createAndProcess', USD_100), [
			pay('ab-inv-1', '1e9'),
			pay('ab-inv-2', 1e9),
			pay('ab-inv-3', '-5'),
			pay('ab-inv-4', 'ten'),
			pay('ab-inv-5', '100'),
		]);
		expect(answers.slice(0, 4).map((answer) => answer.field)).toEqual([
			'amount',
			'amount',
			'amount',
			'amount',
		]);
		expect(ledgerOf('ab-inv-')).toEqual([['ab-inv-5', 'USD', 100]]);
	});

	it('Create counts too: an invoice it leaves in "created" can still be paid', async () => {
		const answers = await runAgent(payoutParameters('create', USD_100), [
			pay('ab-create-1', '70'),
			pay('ab-create-2', '70'),
		]);
		expect(answers[1]).toMatchObject({ stage: 'safety_limit' });
		expect(ledgerOf('ab-create-')).toEqual([['ab-create-1', 'USD', 70]]);
	});

	it('Validate as a tool says what is left and what would be refused, and reserves nothing', async () => {
		const answers = await runAgent(payoutParameters('validate', USD_100), [
			pay('ab-val-1', '80'),
			pay('ab-val-2', '80'),
			pay('ab-val-3', '5', { ...SEPA, currency: 'EUR' }),
		]);
		expect(answers[0]).toMatchObject({ valid: true, budgetLeft: { USD: '100.00' } });
		expect(answers[1]).toMatchObject({ valid: true, budgetLeft: { USD: '100.00' } });
		expect(answers[2]).toMatchObject({ valid: false, field: 'currency' });
		expect(ledgerOf('ab-val-')).toEqual([]);
	});

	it('each execution has a budget of its own (a new agent run starts with the full limits)', async () => {
		for (const run of [1, 2]) {
			await runAgent(payoutParameters('createAndProcess', USD_100), [pay(`ab-exec-${run}`, '80')]);
		}
		expect(ledgerOf('ab-exec-')).toEqual([
			['ab-exec-1', 'USD', 80],
			['ab-exec-2', 'USD', 80],
		]);
	});

	it('a limit from an expression can only tighten within a run', async () => {
		const answers = await runAgent(
			payoutParameters('createAndProcess', {
				safetyLimits: { limit: [{ currency: 'USD', maxTotal: '={{ $json.cap }}' }] },
			}),
			[pay('ab-tight-1', '30', { cap: '50' }), pay('ab-tight-2', '30', { cap: '1000' })],
		);
		expect(answers[1]).toMatchObject({ stage: 'safety_limit', budgetLeft: { USD: '20.00' } });
		expect(ledgerOf('ab-tight-')).toEqual([['ab-tight-1', 'USD', 30]]);
	});

	it('a limit the model would set ($fromAI) stops the tool before anything is sent', async () => {
		const result = await runWorkflow({
			workflow: agentExecution(
				payoutParameters('createAndProcess', {
					safetyLimits: {
						limit: [{ currency: 'USD', maxTotal: "={{ $fromAI('max', 'the cap', 'number') }}" }],
					},
				}),
				[pay('ab-fromai-1', '10')],
			),
			credentials: { paymentsTrustApi: sandbox.credentials },
			nodeTypes: { [TOOL_TYPE]: asTool() },
		});
		// Not an error item: a tool that cannot be bounded stops before any row, even with "Continue On Fail".
		expect(failureText(result)).toMatch(
			/^This payout tool refuses to run: its budget \(Run Safety Limits or Budget Window\) would come from the AI model. Nothing was sent; tell the user.\n/,
		);
		expect(ledgerOf('ab-fromai-')).toEqual([]);
	});
});

describe('what happens to the budget when a payout fails', () => {
	it('an unknown outcome keeps its amount spent: money may have moved', async () => {
		// The create commits but its answer is lost, and no look-up can be read: the outcome is unknown.
		proxy.configure({
			seed: 21,
			rate: 1,
			lagReads: 0,
			conflictBodyRate: 0,
			operations: ['create', 'list'],
			kinds: ['reset_after', 'non_json_200'],
		});
		const options = { ...USD_100, maxAttempts: 2, requestTimeout: 1 };
		let answers: IDataObject[];
		try {
			answers = await runAgent(
				payoutParameters('createAndProcess', options),
				[pay('ab-unknown-1', '70')],
				proxy.baseUrl,
			);
		} finally {
			proxy.configure({ rate: 0 });
		}
		expect(answers[0]).toMatchObject({ stage: 'outcome_unknown', budgetLeft: { USD: '30.00' } });
		expect(ledgerOf('ab-unknown-')).toHaveLength(1);
	});

	it('an unknown outcome and a second call in the same run: the second may only use what is left', async () => {
		proxy.configure({
			seed: 22,
			rate: 1,
			lagReads: 0,
			conflictBodyRate: 0,
			operations: ['create', 'list'],
			kinds: ['reset_after', 'non_json_200'],
		});
		const options = { ...USD_100, maxAttempts: 2, requestTimeout: 1 };
		let answers: IDataObject[];
		try {
			answers = await runAgent(
				payoutParameters('createAndProcess', options),
				// The proxy spoils every create: only the budget decides whether the second call is sent.
				[pay('ab-unknown2-1', '70'), pay('ab-unknown2-2', '70')],
				proxy.baseUrl,
			);
		} finally {
			proxy.configure({ rate: 0 });
		}
		expect(answers[1]).toMatchObject({ stage: 'safety_limit', field: 'amount' });
		expect(ledgerOf('ab-unknown2-').map(([reference]) => reference)).toEqual(['ab-unknown2-1']);
	});

	it('a definite refusal gives the amount back: the reference ID belongs to another payout', async () => {
		// ab-conflict-1 exists already (paid by a regular run) with another amount.
		await runAgent(payoutParameters('createAndProcess', USD_100), [pay('ab-conflict-1', '5')]);
		const answers = await runAgent(payoutParameters('createAndProcess', USD_100), [
			pay('ab-conflict-1', '90'),
			pay('ab-conflict-2', '100'),
		]);
		expect(answers[0]).toMatchObject({
			stage: 'reference_conflict',
			budgetLeft: { USD: '100.00' },
		});
		expect(ledgerOf('ab-conflict-')).toEqual([
			['ab-conflict-1', 'USD', 5],
			['ab-conflict-2', 'USD', 100],
		]);
	});
});

describe('the budget in memory', () => {
	const payout = (referenceId: string, amountMinor: bigint, currency = 'USD') =>
		({ referenceId, amountMinor, currency, itemIndex: 0, amountText: '' }) as ValidPayout;
	const cap = new Map([['USD', 10_000n]]);

	it('overlapping calls cannot both take the last of the budget: the check reserves at once', () => {
		const first = AgentBudget.of('mem-overlap', 'node');
		const second = AgentBudget.of('mem-overlap', 'node');
		// Both calls checked before either was sent: the second sees the first's reservation.
		expect(first.reserve([payout('a', 6_000n)], cap).allowed).toHaveLength(1);
		expect(second.reserve([payout('b', 6_000n)], cap).allowed).toHaveLength(0);
		expect(second.left(cap)).toEqual({ USD: '40.00' });
	});

	it('is kept per execution and per node', () => {
		AgentBudget.of('mem-keys', 'node-a').reserve([payout('a', 10_000n)], cap);
		expect(AgentBudget.of('mem-keys', 'node-b').left(cap)).toEqual({ USD: '100.00' });
		expect(AgentBudget.of('mem-keys-2', 'node-a').left(cap)).toEqual({ USD: '100.00' });
		expect(AgentBudget.of('mem-keys', 'node-a').left(cap)).toEqual({ USD: '0.00' });
	});

	it('holds at most a fixed number of executions, forgetting the least recently used', () => {
		AgentBudget.of('mem-oldest', 'node').reserve([payout('a', 10_000n)], cap);
		for (let index = 0; index < AGENT_BUDGET_MAX_EXECUTIONS; index++) {
			AgentBudget.of(`mem-fill-${index}`, 'node');
		}
		expect(AgentBudget.tracked()).toBe(AGENT_BUDGET_MAX_EXECUTIONS);
		expect(AgentBudget.of('mem-oldest', 'node').left(cap)).toEqual({ USD: '100.00' });
	});
});
