/**
 * `npm run demo`: a bulk payout run on the bundled sandbox, inside n8n's real engine (n8n-core's
 * WorkflowExecute) with our real node. It runs examples/bulk-payouts.workflow.json over
 * examples/payouts.csv, prints one line per row and a summary, and checks that the numbers add up: every
 * row paid, failed or rejected before any money moved, and the sandbox ledger holding exactly one invoice
 * per reference ID. Exit code 0 only if all of that holds.
 */
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

// n8n-core writes its settings under N8N_USER_FOLDER when it loads: point it at a temp folder first.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-pt-demo-'));

const ROOT = resolve(__dirname, '..');
const CSV = join(ROOT, 'examples', 'payouts.csv');
const WORKFLOW = join(ROOT, 'examples', 'bulk-payouts.workflow.json');
const PAY_NODE = 'Pay each row';

type Json = Record<string, unknown>;
type Outcome = 'paid' | 'failed' | 'rejected' | 'pending';

function outcomeOf(json: Json): Outcome {
	if (json.error !== undefined)
		return json.stage === 'validation' || json.stage === 'safety_limit' ? 'rejected' : 'failed';
	if (json.status === 'processed' || json.status === 'partially_processed') return 'paid';
	return json.isFinal ? 'failed' : 'pending';
}

function pad(text: unknown, width: number): string {
	const value = String(text ?? '');
	return value.length > width ? `${value.slice(0, width - 1)}…` : value.padEnd(width);
}

async function main(): Promise<number> {
	// Loaded here, after N8N_USER_FOLDER is set (require, not import(): `.node` would be read as an addon).
	/* eslint-disable @typescript-eslint/no-require-imports */
	const { startSandbox } = require('../sandbox') as typeof import('../sandbox');
	const { runWorkflow } =
		require('../harness/runWorkflow') as typeof import('../harness/runWorkflow');
	const { ReadWriteFile } =
		require('../harness/nodes/ReadWriteFile.node') as typeof import('../harness/nodes/ReadWriteFile.node');
	const { ExtractFromFile } =
		require('../harness/nodes/ExtractFromFile.node') as typeof import('../harness/nodes/ExtractFromFile.node');
	/* eslint-enable @typescript-eslint/no-require-imports */

	const csvRows = readFileSync(CSV, 'utf8').trim().split(/\r?\n/).length - 1;
	const workflow = JSON.parse(readFileSync(WORKFLOW, 'utf8'));
	const reader = workflow.nodes.find((node: Json) => node.type === 'n8n-nodes-base.readWriteFile');
	reader.parameters.fileSelector = CSV;

	const sandbox = await startSandbox({
		port: Number(process.env.SANDBOX_PORT ?? 0),
		processDelayMs: Number(process.env.SANDBOX_PROCESS_DELAY_MS ?? 300),
	});
	try {
		console.log(
			`PaymentsTrust sandbox on ${sandbox.baseUrl}; credential Environment: Test (every invoice test_mode true, nothing real is paid)`,
		);
		console.log(
			`Running "${workflow.name}" over ${csvRows} rows of examples/payouts.csv in n8n's engine…\n`,
		);
		const started = Date.now();
		const result = await runWorkflow({
			workflow,
			credentials: { paymentsTrustApi: sandbox.credentials },
			nodeTypes: {
				'n8n-nodes-base.readWriteFile': ReadWriteFile,
				'n8n-nodes-base.extractFromFile': ExtractFromFile,
			},
		});
		const seconds = ((Date.now() - started) / 1000).toFixed(1);
		if (result.executionError) {
			console.error(`The workflow failed: ${result.executionError.message}`);
			return 1;
		}
		const items = result.outputOf(PAY_NODE).map((item) => item.json as Json);

		console.log(
			`${pad('row', 4)} ${pad('reference', 18)} ${pad('amount', 14)} ${pad('outcome', 9)} detail`,
		);
		const counts: Record<Outcome, number> = { paid: 0, failed: 0, rejected: 0, pending: 0 };
		for (const json of items) {
			const outcome = outcomeOf(json);
			counts[outcome]++;
			const amount = json.error === undefined ? `${json.amount} ${json.currency}` : '';
			const detail =
				json.error !== undefined
					? String(json.error).replace(/^Row \d+ \(item \d+(, reference ID "[^"]*")?\): /, '')
					: `${json.status}/${json.resolution} ${json.id}${json.alreadyExisted ? ' (already existed)' : ''}`;
			console.log(
				`${pad(json.row, 4)} ${pad(json.referenceId ?? '', 18)} ${pad(amount, 14)} ${pad(outcome, 9)} ${detail}`,
			);
		}

		const ledger = sandbox.ledger();
		const perReference = new Map<string, number>();
		for (const invoice of ledger.invoices)
			perReference.set(invoice.referenceId, (perReference.get(invoice.referenceId) ?? 0) + 1);
		const duplicates = [...perReference].filter(([, count]) => count > 1);
		const withInvoice = items.filter((json) => typeof json.id === 'string').length;
		const accounted = counts.paid + counts.failed + counts.rejected + counts.pending;

		console.log(
			`\nSummary after ${seconds}s: ${counts.paid} paid, ${counts.failed} failed, ${counts.rejected} rejected before any money moved${counts.pending ? `, ${counts.pending} still pending` : ''} — ${accounted} of ${csvRows} rows.`,
		);
		console.log(
			`Sandbox ledger: ${ledger.invoices.length} invoices, ${duplicates.length} reference IDs paid more than once.`,
		);

		const problems: string[] = [];
		if (items.length !== csvRows) problems.push(`${items.length} output items for ${csvRows} rows`);
		if (accounted !== csvRows)
			problems.push(`${accounted} rows accounted for, ${csvRows} in the CSV`);
		if (duplicates.length)
			problems.push(
				`duplicate invoices for ${duplicates.map(([reference]) => reference).join(', ')}`,
			);
		if (ledger.invoices.length !== withInvoice) {
			problems.push(
				`the sandbox holds ${ledger.invoices.length} invoices, the run reports ${withInvoice}`,
			);
		}
		if (ledger.summary.invoicesProcessedMoreThanOnce > 0)
			problems.push('an invoice was processed more than once');
		// Test or live, always explicit: the ledger records each invoice's mode from its create request.
		const notTest = ledger.invoices.filter(
			(invoice) => !invoice.testModeExplicit || !invoice.testMode,
		);
		if (notTest.length) problems.push(`${notTest.length} invoices not created with test_mode true`);
		if (problems.length) {
			console.error(`\nThe numbers do not add up: ${problems.join('; ')}`);
			return 1;
		}
		console.log(
			'All rows accounted for; no reference ID paid twice; every invoice created with test_mode true.',
		);
		return 0;
	} finally {
		await sandbox.close();
	}
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
