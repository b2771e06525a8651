/**
 * Issue 21 in a real n8n: the bulk example's payout node (Rows From "Columns of Each Input Item") paying rows a
 * webhook receives, with one Additional Field holding an expression that depends on the row. It proves, against
 * the sandbox's own record of each invoice, what only a real n8n can: the node reads n8n's stored parameters as
 * n8n hands them over (an expression in a collection is seen and evaluated for each row by n8n's own expression
 * engine, `vm` in 2.x), and the columns reach the platform as the example says (description from `note`, only the
 * service's declared fields).
 */
import { CHUNK_CALLER, headerOf } from '../lib/callerAuth';
import { prepareChunkWorkflow } from '../lib/sheetWorkflows';
import { loadWorkflow, NODE_TYPE, payoutNodes } from '../lib/workflows';
import { readLedger, SANDBOX_CREDENTIALS } from '../lib/sandbox';
import { sleep } from '../lib/processes';
import type { ScenarioPart } from './index';
import path from 'node:path';

/** The payout node of the bulk example, as users import it. */
const bulkExamplePayout = (root: string) =>
	payoutNodes(loadWorkflow(path.join(root, 'examples', 'bulk-payouts.workflow.json')))[0];

const WORKFLOW_ID = 'ptE2eColumnsMode1';
const PATH = 'pt-e2e-columns-mode';
const PREFIX = 'e2e-columns-';

const ROWS = [1, 2, 3].map((n) => ({
	reference_id: `${PREFIX}${n}`,
	service: 'test_usd',
	currency: 'USD',
	amount: `${n}0.25`,
	account: String(700000 + n),
	note: `columns row ${n}`,
	colour: 'not a field of test_usd',
}));

async function platformInvoice(baseUrl: string, id: string): Promise<Record<string, unknown>> {
	const auth = Buffer.from(
		`${SANDBOX_CREDENTIALS.accountId}:${SANDBOX_CREDENTIALS.apiKey}`,
	).toString('base64');
	const answer = await fetch(`${baseUrl}/api/payout-invoices/${id}`, {
		headers: { authorization: `Basic ${auth}` },
	});
	return ((await answer.json()) as { data: { attributes: Record<string, unknown> } }).data
		.attributes;
}

export const columnsModePart: ScenarioPart = {
	name: 'columns',
	majors: [1, 2],
	async workflows(ctx) {
		// The chunk example (the bulk example's payout node behind a webhook), with an expression added.
		const workflow = prepareChunkWorkflow(ctx.root, {
			id: WORKFLOW_ID,
			webhookId: 'c01c0000-0000-4000-8000-00000000c021',
			path: PATH,
		});
		workflow.name = 'E2E: pay rows from their columns';
		const payout = workflow.nodes.find((node) => node.type === NODE_TYPE)!;
		const parameters = payout.parameters as Record<string, unknown>;
		parameters.options = { concurrency: 3, waitForFinalStatus: false };
		// Its rows come from this part, not from a Data Table: no `id` column to name them by.
		delete (parameters.columnNames as Record<string, unknown>).rowNumberColumn;
		// Per row: evaluated by n8n for each item, never once for all (readColumnRequests.ts).
		parameters.additionalFields = {
			...(parameters.additionalFields as Record<string, unknown>),
			metadata: '={{ JSON.stringify({ row: $json.reference_id }) }}',
		};
		return { workflows: [workflow], activate: [WORKFLOW_ID] };
	},
	async run(ctx) {
		const { report, inst, sandbox } = ctx;
		if (
			!report.check(
				'columns: the bulk example reads rows from columns',
				bulkExamplePayout(ctx.root)?.parameters.rowsFrom === 'columns',
			)
		)
			return;
		let status = 0;
		let answer = '';
		// A freshly activated webhook may answer 404 for a moment.
		for (let attempt = 0; attempt < 30 && status !== 200; attempt++) {
			if (attempt) await sleep(1_000);
			const res = await fetch(`${inst.baseUrl}/webhook/${PATH}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headerOf(CHUNK_CALLER) },
				body: JSON.stringify({ chunk: 1, rows: ROWS }),
				signal: AbortSignal.timeout(120_000),
			}).catch(() => undefined);
			status = res?.status ?? 0;
			answer = res ? await res.text() : '';
		}
		if (!report.check('columns: the workflow answers 200', status === 200, answer.slice(0, 300)))
			return;
		const ledger = await readLedger(sandbox.baseUrl);
		const invoices = ledger.invoices.filter((invoice) => invoice.referenceId.startsWith(PREFIX));
		report.check(
			'columns: one invoice per row, amount and currency from the columns, processed once, test_mode explicit',
			invoices.length === ROWS.length &&
				ROWS.every((row) => {
					const invoice = invoices.find((entry) => entry.referenceId === row.reference_id);
					return (
						invoice !== undefined &&
						invoice.amount === Number(row.amount) &&
						invoice.currency === 'USD' &&
						invoice.testModeExplicit &&
						invoice.testMode === true &&
						invoice.processCommitted === 1
					);
				}),
			JSON.stringify(invoices.map((i) => [i.referenceId, i.amount, i.status, i.processCommitted])),
		);
		const problems: string[] = [];
		for (const invoice of invoices) {
			const row = ROWS.find((entry) => entry.reference_id === invoice.referenceId)!;
			const held = await platformInvoice(sandbox.baseUrl, invoice.id);
			const metadata = held.metadata as Record<string, unknown> | undefined;
			if (held.description !== row.note)
				problems.push(`${row.reference_id}: description ${JSON.stringify(held.description)}`);
			if (JSON.stringify(held.fields) !== JSON.stringify({ account: row.account }))
				problems.push(`${row.reference_id}: fields ${JSON.stringify(held.fields)}`);
			if (metadata?.row !== row.reference_id || metadata?.source !== undefined)
				problems.push(`${row.reference_id}: metadata ${JSON.stringify(metadata)}`);
		}
		report.check(
			'columns: description from the note column, only the service’s fields, the metadata expression evaluated for each row',
			invoices.length === ROWS.length && problems.length === 0,
			problems.join('; '),
		);
	},
};
