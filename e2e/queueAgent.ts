/**
 * Issue 29 in queue mode: the AI agent example's day budget holds across executions run by two workers.
 * examples/ai-agent-payouts.workflow.json as shipped (Budget Window: Day, 100 USD), twice (each copy has a
 * budget of its own), the model the scripted server of e2e/lib/scriptedModel.ts; every request is one POST to a
 * webhook process, i.e. one queued execution that either worker may take.
 *
 *   - In a row: six requests of 20 USD, one after another, alternating the two webhook processes: exactly the
 *     first five are paid (100 USD), the sixth is refused before anything is sent.
 *   - At once: eight requests of 30 USD at the same moment, spread over both webhook processes and run by both
 *     workers: never more than 100 USD paid (docs/ai-agents.md says which of them may be refused).
 *
 * What was paid is read from the sandbox's ledger; which worker ran an execution from the workers' own logs.
 */
import path from 'node:path';

import { postAgentMessage, prepareAgentExample, OPENAI_CREDENTIAL, TOOL } from './parts/agent';
import type { RestSession } from './lib/n8n';
import { waitFor } from './lib/processes';
import type { Report } from './lib/report';
import { readLedger, type LedgerLike } from './lib/sandbox';
import { startScriptedModel, type ScriptedCall, type ScriptedModel } from './lib/scriptedModel';
import { loadWorkflow, type WorkflowJson } from './lib/workflows';

const IN_A_ROW = { id: 'ptE2eQAgentRow1', path: 'e2e-qagent-row', label: 'queue, in a row' };
const AT_ONCE = { id: 'ptE2eQAgentOnce', path: 'e2e-qagent-once', label: 'queue, at once' };
const ROW_CALLS = 6;
const ROW_AMOUNT = 20;
const ONCE_CALLS = 8;
const ONCE_AMOUNT = 30;
/** The example's Run Safety Limit, per UTC day. */
const BUDGET = 100;

const call = (reference: string, amount: number): ScriptedCall => ({
	tool: TOOL,
	args: {
		service: 'test_usd',
		currency: 'USD',
		amount: String(amount),
		reference_id: reference,
		recipient_fields: { account: '12345' },
	},
});

const SCRIPTS: Record<string, ScriptedCall[]> = Object.fromEntries([
	...Array.from({ length: ROW_CALLS }, (_, i) => [
		`qrow-${i + 1}`,
		[call(`e2e-qagent-row-${i + 1}`, ROW_AMOUNT)],
	]),
	...Array.from({ length: ONCE_CALLS }, (_, i) => [
		`qonce-${i + 1}`,
		[call(`e2e-qagent-once-${i + 1}`, ONCE_AMOUNT)],
	]),
]);

export interface QueueAgentContext {
	report: Report;
	sandboxBaseUrl: string;
	/** The webhook processes' base URLs. */
	webhooks: string[];
	rest: RestSession;
	/** Execution id → the worker that ran it. */
	workerOfExecution: () => Map<string, string>;
}

export class QueueAgent {
	private constructor(private readonly model: ScriptedModel) {}

	static async start(): Promise<QueueAgent> {
		return new QueueAgent(await startScriptedModel(SCRIPTS));
	}

	/** The OpenAI credential (pointing at the scripted model) and the two copies of the example, to import. */
	imports(root: string): { credentials: object[]; workflows: WorkflowJson[] } {
		const source = loadWorkflow(path.join(root, 'examples', 'ai-agent-payouts.workflow.json'));
		return {
			credentials: [
				{
					...OPENAI_CREDENTIAL,
					type: 'openAiApi',
					data: { apiKey: 'sk-scripted-e2e', url: this.model.baseUrl },
				},
			],
			workflows: [IN_A_ROW, AT_ONCE].map((spec, i) =>
				prepareAgentExample(source, {
					...spec,
					webhookId: `0d9c1b7e-20aa-4e20-9c00-00000000010${i + 1}`,
				}),
			),
		};
	}

	async close(): Promise<void> {
		await this.model.close();
	}

	async run(ctx: QueueAgentContext): Promise<void> {
		const { report, webhooks } = ctx;
		for (const base of webhooks)
			for (const spec of [IN_A_ROW, AT_ONCE])
				await waitFor(
					`the agent webhook ${spec.path} at ${base}`,
					async () => {
						const res = await fetch(`${base}/webhook/${spec.path}`, {
							signal: AbortSignal.timeout(5_000),
						});
						return res.status !== 404 || /POST/.test(await res.text()) ? true : undefined;
					},
					{ timeoutMs: 60_000, intervalMs: 500 },
				);

		// In a row, alternating the webhook processes.
		const rowAnswers: number[] = [];
		for (let i = 1; i <= ROW_CALLS; i++) {
			const answer = await postAgentMessage(
				webhooks[i % webhooks.length],
				IN_A_ROW.path,
				`qrow-${i}`,
			);
			rowAnswers.push(answer.status);
		}
		let ledger = await readLedger(ctx.sandboxBaseUrl);
		const row = summary(ledger, 'e2e-qagent-row-');
		const rowWorkers = await workersOf(ctx, IN_A_ROW.id, ROW_CALLS);
		report.info(
			`agent in a row: webhook answers ${rowAnswers.join(', ')}; run by ${JSON.stringify(rowWorkers)}`,
		);
		report.check(
			`agent budget in queue mode, ${ROW_CALLS} requests of ${ROW_AMOUNT} USD in a row (100 USD a day): exactly the first five are paid, the sixth is refused with nothing sent`,
			row.paid === BUDGET &&
				JSON.stringify(row.paidReferences) ===
					JSON.stringify([1, 2, 3, 4, 5].map((n) => `e2e-qagent-row-${n}`)) &&
				row.invoices === 5,
			row.text,
		);

		// At once, spread over both webhook processes (and so over both workers' queues).
		const onceAnswers = await Promise.all(
			Array.from(
				{ length: ONCE_CALLS },
				async (_, i) =>
					await postAgentMessage(webhooks[i % webhooks.length], AT_ONCE.path, `qonce-${i + 1}`),
			),
		);
		ledger = await readLedger(ctx.sandboxBaseUrl);
		const once = summary(ledger, 'e2e-qagent-once-');
		const onceWorkers = await workersOf(ctx, AT_ONCE.id, ONCE_CALLS);
		report.info(
			`agent at once: webhook answers ${onceAnswers.map((a) => a.status).join(', ')}; run by ${JSON.stringify(onceWorkers)}; ${once.text}`,
		);
		const workers = [...new Set(Object.keys(onceWorkers))].filter((tag) => tag !== 'unknown');
		report.check(
			`agent budget in queue mode, ${ONCE_CALLS} requests of ${ONCE_AMOUNT} USD at once: both workers ran them`,
			workers.length >= 2,
			JSON.stringify(onceWorkers),
		);
		report.check(
			`agent budget in queue mode, ${ONCE_CALLS} requests of ${ONCE_AMOUNT} USD at once (100 USD a day): never more than 100 USD paid, nothing processed twice`,
			once.paid <= BUDGET &&
				ledger.summary.invoicesProcessedMoreThanOnce === 0 &&
				onceAnswers.every((a) => a.status === 200),
			once.text,
		);
	}
}

/** What the ledger holds under a prefix: paid total, paid references, invoices. */
function summary(ledger: LedgerLike, prefix: string) {
	const invoices = ledger.invoices.filter((invoice) => invoice.referenceId.startsWith(prefix));
	const paid = invoices.filter((invoice) => invoice.processCommitted > 0);
	return {
		invoices: invoices.length,
		paid: paid.reduce((sum, invoice) => sum + invoice.amount, 0),
		paidReferences: paid.map((invoice) => invoice.referenceId).sort(),
		text: `${invoices.length} invoices, ${paid.length} processed (${paid.reduce((sum, i) => sum + i.amount, 0)} USD): ${JSON.stringify(invoices.map((i) => [i.referenceId, i.amount, i.status]))}`,
	};
}

/** How many of the workflow's executions each worker ran, once all `count` are saved and finished. */
async function workersOf(
	ctx: QueueAgentContext,
	workflowId: string,
	count: number,
): Promise<Record<string, number>> {
	const executions = await waitFor(
		`the ${count} executions of ${workflowId} to finish`,
		async () => {
			const all = await ctx.rest.executions(workflowId);
			return all.length >= count &&
				all.every((e) => !['running', 'new', 'waiting'].includes(e.status))
				? all
				: undefined;
		},
		{ timeoutMs: 60_000, intervalMs: 1_000 },
	);
	const workerOf = ctx.workerOfExecution();
	const counts: Record<string, number> = {};
	for (const execution of executions) {
		const tag = workerOf.get(String(execution.id)) ?? 'unknown';
		counts[tag] = (counts[tag] ?? 0) + 1;
	}
	return counts;
}
