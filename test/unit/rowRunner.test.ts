/**
 * The row loop Create and Process, Process and Reconcile share (issue 22): a failure stops new rows unless Continue
 * On Fail is on, rows in flight finish, every input row gets exactly one item in input order, and the node fails
 * with the first failed row in input order, not the first to fail in time.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { rowName } from '../../nodes/PaymentsTrust/helpers/items';
import {
	endOf,
	rowOutput,
	runRows,
	throwFirstFailure,
	type RowEnd,
} from '../../nodes/PaymentsTrust/helpers/rowRunner';
import { paymentsTrustNode } from '../support/payoutWorkflow';

function context(continueOnFail: boolean): IExecuteFunctions {
	return {
		continueOnFail: () => continueOnFail,
		getNode: () => paymentsTrustNode(),
	} as unknown as IExecuteFunctions;
}

/** Ten rows; rows 2 and 4 (0-based) fail, row 4 sooner than row 2. */
async function runTen(continueOnFail: boolean) {
	const ctx = context(continueOnFail);
	const started: number[] = [];
	const ends = await runRows(
		ctx,
		Array.from({ length: 10 }, (_, index) => index),
		3,
		async (row) =>
			await endOf(async () => {
				started.push(row);
				await sleep(row === 2 ? 30 : 5);
				if (row === 2 || row === 4) throw new Error(`${rowName(row)}: refused`);
				return { json: { row: row + 1 }, pairedItem: { item: row } };
			}),
		(end: RowEnd) => end.error !== undefined,
	);
	return { ctx, ends, started };
}

describe('runRows', () => {
	it('without Continue On Fail: no new row starts after a failure, and the first failed row in input order fails the node', async () => {
		const { ctx, ends, started } = await runTen(false);
		expect(started.length).toBeLessThan(10);
		expect(ends).toHaveLength(10);
		const notStarted = ends.flatMap((end, index) => (end === undefined ? [index] : []));
		expect(notStarted.length).toBe(10 - started.length);
		expect(() =>
			throwFirstFailure(
				ctx,
				ends.map((end, itemIndex) => ({ end, itemIndex })),
			),
		).toThrow('Row 3 (item 2): refused');
		// Had the caller kept going, every row still gets one item: the ones never started say so.
		const items = ends.map((end, itemIndex) => rowOutput(end, itemIndex, { referenceId: null }));
		expect(items).toHaveLength(10);
		for (const index of notStarted)
			expect(items[index].json).toMatchObject({
				error: `Row ${index + 1} (item ${index}): not run (nothing was sent for this row)`,
				stage: 'not_run',
				row: index + 1,
			});
	});

	it('with Continue On Fail: every row runs and each failure is an error item in its place', async () => {
		const { ctx, ends, started } = await runTen(true);
		expect(started.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(() =>
			throwFirstFailure(
				ctx,
				ends.map((end, itemIndex) => ({ end, itemIndex })),
			),
		).not.toThrow();
		const items = ends.map((end, itemIndex) => rowOutput(end, itemIndex));
		expect(items.map((item) => item.json.error ?? 'ok')).toEqual([
			'ok',
			'ok',
			'Row 3 (item 2): refused',
			'ok',
			'Row 5 (item 4): refused',
			'ok',
			'ok',
			'ok',
			'ok',
			'ok',
		]);
		expect(items.map((item) => item.pairedItem)).toEqual(
			Array.from({ length: 10 }, (_, item) => ({ item })),
		);
	});
});

describe('rowName', () => {
	it('names the 1-based row beside n8n’s 0-based item, with the reference ID when there is one', () => {
		expect(rowName(0)).toBe('Row 1 (item 0)');
		expect(rowName(6, { referenceId: 'pay-7' })).toBe('Row 7 (item 6, reference ID "pay-7")');
		expect(rowName(2, { inSentence: true })).toBe('row 3 (item 2)');
	});
});
