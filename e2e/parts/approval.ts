/**
 * Issue 18, part 1, in a real n8n: `examples/bulk-payouts-with-approval.workflow.json` as a user imports it,
 * driven through n8n's own HTTP endpoints (the production webhook that starts it, with the run starter's header;
 * the form-waiting URL the approver receives at their own address and opens with their password), and judged by
 * the sandbox's ledger (what strangers can do to it: e2e/parts/strangers.ts):
 *   - Approve: every valid row is paid once, the refused rows are not sent; the form submitted again (twice at
 *     once, then once more) pays nothing more;
 *   - Reject: nothing is sent;
 *   - a row changed in the CSV after approval (the pay step re-reads the sheet): nothing is sent, and the pay
 *     step's error names the row.
 * Each run has a sheet of its own (references `e2e-approval-<run>-NN`), so the runs never see each other's rows.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import {
	ApproverInbox,
	nodeItems,
	sendApproverTo,
	startRun,
	startUrl,
	submitForm,
	waitUntilDone,
} from '../lib/approvalFlow';
import { basicAuthOf } from '../lib/callerAuth';
import type { LedgerLike } from '../lib/sandbox';
import { runSteps } from '../lib/report';
import { readLedger } from '../lib/sandbox';
import { loadWorkflow, preparePartWorkflow, type WorkflowJson } from '../lib/workflows';
import type { PartContext, ScenarioPart } from './index';

const WORKFLOW_ID = 'ptE2eApproval001';
/** The approver's address and the workflow as imported: set up by `workflows`, used by `run`. */
let state: { inbox: ApproverInbox; workflow: WorkflowJson } | undefined;
const CSV_NAME = 'approval-payouts.csv';
const PREFIX = 'e2e-approval-';
const HEADER = 'reference_id,service,currency,amount,account,card_number,note';

interface SheetRow {
	reference: string;
	amount: string;
	valid: boolean;
	line: string;
}

/** Ten rows: eight the sandbox pays, two that validation refuses (a bad amount, an unknown service). */
function sheet(run: string): SheetRow[] {
	const rows: SheetRow[] = [];
	for (let n = 1; n <= 10; n++) {
		const reference = `${PREFIX}${run}-${String(n).padStart(2, '0')}`;
		let service = 'test_usd';
		let amount = `${n}.${String(n * 7).padStart(2, '0')}`;
		let valid = true;
		if (n === 4) {
			amount = '1,000';
			valid = false;
		}
		if (n === 7) {
			service = 'no_such_service';
			valid = false;
		}
		rows.push({
			reference,
			amount,
			valid,
			line: `${reference},${service},USD,"${amount}",${100000 + n},,row ${n}`,
		});
	}
	return rows;
}

function writeSheet(ctx: PartContext, rows: SheetRow[]): void {
	writeFileSync(
		path.join(ctx.filesDir, CSV_NAME),
		`${[HEADER, ...rows.map((row) => row.line)].join('\n')}\n`,
	);
}

async function start(ctx: PartContext) {
	if (!state) throw new Error('the part was not prepared (workflows)');
	return await startRun(ctx, startUrl(ctx, state.workflow), state.inbox);
}

function invoicesOf(ledger: LedgerLike, run: string) {
	return ledger.invoices.filter((invoice) => invoice.referenceId.startsWith(`${PREFIX}${run}-`));
}

function createsOf(ledger: LedgerLike, run: string) {
	return ledger.calls.filter(
		(call) =>
			call.operation === 'create' && String(call.referenceId ?? '').startsWith(`${PREFIX}${run}-`),
	);
}

async function approveRun(ctx: PartContext): Promise<void> {
	const { report } = ctx;
	const rows = sheet('a');
	writeSheet(ctx, rows);
	const request = await start(ctx);
	const { message } = request;
	report.check(
		'approval: the approver receives the cost preview, the approval code and the form URL',
		/^PTA1(-[0-9A-Z]{4}){4}$/.test(message.approvalCode) &&
			message.preview.includes('to pay: 8; refused: 2') &&
			message.preview.includes(`${PREFIX}a-04`) &&
			message.preview.includes(`${PREFIX}a-07`) &&
			message.text.includes(message.approvalFormUrl) &&
			request.formUrl.includes('/form-waiting/'),
		`code ${message.approvalCode}; form ${request.formUrl.replace(/\?.*/, '?…')}; preview: ${message.preview.slice(0, 400)}`,
	);
	report.check(
		'approval: the caller is told only that approval was requested (no preview, code or form URL)',
		request.answer.status === 'approval requested' &&
			!JSON.stringify(request.answer).includes('form-waiting') &&
			!JSON.stringify(request.answer).includes(message.approvalCode) &&
			!JSON.stringify(request.answer).includes(`${PREFIX}a-04`),
		JSON.stringify(request.answer).slice(0, 300),
	);
	const page = await fetch(request.formUrl, {
		headers: basicAuthOf(),
		signal: AbortSignal.timeout(30_000),
	});
	const html = await page.text();
	report.check(
		'approval: the form the approver opens (with their password) shows the preview (totals, refused rows, code) and asks Approve or Reject',
		page.status === 200 &&
			html.includes(message.approvalCode) &&
			html.includes('Approve') &&
			html.includes('Reject') &&
			html.includes(`${PREFIX}a-04`),
		`GET answered ${page.status}, ${html.length} characters`,
	);
	const ledgerBefore = await readLedger(ctx.sandbox.baseUrl);
	report.check(
		'approval: nothing is sent while the approval is pending',
		createsOf(ledgerBefore, 'a').length === 0,
		`${createsOf(ledgerBefore, 'a').length} create requests`,
	);

	// The approver double-clicks: two submissions at once.
	const statuses = await Promise.all([
		submitForm(request.formUrl, 'Approve'),
		submitForm(request.formUrl, 'Approve'),
	]);
	const state = await waitUntilDone(ctx, request.executionId);
	// And once more after the run has ended.
	const lateStatus = await submitForm(request.formUrl, 'Approve');
	const ledger = await readLedger(ctx.sandbox.baseUrl);
	const invoices = invoicesOf(ledger, 'a');
	const validReferences = rows.filter((row) => row.valid).map((row) => row.reference);
	const paidReferences = invoices.map((invoice) => invoice.referenceId).sort();
	report.check(
		'approval: Approve pays every valid row exactly once and sends none of the refused rows',
		state.status === 'success' &&
			JSON.stringify(paidReferences) === JSON.stringify(validReferences) &&
			invoices.every((invoice) => invoice.createsCommitted === 1 && invoice.testMode === true),
		`execution ${state.status}; ledger: ${paidReferences.join(', ')}`,
	);
	report.check(
		'approval: the form submitted twice at once and again afterwards pays nothing twice',
		createsOf(ledger, 'a').filter((call) => call.committed).length === validReferences.length &&
			invoices.every((invoice) => invoice.processCommitted <= 1),
		`form answers ${statuses.join(', ')}, then ${lateStatus}; committed creates ${createsOf(ledger, 'a').filter((call) => call.committed).length}`,
	);
	const outcomes = await nodeItems(ctx, request.executionId, 'Outcome per row');
	const paid = outcomes.filter((row) => row.outcome === 'paid').map((row) => row.referenceId);
	const notPaid = outcomes
		.filter((row) => row.outcome === 'not paid')
		.map((row) => row.referenceId);
	report.check(
		'approval: every outcome row records who approved and when',
		outcomes.length > 0 &&
			outcomes.every(
				(row) =>
					row.approvedBy === 'Ada Approver' &&
					!Number.isNaN(Date.parse(String(row.approvedAt ?? ''))),
			),
		JSON.stringify(outcomes[0] ?? {}).slice(0, 300),
	);
	const processed = invoices
		.filter((invoice) => invoice.status === 'processed')
		.map((invoice) => invoice.referenceId);
	report.check(
		'approval: the per-row outcome report says what the ledger says (paid rows, and the refused rows not paid)',
		outcomes.length === rows.length &&
			JSON.stringify([...paid].sort()) === JSON.stringify([...processed].sort()) &&
			JSON.stringify([...notPaid].sort()) ===
				JSON.stringify(rows.filter((row) => !row.valid).map((row) => row.reference)),
		`${outcomes.length} rows; paid ${paid.length}, ledger processed ${processed.length}; not paid ${notPaid.join(', ')}`,
	);
}

async function rejectRun(ctx: PartContext): Promise<void> {
	writeSheet(ctx, sheet('r'));
	const request = await start(ctx);
	const status = await submitForm(request.formUrl, 'Reject');
	const state = await waitUntilDone(ctx, request.executionId);
	const ledger = await readLedger(ctx.sandbox.baseUrl);
	const payRuns = await nodeItems(ctx, request.executionId, 'Pay approved rows');
	ctx.report.check(
		'approval: Reject sends nothing',
		state.status === 'success' &&
			createsOf(ledger, 'r').length === 0 &&
			invoicesOf(ledger, 'r').length === 0 &&
			payRuns.length === 0,
		`form answered ${status}; execution ${state.status}; ${createsOf(ledger, 'r').length} create requests`,
	);
}

async function changedAfterApprovalRun(ctx: PartContext): Promise<void> {
	const rows = sheet('c');
	writeSheet(ctx, rows);
	const request = await start(ctx);
	// While the approval is pending, someone edits row 3's amount in the sheet.
	const changed = rows.map((row, index) =>
		index === 2 ? { ...row, line: row.line.replace(`"${row.amount}"`, '"900.00"') } : row,
	);
	writeSheet(ctx, changed);
	await submitForm(request.formUrl, 'Approve');
	const state = await waitUntilDone(ctx, request.executionId);
	const ledger = await readLedger(ctx.sandbox.baseUrl);
	const payItems = await nodeItems(ctx, request.executionId, 'Pay approved rows');
	const errors = [...new Set(payItems.map((item) => String(item.error ?? '')))];
	const names = `row 3 (item 2, reference ID "${PREFIX}c-03")`;
	ctx.report.check(
		'approval: a row changed after approval: nothing is sent, and the error names the row',
		createsOf(ledger, 'c').length === 0 &&
			invoicesOf(ledger, 'c').length === 0 &&
			payItems.length === rows.length &&
			errors.length === 1 &&
			errors[0].includes(names) &&
			errors[0].includes('Nothing was sent'),
		`execution ${state.status}; ${createsOf(ledger, 'c').length} create requests; error: ${errors.join(' | ').slice(0, 300)}`,
	);
}

export const approvalPart: ScenarioPart = {
	name: 'approval',
	majors: [2, 1],
	async workflows(ctx) {
		const source = loadWorkflow(
			path.join(ctx.root, 'examples', 'bulk-payouts-with-approval.workflow.json'),
		);
		const { workflow } = preparePartWorkflow(source, {
			id: WORKFLOW_ID,
			filesDir: ctx.filesDir,
			csvName: CSV_NAME,
		});
		const inbox = await ApproverInbox.start();
		sendApproverTo(workflow, inbox.url);
		state = { inbox, workflow };
		return { workflows: [workflow], activate: [WORKFLOW_ID] };
	},
	async run(ctx) {
		try {
			await runSteps(ctx.report, 'approval', [
				['Approve', async () => await approveRun(ctx)],
				['Reject', async () => await rejectRun(ctx)],
				['changed after approval', async () => await changedAfterApprovalRun(ctx)],
			]);
		} finally {
			await state?.inbox.close();
			state = undefined;
		}
	},
};
