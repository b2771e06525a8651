/**
 * The bulk CSV example (`examples/bulk-payouts.workflow.json`) run with `n8n execute`, and what its rows must say:
 * the run data read back row by row, one item per CSV row, every row final, exactly the rows marked "BAD:" refused.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describeFailure, executeWorkflow, Instance } from './n8n';
import { Report } from './report';
import { classify, countBy, RowOutcome } from './rowOutcomes';
import { BULK_WORKFLOW_ID, loadWorkflow, payoutNodes } from './workflows';

/** Runs the imported bulk example in `cli`'s user folder; its rows, or undefined when the run data is missing. */
export async function runBulk(
	report: Report,
	cli: Instance,
	root: string,
	label: string,
): Promise<RowOutcome[] | undefined> {
	const outcome = await executeWorkflow(cli, BULK_WORKFLOW_ID, 300_000);
	const { res, run } = outcome;
	report.info(
		`n8n execute --id=${BULK_WORKFLOW_ID} (${label}): exit ${res.code} after ${(res.ms / 1000).toFixed(1)} s`,
	);
	if (
		!report.check(
			`${label}: n8n execute exits 0`,
			res.code === 0,
			describeFailure('n8n execute', res),
		)
	)
		return undefined;
	if (
		!report.check(
			`${label}: n8n execute printed the run data`,
			run !== undefined,
			// Both ends: what n8n printed before the document and what came after it.
			`${res.stdout.length} characters; first: ${res.stdout.slice(0, 800)} … last: ${res.stdout.slice(-1200)}`,
		)
	)
		return undefined;
	const error = run!.data.resultData.error;
	report.check(
		`${label}: the execution has no error`,
		error === undefined,
		error ? `${error.message} ${error.description ?? ''}` : undefined,
	);
	const workflow = loadWorkflow(path.join(root, 'examples', 'bulk-payouts.workflow.json'));
	const names = payoutNodes(workflow).map((n) => n.name);
	const rows: RowOutcome[] = [];
	for (const name of names) {
		const runs = run!.data.resultData.runData[name] ?? [];
		if (
			!report.check(
				`${label}: node "${name}" ran`,
				runs.length > 0,
				`runData has ${Object.keys(run!.data.resultData.runData).join(', ')}`,
			)
		)
			continue;
		const nodeError = runs.find((r) => r.error)?.error;
		report.check(
			`${label}: node "${name}" has no node error`,
			nodeError === undefined,
			nodeError?.message,
		);
		for (const r of runs) {
			for (const output of r.data?.main ?? []) {
				(output ?? []).forEach((item, i) => rows.push(classify(item.json, i + 1)));
			}
		}
	}
	return rows;
}

/** One item per CSV row, each row once, every row paid, failed or rejected, some paid. */
export function checkBulkRows(
	report: Report,
	rows: RowOutcome[],
	csvRows: number,
	label: string,
): void {
	const counts = countBy(rows);
	report.info(
		`${label}: ${rows.length} items: ${counts.paid} paid, ${counts.failed} failed, ${counts.rejected} rejected, ${counts.pending} not final`,
	);
	report.check(
		`${label}: one output item per CSV row (${csvRows})`,
		rows.length === csvRows,
		`${rows.length} items for ${csvRows} rows`,
	);
	const rowNumbers = rows.map((r) => r.row).sort((a, b) => a - b);
	const expectedNumbers = Array.from({ length: csvRows }, (_, i) => i + 1);
	report.check(
		`${label}: every row appears exactly once (row 1..${csvRows})`,
		JSON.stringify(rowNumbers) === JSON.stringify(expectedNumbers),
		`rows: ${rowNumbers.join(',')}`,
	);
	report.check(
		`${label}: paid + failed + rejected = rows`,
		counts.paid + counts.failed + counts.rejected === csvRows && counts.pending === 0,
		`${counts.paid} + ${counts.failed} + ${counts.rejected} (+ ${counts.pending} not final) vs ${csvRows}`,
	);
	report.check(`${label}: some rows were paid`, counts.paid > 0, `${counts.paid}`);
}

/** Rows of the example CSV marked "BAD:" in its note column are the ones the node must refuse. */
function expectedRejectedRows(csvFile: string): number[] | undefined {
	const lines = readFileSync(csvFile, 'utf8')
		.split(/\r?\n/)
		.filter((l) => l.trim() !== '');
	const header = lines[0].split(',');
	const noteIndex = header.indexOf('note');
	if (noteIndex === -1) return undefined;
	const rejected: number[] = [];
	lines.slice(1).forEach((line, i) => {
		if (/(^|,)"?BAD:/.test(line)) rejected.push(i + 1);
	});
	return rejected;
}

/** Exactly the rows of `csvFile` marked "BAD:" were rejected (no check when the CSV has no note column). */
export function checkRejectedAsMarked(
	report: Report,
	rows: RowOutcome[],
	csvFile: string,
	label: string,
): void {
	const expectedRejected = expectedRejectedRows(csvFile);
	if (!expectedRejected) return;
	const rejected = rows
		.filter((r) => r.cls === 'rejected')
		.map((r) => r.row)
		.sort((a, b) => a - b);
	report.check(
		`${label}: exactly the CSV rows marked "BAD:" were rejected`,
		JSON.stringify(rejected) === JSON.stringify(expectedRejected),
		`rejected rows ${rejected.join(',')}; marked ${expectedRejected.join(',')}`,
	);
}
