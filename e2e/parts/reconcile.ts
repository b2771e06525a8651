/**
 * Issue 18, part 2 in a real n8n: `examples/reconcile-sheet.workflow.json` (a CSV sheet → Payout Invoice →
 * Reconcile → a CSV report) run with `n8n execute` against the sandbox, after the part has made the sheet's
 * payouts through the sandbox's own API with discrepancies seeded: an amount paid differently, a failed payout,
 * one still pending, one through another service, one never sent; the sheet also names one reference twice and
 * has a row without a reference ID. Judged by the ledger: every found row is the ledger's invoice in the
 * ledger's status, every missing row has no invoice, the totals are the ledger's, and nothing was written.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describeFailure, executeWorkflow } from '../lib/n8n';
import { readLedger, SANDBOX_CREDENTIALS, type LedgerLike } from '../lib/sandbox';
import { loadWorkflow, prepareExample } from '../lib/workflows';
import type { PartContext, ScenarioPart } from './index';

const WORKFLOW_ID = 'ptE2eReconcile01';
const RECONCILE_NODE = 'Reconcile with PaymentsTrust';
const SHEET = 'reconcile-sheet.csv';
const REPORT = 'reconcile-report.csv';

/** What the platform really has for the sheet's references (the sheet itself is examples/reconcile-sheet.csv). */
const PAYOUTS = [
	{ reference: 'reconcile-2026-11-001', amount: 25, ends: 'processed' },
	{ reference: 'reconcile-2026-11-002', amount: 90, ends: 'processed' },
	{
		reference: 'reconcile-2026-11-003',
		amount: 12.5,
		status: 'process failed',
		ends: 'process_failed',
	},
	{
		reference: 'reconcile-2026-11-004',
		amount: 250.75,
		status: 'process pending',
		ends: 'process_pending',
	},
	{ reference: 'reconcile-2026-11-006', amount: 5, ends: 'processed' },
];

/** Per sheet row: the outcome and the mismatches the ledger makes right. */
const EXPECTED = [
	{ outcome: 'found', mismatches: [] },
	{ outcome: 'found', mismatches: ['amount'] },
	{ outcome: 'found', mismatches: [] },
	{ outcome: 'found', mismatches: [] },
	{ outcome: 'missing', mismatches: [] },
	{ outcome: 'found', mismatches: [] },
	{ outcome: 'invalid' },
	{ outcome: 'found', mismatches: ['service'] },
];

async function privateApi(
	baseUrl: string,
	urlPath: string,
	body: unknown,
): Promise<Record<string, unknown>> {
	const auth = Buffer.from(
		`${SANDBOX_CREDENTIALS.accountId}:${SANDBOX_CREDENTIALS.apiKey}`,
	).toString('base64');
	const res = await fetch(`${baseUrl}/api${urlPath}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Basic ${auth}` },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(10_000),
	});
	const json = (await res.json()) as Record<string, unknown>;
	if (res.status >= 300)
		throw new Error(`POST ${urlPath} answered ${res.status}: ${JSON.stringify(json)}`);
	return json;
}

/** The sheet's payouts, made and processed through the platform's API (not through the node under test). */
async function seedPayouts(baseUrl: string): Promise<void> {
	for (const payout of PAYOUTS) {
		const created = await privateApi(baseUrl, '/payout-invoices', {
			data: {
				type: 'payout-invoice',
				attributes: {
					reference_id: payout.reference,
					service: 'test_usd',
					currency: 'USD',
					amount: payout.amount,
					fields: {
						account: '12345',
						...(payout.status ? { test_details_payout_status: payout.status } : {}),
					},
					test_mode: true,
				},
			},
		});
		const id = String((created.data as { id: string }).id);
		await privateApi(baseUrl, `/payout-invoices/${encodeURIComponent(id)}/process`, {});
	}
}

/** The ledger once every seeded payout is in the status it ends in (a failure may pass through process_error). */
async function settledLedger(baseUrl: string): Promise<LedgerLike> {
	for (let i = 0; i < 150; i++) {
		const ledger = await readLedger(baseUrl);
		const settled = PAYOUTS.every(
			(payout) =>
				ledger.invoices.find((invoice) => invoice.referenceId === payout.reference)?.status ===
				payout.ends,
		);
		if (settled) return ledger;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error('the seeded payouts did not reach their final statuses within 30 s');
}

function csvLines(file: string): string[][] {
	return readFileSync(file, 'utf8')
		.split(/\r?\n/)
		.filter((line) => line.trim() !== '')
		.map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '')));
}

async function run(ctx: PartContext): Promise<void> {
	const { report, sandbox } = ctx;
	await seedPayouts(sandbox.baseUrl);
	const before = await settledLedger(sandbox.baseUrl);

	const { res, run: data } = await executeWorkflow(ctx.inst, WORKFLOW_ID, 180_000);
	if (
		!report.check(
			'reconcile: n8n execute exits 0',
			res.code === 0,
			describeFailure('n8n execute', res),
		)
	)
		return;
	const error = data?.data.resultData.error;
	if (
		!report.check(
			'reconcile: the execution has no error',
			!!data && !error,
			error?.message ?? res.stdout.slice(-1500),
		)
	)
		return;
	const items = (data!.data.resultData.runData[RECONCILE_NODE]?.[0]?.data?.main?.[0] ?? []).map(
		(item) => item.json,
	);
	const sheet = csvLines(path.join(ctx.filesDir, SHEET)).slice(1);
	report.check(
		'reconcile: one item per sheet row, in order',
		items.length === sheet.length && items.every((item, index) => item.row === index + 1),
		`${sheet.length} rows, ${items.length} items: ${JSON.stringify(items.map((item) => item.row))}`,
	);

	const after = await readLedger(sandbox.baseUrl);
	report.check(
		'reconcile: nothing written (no create or process request, no invoice changed)',
		after.calls.length === before.calls.length &&
			JSON.stringify(after.invoices.map((invoice) => [invoice.id, invoice.status])) ===
				JSON.stringify(before.invoices.map((invoice) => [invoice.id, invoice.status])),
		`${before.calls.length} calls before, ${after.calls.length} after; invoices changed: ${JSON.stringify(
			after.invoices
				.filter(
					(invoice) =>
						before.invoices.find((earlier) => earlier.id === invoice.id)?.status !== invoice.status,
				)
				.map((invoice) => [invoice.referenceId, invoice.status]),
		)}`,
	);

	const problems: string[] = [];
	items.forEach((item, index) => {
		const expected = EXPECTED[index];
		const label = `row ${index + 1} (${String(item.referenceId)})`;
		if (item.outcome !== expected?.outcome)
			problems.push(`${label}: ${String(item.outcome)}, expected ${expected?.outcome}`);
		if (
			expected?.mismatches &&
			JSON.stringify(item.mismatches) !== JSON.stringify(expected.mismatches)
		)
			problems.push(`${label}: mismatches ${JSON.stringify(item.mismatches)}`);
		const invoice = after.invoices.find((entry) => entry.referenceId === item.referenceId);
		if (item.outcome === 'missing' && invoice)
			problems.push(`${label}: missing, ledger has ${invoice.id}`);
		if (
			item.outcome === 'found' &&
			(!invoice || invoice.id !== item.id || invoice.status !== item.status)
		)
			problems.push(
				`${label}: ${String(item.id)} ${String(item.status)}, ledger ${invoice?.id} ${invoice?.status}`,
			);
	});
	if (items[0] && (items[0].duplicateReference !== true || items[5]?.duplicateReference !== true))
		problems.push('the reference ID named twice is not flagged on both rows');
	report.check(
		'reconcile: each row as the ledger has it (found, missing, status, mismatches, duplicates)',
		problems.length === 0,
		problems.join('\n'),
	);

	// Paid: processed invoices by amount; pending: not final; not paid: final without payment. Each invoice once.
	const mine = after.invoices.filter((invoice) =>
		PAYOUTS.some((payout) => payout.reference === invoice.referenceId),
	);
	const cents = (statuses: (status: string) => boolean) =>
		(
			mine
				.filter((invoice) => statuses(invoice.status))
				.reduce((sum, invoice) => sum + Math.round(invoice.amount * 100), 0) / 100
		).toFixed(2);
	const expectedTotals = {
		currency: 'USD',
		invoices: mine.length,
		paid: cents((status) => status === 'processed'),
		pending: cents((status) => status === 'process_pending'),
		notPaid: cents((status) => status === 'process_failed'),
	};
	const summary = items[0]?.summary as { byCurrency?: unknown[] } | undefined;
	report.check(
		'reconcile: the summary totals are the ledger’s (paid, pending, not paid per currency)',
		JSON.stringify(summary?.byCurrency) === JSON.stringify([expectedTotals]),
		`summary ${JSON.stringify(summary?.byCurrency)}, ledger ${JSON.stringify(expectedTotals)}`,
	);

	const reportFile = path.join(ctx.filesDir, REPORT);
	const lines = existsSync(reportFile) ? csvLines(reportFile) : [];
	const outcomeColumn = lines[0]?.indexOf('outcome') ?? -1;
	report.check(
		'reconcile: the report file has one line per sheet row with its outcome',
		lines.length === sheet.length + 1 &&
			lines.slice(1).every((line, index) => line[outcomeColumn] === EXPECTED[index].outcome),
		existsSync(reportFile)
			? readFileSync(reportFile, 'utf8').slice(0, 1500)
			: `${reportFile} was not written`,
	);
}

export const reconcilePart: ScenarioPart = {
	name: 'reconcile',
	majors: [2, 1],
	async workflows(ctx) {
		const examples = path.join(ctx.root, 'examples');
		copyFileSync(path.join(examples, SHEET), path.join(ctx.filesDir, SHEET));
		const { workflow } = prepareExample(
			loadWorkflow(path.join(examples, 'reconcile-sheet.workflow.json')),
			{
				id: WORKFLOW_ID,
				filesDir: ctx.filesDir,
			},
		);
		return { workflows: [workflow], activate: [] };
	},
	run,
};
