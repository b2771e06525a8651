import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { mapWithConcurrency } from '../helpers/concurrency';
import { ensureSamePayout } from './createInvoice';
import {
	findByReferenceSettled,
	isOutcomeUnknown,
	outcomeUnknownError,
	readInvoiceSettled,
	statusOf,
} from '../platform/invoiceLookup';
import { completePayout, payOne } from './payOne';
import type { PayoutRunOptions, RowProgress } from './payoutRun';
import type { ValidPayout } from './types';

/**
 * How long the end-of-run settling may keep asking when Wait for Final Status is off (with it on:
 * Max Wait).
 */
export const SETTLE_BUDGET_MS = 30_000;
/**
 * First pause before asking again; each next round doubles it, up to the policy's longest back-off.
 */
const FIRST_PAUSE_MS = 1_000;

export interface UnknownRow {
	payout: ValidPayout;
	progress: RowProgress;
	/**
	 * The outcome-unknown error the row ended with: reported as it is if the platform still cannot be
	 * read.
	 */
	error?: unknown;
}

/**
 * One more attempt at a row whose outcome was unknown, by the money path's rules. The platform is
 * asked first, by reference ID, with settled reads (a look-up may lag behind a write):
 * - it has the invoice: the same payout (amount, currency, service) in the credential's mode is
 *   taken up where it stands. If this run may have sent a process request, "still created" is
 *   believed only after settled reads of the invoice; only then is it processed, once, by the
 *   exactly-once helper. An invoice past `created` is never processed again;
 * - several readable answers agree it has none, and this run never saw an invoice for it: the row
 *   is paid as if for the first time (the create is idempotent by reference ID anyway);
 * - it cannot be read: still unknown (the error is thrown again).
 */
async function settleRow(
	ctx: IExecuteFunctions,
	row: UnknownRow,
	options: PayoutRunOptions,
): Promise<INodeExecutionData> {
	const { payout, progress } = row;
	const context = { itemIndex: payout.itemIndex, referenceId: payout.referenceId, row: payout.row };
	const existing = await findByReferenceSettled(ctx, payout.referenceId, options.policy, context);
	if (!existing) {
		if (progress.invoiceSeen) {
			throw outcomeUnknownError(
				ctx,
				context,
				'the payout under this reference ID',
				`invoice ${String(progress.invoiceSeen.id)} was seen under this reference ID earlier in ` +
					`the run, but no look-up at the end of the run shows it`,
			);
		}
		const item = await payOne(ctx, payout, options, progress);
		item.json.settledAtEnd = true;
		return item;
	}
	ensureSamePayout(ctx, existing, payout);
	let invoice = existing;
	const mayHaveProcessed = options.mode === 'createAndProcess' && progress.processAttempted;
	if (mayHaveProcessed && statusOf(invoice) === 'created') {
		invoice = await readInvoiceSettled(
			ctx,
			String(invoice.id),
			options.policy,
			context,
			'whether the payout was processed',
		);
	}
	progress.invoiceSeen = invoice;
	return await completePayout(
		ctx,
		payout,
		{ invoice, alreadyExisted: false, foundAfterError: true },
		options,
		progress,
		// Settled reads just said "created": no need to read again before the one process request.
		{ knownCreated: mayHaveProcessed, settledAtEnd: true },
	);
}

/**
 * The end of a run: rows whose outcome was unknown are asked about again, after every other row, in
 * up to Max Attempts rounds. Before each round the run pauses (1 s, 2 s, 4 s, … up to the longest
 * back-off) to give the platform time to recover; then every row still unknown is tried once more,
 * with the run's concurrency. No row's attempt starts once the budget is spent: Max Wait when Wait
 * for Final Status is on, else SETTLE_BUDGET_MS (an attempt that has started runs to its end: its
 * reads have their own attempts and timeouts, and a row it settles then waits for its final status
 * with its own Max Wait). Returns, per row, the item or the error it ends with: an outcome-unknown
 * error only for rows the platform still could not be asked about.
 */
export async function settleUnknownRows(
	ctx: IExecuteFunctions,
	rows: UnknownRow[],
	options: PayoutRunOptions,
): Promise<Array<{ item?: INodeExecutionData; error?: unknown }>> {
	const deadline = Date.now() + (options.wait?.maxWaitMs ?? SETTLE_BUDGET_MS);
	const ends: Array<{ item?: INodeExecutionData; error?: unknown }> = rows.map((row) => ({
		error: row.error,
	}));
	for (let round = 1; round <= options.policy.maxAttempts; round++) {
		const open = ends.flatMap((end, index) =>
			end.item || !isOutcomeUnknown(end.error) ? [] : [index],
		);
		const left = deadline - Date.now();
		if (open.length === 0 || left <= 0) break;
		await sleep(Math.min(FIRST_PAUSE_MS * 2 ** (round - 1), options.policy.maxDelayMs, left));
		// A row not started when the budget runs out stays as it is; those in flight finish.
		await mapWithConcurrency(
			open,
			options.concurrency,
			async (index) => {
				try {
					ends[index] = { item: await settleRow(ctx, rows[index], options) };
				} catch (failure) {
					ends[index] = { error: failure };
				}
			},
			() => Date.now() >= deadline,
		);
	}
	return ends;
}
