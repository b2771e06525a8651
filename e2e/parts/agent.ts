/**
 * Issue 20 in a real n8n 2.41.1: n8n's own AI Agent and OpenAI Chat Model nodes, the model a scripted
 * OpenAI-compatible server on 127.0.0.1 (e2e/lib/scriptedModel.ts; the OpenAI credential's base URL points at
 * it), calling the PaymentsTrust node as a tool. The workflow is examples/ai-agent-payouts.workflow.json as a
 * user imports it, plus two copies of it made here: one whose tool has no Run Safety Limit, one whose tool is
 * Process. Each scenario is one POST to a Webhook trigger, so one execution of the server (one agent run).
 * What was paid is read from the sandbox's ledger, never from what the agent says.
 */
import { AGENT_CALLER, headerOf, useCallerCredentials } from '../lib/callerAuth';
import path from 'node:path';

import type { LedgerLike } from '../lib/sandbox';
import { readLedger } from '../lib/sandbox';
import { importCredentials } from '../lib/n8n';
import { waitFor } from '../lib/processes';
import { startScriptedModel, type ScriptedCall, type ScriptedModel } from '../lib/scriptedModel';
import {
	CREDENTIAL_ID,
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	loadWorkflow,
	PACKAGE_NAME,
	type WorkflowJson,
	type WorkflowNode,
} from '../lib/workflows';
import type { PartContext, ScenarioPart } from './index';

const TOOL_TYPE = `${PACKAGE_NAME}.paymentsTrustTool`;
/** The tool node of the example, and the name n8n gives its tool (non-alphanumerics as `_`). */
const TOOL_NODE = 'Pay out';
export const TOOL = 'Pay_out';
export const OPENAI_CREDENTIAL = { id: 'ptE2eScriptedAi', name: 'OpenAI (scripted, e2e)' };
const PREFIX = 'e2e-agent-';

/** The example and its two copies: workflow id, webhook path, what the copy changes. */
const WORKFLOWS = {
	example: {
		id: 'ptE2eAgentPay01',
		path: 'e2e-agent-pay',
		webhookId: '0d9c1b7e-20aa-4e20-9c00-000000000001',
	},
	noLimit: {
		id: 'ptE2eAgentNoLim',
		path: 'e2e-agent-nolimit',
		webhookId: '0d9c1b7e-20aa-4e20-9c00-000000000002',
	},
	process: {
		id: 'ptE2eAgentProc1',
		path: 'e2e-agent-process',
		webhookId: '0d9c1b7e-20aa-4e20-9c00-000000000003',
	},
	// Copies of the example as shipped: each workflow has a day budget of its own (workflow and node).
	sum: {
		id: 'ptE2eAgentSum01',
		path: 'e2e-agent-sum',
		webhookId: '0d9c1b7e-20aa-4e20-9c00-000000000004',
	},
	same: {
		id: 'ptE2eAgentSame1',
		path: 'e2e-agent-same',
		webhookId: '0d9c1b7e-20aa-4e20-9c00-000000000005',
	},
} as const;
type Which = keyof typeof WORKFLOWS;

const usd = (reference: string, amount: string): ScriptedCall => ({
	tool: TOOL,
	args: {
		service: 'test_usd',
		currency: 'USD',
		amount,
		reference_id: `${PREFIX}${reference}`,
		recipient_fields: { account: '12345' },
	},
});

/** What the scripted model calls, per scenario, one tool call per turn. */
const SCRIPTS: Record<string, ScriptedCall[]> = {
	'no-limit': [usd('nolimit-1', '10')],
	under: [usd('under-1', '60')],
	over: [usd('over-1', '150')],
	currency: [
		{
			tool: TOOL,
			args: {
				service: 'sepa_eur',
				currency: 'EUR',
				amount: '10',
				reference_id: `${PREFIX}eur-1`,
				recipient_fields: { iban: 'DE89370400440532013000', beneficiary_name: 'Ann Lee' },
			},
		},
	],
	'same-reference': [usd('same-1', '30'), usd('same-1', '30')],
	sum: [usd('sum-1', '40'), usd('sum-2', '40'), usd('sum-3', '30'), usd('sum-4', '20')],
	invented: [usd('invented-1', '1e9'), usd('invented-2', '-5'), usd('invented-3', 'ten')],
	// Issue 29: each a new execution (a new webhook call), after "under" paid 60 of the day's 100 USD.
	'day-1': [usd('day-1', '30')],
	'day-2': [usd('day-2', '30')],
	'day-3': [usd('day-3', '30')],
	// Sent by a stranger: the webhook must refuse it before the agent (and so this script) ever runs.
	stranger: [usd('stranger', '10')],
	// The invoice id is filled in when the scenario runs (an invoice of the ledger still in `created`).
	process: [{ tool: TOOL, args: { invoice_id: '' } }],
};

let model: ScriptedModel | undefined;

function node(workflow: WorkflowJson, type: string): WorkflowNode {
	const found = workflow.nodes.find((entry) => entry.type === type);
	if (!found) throw new Error(`the agent example has no node of type ${type}`);
	return found;
}

/**
 * The agent example made ready for an n8n (also the queue-mode cluster's, e2e/queueAgent.ts): its id, name,
 * webhook path and id, our credentials; nothing else of it changes.
 */
export function prepareAgentExample(
	source: WorkflowJson,
	spec: { id: string; path: string; webhookId: string; label: string },
): WorkflowJson {
	const workflow = JSON.parse(JSON.stringify(source)) as WorkflowJson;
	workflow.id = spec.id;
	workflow.active = false;
	workflow.name = `${workflow.name} (${spec.label})`;
	const webhook = node(workflow, 'n8n-nodes-base.webhook');
	webhook.parameters.path = spec.path;
	webhook.webhookId = spec.webhookId;
	node(workflow, '@n8n/n8n-nodes-langchain.lmChatOpenAi').credentials = {
		openAiApi: OPENAI_CREDENTIAL,
	};
	node(workflow, TOOL_TYPE).credentials = {
		[CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME },
	};
	useCallerCredentials(workflow);
	return workflow;
}

/** The example made ready for this n8n; then what a copy changes. */
function prepared(source: WorkflowJson, which: Which): WorkflowJson {
	const workflow = prepareAgentExample(source, { ...WORKFLOWS[which], label: which });
	const tool = node(workflow, TOOL_TYPE);
	if (which === 'noLimit') tool.parameters.options = {};
	if (which === 'process') {
		tool.parameters = {
			resource: 'payoutInvoice',
			operation: 'process',
			invoiceId: {
				__rl: true,
				mode: 'id',
				value: "={{ $fromAI('invoice_id', 'The payout invoice to pay', 'string') }}",
			},
			options: tool.parameters.options,
		};
	}
	return workflow;
}

/** One message to an agent workflow's webhook (one execution): `script` names what the scripted model does. */
export async function postAgentMessage(
	baseUrl: string,
	webhookPath: string,
	script: string,
): Promise<{ status: number; text: string }> {
	const res = await fetch(`${baseUrl}/webhook/${webhookPath}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headerOf(AGENT_CALLER) },
		body: JSON.stringify({ message: `script:${script} Please make the payouts I asked for.` }),
		signal: AbortSignal.timeout(120_000),
	});
	return { status: res.status, text: (await res.text()).slice(0, 600) };
}

const postToAgent = async (ctx: PartContext, which: Which, script: string) =>
	await postAgentMessage(ctx.inst.baseUrl, WORKFLOWS[which].path, script);

const ours = (ledger: LedgerLike, stem: string) =>
	ledger.invoices.filter((invoice) => invoice.referenceId.startsWith(`${PREFIX}${stem}`));
const describeInvoices = (invoices: LedgerLike['invoices']) =>
	JSON.stringify(invoices.map((i) => [i.referenceId, i.currency, i.amount, i.status]));

export const agentPart: ScenarioPart = {
	name: 'agent',
	majors: [2],

	async workflows(ctx) {
		model = await startScriptedModel(SCRIPTS);
		await importCredentials(ctx.inst, [
			{
				...OPENAI_CREDENTIAL,
				type: 'openAiApi',
				data: { apiKey: 'sk-scripted-e2e', url: model.baseUrl },
			},
		]);
		const source = loadWorkflow(path.join(ctx.root, 'examples', 'ai-agent-payouts.workflow.json'));
		const workflows = (Object.keys(WORKFLOWS) as Which[]).map((which) => prepared(source, which));
		return { workflows, activate: workflows.map((workflow) => workflow.id!) };
	},

	async run(ctx) {
		const { report } = ctx;
		try {
			report.check(
				'n8n runs with its default expression engine (N8N_EXPRESSION_ENGINE not set)',
				ctx.inst.env.N8N_EXPRESSION_ENGINE === undefined,
				String(ctx.inst.env.N8N_EXPRESSION_ENGINE ?? 'default'),
			);
			const types = (await ctx.rest!.getJson('/types/nodes.json')) as Array<{ name: string }>;
			if (
				!report.check(
					`agent: n8n offers the node as an AI tool (${TOOL_TYPE} in /types/nodes.json)`,
					types.some((type) => type.name === TOOL_TYPE),
					`${types.length} node types listed`,
				)
			)
				return;
			// Registered once n8n has published the workflows: a GET to a POST webhook then says "Did you mean
			// to make a POST request?" instead of that the webhook is not registered.
			for (const which of Object.keys(WORKFLOWS) as Which[]) {
				await waitFor(
					`the agent webhook ${WORKFLOWS[which].path} to be registered`,
					async () => {
						const res = await fetch(`${ctx.inst.baseUrl}/webhook/${WORKFLOWS[which].path}`, {
							signal: AbortSignal.timeout(5_000),
						});
						const text = await res.text();
						return res.status !== 404 || /POST/.test(text) ? true : undefined;
					},
					{ timeoutMs: 60_000, intervalMs: 500 },
				);
			}
			await scenarios(ctx, model!);
		} finally {
			await model?.close();
			model = undefined;
		}
	},
};

async function scenarios(ctx: PartContext, scripted: ScriptedModel): Promise<void> {
	const { report } = ctx;
	/** Runs one script through one workflow; true when the agent ran it to its end with our tool. */
	const run = async (which: Which, script: string): Promise<string[] | undefined> => {
		const t0 = Date.now();
		const answer = await postToAgent(ctx, which, script);
		const runs = scripted.resultsOf(script);
		const last = scripted.turns.filter((turn) => turn.script === script).at(-1);
		const missing =
			last && 'text' in last.answered && last.answered.text.startsWith('TOOL MISSING')
				? last.answered.text
				: undefined;
		const ok = report.check(
			`agent ${script}: the agent ran the script to its end, calling the PaymentsTrust tool`,
			answer.status === 200 && runs.length > 0 && !missing,
			missing ??
				`webhook answered ${answer.status} after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${answer.text}`,
		);
		return ok ? runs.at(-1) : undefined;
	};

	// The tool as the model meets it: its name and description.
	const results = await run('example', 'under');
	const offered = scripted.turns.find((turn) => turn.script === 'under');
	report.check(
		'agent: the model is told the tool has a budget',
		/Run Safety Limit, which caps the total of all calls in this run per currency/.test(
			offered?.toolDescriptions[TOOL] ?? '',
		),
		(offered?.toolDescriptions[TOOL] ?? '(no description)').slice(0, 200),
	);
	let ledger = await readLedger(ctx.sandbox.baseUrl);
	report.check(
		'agent under the limit (60 of 100 USD): paid once',
		JSON.stringify(ours(ledger, 'under-').map((i) => [i.referenceId, i.currency, i.amount])) ===
			JSON.stringify([[`${PREFIX}under-1`, 'USD', 60]]) &&
			ours(ledger, 'under-')[0].processCommitted === 1,
		describeInvoices(ours(ledger, 'under-')),
	);
	if (results)
		report.check(
			'agent under the limit: the answer tells the model the budget left',
			/"budgetLeft":\{"USD":"40\.00"\}/.test(results[0] ?? ''),
			(results[0] ?? '').slice(0, 300),
		);

	const refused = async (
		which: Which,
		script: string,
		stem: string,
		expectedText: RegExp,
		title: string,
	) => {
		const texts = await run(which, script);
		ledger = await readLedger(ctx.sandbox.baseUrl);
		const calls = ledger.calls.filter((call) => call.referenceId?.startsWith(`${PREFIX}${stem}`));
		report.check(
			`agent ${title}: refused, nothing reached the platform`,
			ours(ledger, stem).length === 0 && calls.length === 0,
			`${describeInvoices(ours(ledger, stem))}, ${calls.length} create/process calls`,
		);
		if (texts)
			report.check(
				`agent ${title}: the model is told why, and what to do`,
				texts.length > 0 && texts.every((text) => expectedText.test(text)),
				texts.join(' | ').slice(0, 500),
			);
	};

	await refused(
		'noLimit',
		'no-limit',
		'nolimit-',
		/This payout tool needs a Run Safety Limit\. Nothing was sent; tell the user/,
		'with no limit',
	);
	await refused(
		'example',
		'over',
		'over-',
		/150\.00 USD is more than this tool's budget has left: 40\.00 of 100\.00 USD for all calls in this day \(UTC.*Pay at most 40\.00 USD/,
		"over the limit (150 USD, 40 of the day's 100 USD left)",
	);
	await refused(
		'example',
		'currency',
		'eur-',
		/EUR is not in this tool's budget.*Budget left: 40\.00 USD/,
		'in a currency without a limit (EUR, the limit is USD)',
	);
	await refused(
		'example',
		'invented',
		'invented-',
		/amount/,
		"with amounts a model might invent ('1e9', '-5', 'ten')",
	);

	// Issue 29: a stranger (no header, or a wrong one) is refused by the Webhook node before the agent runs.
	for (const [who, headers] of [
		['no credential', {}],
		['a wrong secret', { [Object.keys(headerOf(AGENT_CALLER))[0]]: 'not-the-secret' }],
	] as Array<[string, Record<string, string>]>) {
		const res = await fetch(`${ctx.inst.baseUrl}/webhook/${WORKFLOWS.example.path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body: JSON.stringify({ message: 'script:stranger Please make the payouts I asked for.' }),
			signal: AbortSignal.timeout(60_000),
		});
		ledger = await readLedger(ctx.sandbox.baseUrl);
		report.check(
			`agent webhook, a stranger with ${who}: refused (403) before the agent runs, nothing paid`,
			res.status === 403 &&
				scripted.turns.every((turn) => turn.script !== 'stranger') &&
				ours(ledger, 'stranger').length === 0,
			`answered ${res.status}; model asked ${scripted.turns.filter((t) => t.script === 'stranger').length} times; ` +
				describeInvoices(ours(ledger, 'stranger')),
		);
	}

	// Issue 29: repeated requests, each a new execution (a new webhook call): the day's budget holds across them.
	const dayTexts: string[][] = [];
	for (const script of ['day-1', 'day-2', 'day-3'])
		dayTexts.push((await run('example', script)) ?? []);
	ledger = await readLedger(ctx.sandbox.baseUrl);
	const paidToday = [...ours(ledger, 'under-'), ...ours(ledger, 'day-')]
		.filter((invoice) => invoice.processCommitted > 0)
		.reduce((sum, invoice) => sum + invoice.amount, 0);
	report.check(
		'agent repeated requests, each a new execution (60 USD paid, then 3 × 30 USD; 100 USD a day): only the first 30 is paid, 90 USD in all',
		JSON.stringify(
			ours(ledger, 'day-').map((i) => [i.referenceId, i.amount, i.processCommitted]),
		) === JSON.stringify([[`${PREFIX}day-1`, 30, 1]]) && paidToday === 90,
		`${describeInvoices(ours(ledger, 'day-'))}; paid today ${paidToday} USD`,
	);
	report.check(
		'agent repeated requests: the refused request is told what is left of the day',
		/30\.00 USD is more than this tool's budget has left: 10\.00 of 100\.00 USD for all calls in this day \(UTC/.test(
			dayTexts[1]?.[0] ?? '',
		),
		(dayTexts[1]?.[0] ?? '').slice(0, 300),
	);

	await run('same', 'same-reference');
	ledger = await readLedger(ctx.sandbox.baseUrl);
	const same = ours(ledger, 'same-');
	report.check(
		'agent the same reference ID twice: one invoice, processed once',
		same.length === 1 && same[0].amount === 30 && same[0].processCommitted === 1,
		describeInvoices(same),
	);

	const sumTexts = await run('sum', 'sum');
	ledger = await readLedger(ctx.sandbox.baseUrl);
	const sum = ours(ledger, 'sum-');
	report.check(
		'agent several calls (40 + 40 + 30 + 20 USD, budget 100): the call that would pass the budget is refused, the others paid',
		JSON.stringify(sum.map((i) => [i.referenceId, i.amount]).sort()) ===
			JSON.stringify([
				[`${PREFIX}sum-1`, 40],
				[`${PREFIX}sum-2`, 40],
				[`${PREFIX}sum-4`, 20],
			]),
		describeInvoices(sum),
	);
	if (sumTexts)
		report.check(
			'agent several calls: the refusal says what is left',
			/30\.00 USD is more than this tool's budget has left: 20\.00 of 100\.00 USD/.test(
				sumTexts[2] ?? '',
			),
			(sumTexts[2] ?? '').slice(0, 300),
		);

	// The four calls were one execution: n8n ran the tool node four times in the agent's execution, so the budget
	// was shared by the calls of one agent run, not by separate runs.
	try {
		const toolRuns = await waitFor(
			'the execution of the "sum" script to be saved',
			async () => {
				const [latest] = await ctx.rest!.executions(WORKFLOWS.sum.id);
				if (!latest || latest.status === 'running' || latest.status === 'new') return undefined;
				const runData = await ctx.rest!.executionRunData(latest.id, ctx.install);
				return runData?.[TOOL_NODE]
					? { id: latest.id, runs: runData[TOOL_NODE].length }
					: undefined;
			},
			{ timeoutMs: 20_000, intervalMs: 500 },
		);
		report.check(
			'agent several calls: one execution, in which n8n ran the tool node once per call',
			toolRuns.runs === SCRIPTS.sum.length,
			`execution ${toolRuns.id}: "${TOOL_NODE}" ran ${toolRuns.runs} times`,
		);
	} catch (error) {
		report.fail(
			'agent several calls: one execution, in which n8n ran the tool node once per call',
			error,
		);
	}

	// Process as a tool: an invoice still in `created` (put into the sandbox's store) stays there.
	const seeded = await fetch(`${ctx.sandbox.baseUrl}/__sandbox/seed`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ count: 1, service: 'test_usd', status: 'created' }),
		signal: AbortSignal.timeout(10_000),
	});
	ledger = await readLedger(ctx.sandbox.baseUrl);
	const created = ledger.invoices.filter((i) => i.seeded && i.status === 'created').at(-1);
	report.check(
		'agent Process as a tool: an invoice in "created" to ask for',
		seeded.ok && !!created,
	);
	const invoiceId = created?.id ?? 'cpoi_E2EAGENTNOTHERE1';
	SCRIPTS.process[0].args.invoice_id = invoiceId;
	const processTexts = await run('process', 'process');
	ledger = await readLedger(ctx.sandbox.baseUrl);
	const after = ledger.invoices.find((invoice) => invoice.id === invoiceId);
	const processCalls = ledger.calls.filter(
		(call) => call.operation === 'process' && call.invoiceId === invoiceId,
	);
	report.check(
		'agent Process as a tool: refused, the invoice is not processed',
		processCalls.length === 0 && (!created || after?.status === 'created'),
		`${created ? `invoice ${invoiceId} is ${after?.status}` : `no invoice in "created"; asked for ${invoiceId}`}, ${processCalls.length} process calls`,
	);
	if (processTexts)
		report.check(
			'agent Process as a tool: the model is told it is not available',
			/Process is not available to an AI agent: nothing was sent\. Ask the user/.test(
				processTexts[0] ?? '',
			),
			(processTexts[0] ?? '').slice(0, 300),
		);
}
