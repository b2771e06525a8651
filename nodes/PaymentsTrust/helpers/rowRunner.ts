import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { mapWithConcurrency } from './concurrency';
import { asNodeError, errorItem, rowName } from './items';

/** How one row of a run ended: its output item, or the error it ended with. */
export interface RowEnd {
	item?: INodeExecutionData;
	error?: unknown;
}

/**
 * The row loop every operation that works on many rows at once shares (Create and Process,
 * Process, Reconcile): rows run in parallel up to `concurrency`, and once a row ends in a way that
 * stops the run (`stopsRun`: for most operations an error) and "Continue On Fail" is off, no new
 * row starts; those in flight finish, because a payout is never abandoned half-way. Results stay
 * in input order; a row that never started is `undefined` (see notRunItem).
 */
export async function runRows<Row, End>(
	ctx: IExecuteFunctions,
	rows: readonly Row[],
	concurrency: number,
	run: (row: Row, position: number) => Promise<End>,
	stopsRun: (end: End) => boolean,
): Promise<Array<End | undefined>> {
	const continueOnFail = ctx.continueOnFail();
	let stopped = false;
	return await mapWithConcurrency(
		rows,
		concurrency,
		async (row, position) => {
			const end = await run(row, position);
			if (!continueOnFail && stopsRun(end)) stopped = true;
			return end;
		},
		() => stopped,
	);
}

/** Runs `run` and keeps what it threw as the row's end instead of letting it end the loop. */
export async function endOf(run: () => Promise<INodeExecutionData>): Promise<RowEnd> {
	try {
		return { item: await run() };
	} catch (error) {
		return { error };
	}
}

/**
 * The item of a row that never started because the run stopped at another row's failure. One item
 * per input row, always: a row that did not run says so rather than vanishing.
 */
export function notRunItem(itemIndex: number, details: IDataObject = {}): INodeExecutionData {
	return errorItem(
		{
			message:
				`${rowName(itemIndex, { row: typeof details.row === 'number' ? details.row : undefined })}` +
				': not run (nothing was sent for this row)',
		},
		itemIndex,
		{ ...details, stage: 'not_run' },
	);
}

/**
 * Without "Continue On Fail", the first row (in input order) that ended in an error fails the node,
 * as everywhere in n8n; with it, nothing is thrown and each such row becomes an error item.
 */
export function throwFirstFailure(
	ctx: IExecuteFunctions,
	ends: ReadonlyArray<{ end: RowEnd | undefined; itemIndex: number }>,
): void {
	if (ctx.continueOnFail()) return;
	const first = ends.find(({ end }) => end?.item === undefined && end?.error !== undefined);
	if (first) throw asNodeError(ctx.getNode(), first.end!.error, first.itemIndex);
}

/**
 * The output item of one row once the run is over (after throwFirstFailure): its item, its error
 * item, or a "not run" item. `details` go on the error and "not run" items.
 */
export function rowOutput(
	end: RowEnd | undefined,
	itemIndex: number,
	details: IDataObject = {},
): INodeExecutionData {
	if (!end) return notRunItem(itemIndex, details);
	return end.item ?? errorItem(end.error, itemIndex, details);
}
