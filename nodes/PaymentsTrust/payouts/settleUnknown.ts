import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

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
 * First pause before asking again; each next round doubles it, up to LONGEST_PAUSE_MS.
 */
const FIRST_PAUSE_MS = 1_000;
/**
 * Longest pause between rounds. Short enough for several rounds within a 30 s budget: under heavy
 * faults each round is a fresh chance to read, and a row that stays unknown is one a person must
 * check by hand (issue 30 measured the rounds, not the pauses, as what settles rows).
 */
const LONGEST_PAUSE_MS = 4_000;

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

/** The pause before a row's attempt number `attempt` (from 1): 1 s, 2 s, then 4 s each time. */
function pauseBefore(attempt: number): number {
	return Math.min(FIRST_PAUSE_MS * 2 ** (attempt - 1), LONGEST_PAUSE_MS);
}

/**
 * The end of a run: rows whose outcome was unknown are asked about again, after every other row,
 * until each is settled or the budget is spent: Max Wait when Wait for Final Status is on, else
 * SETTLE_BUDGET_MS. The budget, not Max Attempts, bounds the attempts: under heavy faults a row
 * that stayed unknown after Max Attempts rounds was mostly settled by a later read, while most of
 * the budget was left (issue 30). Each row asks on its own clock, with the run's concurrency: its
 * next attempt is due a pause after its last one ended (1 s, 2 s, then 4 s, to give the platform
 * time to recover), so one slow attempt never holds back the other rows' next tries. No attempt
 * starts once the budget is spent (one that has started runs to its end: its reads have their own
 * attempts and timeouts, and a row it settles then waits for its final status with its own Max
 * Wait). Returns, per row, the item or the error it ends with: an outcome-unknown error only for
 * rows the platform still could not be asked about.
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
	const isOpen = (index: number) => !ends[index].item && isOutcomeUnknown(ends[index].error);
	const started = Date.now();
	const due = rows.flatMap((_row, index) =>
		isOpen(index) ? [{ index, attempt: 1, at: started + pauseBefore(1) }] : [],
	);
	const worker = async () => {
		for (;;) {
			due.sort((a, b) => a.at - b.at);
			const next = due.shift();
			// The earliest due row is past the budget: so is every other (those in flight finish).
			if (!next || next.at >= deadline) return;
			if (next.at > Date.now()) await sleep(next.at - Date.now());
			if (Date.now() >= deadline) return;
			try {
				ends[next.index] = { item: await settleRow(ctx, rows[next.index], options) };
			} catch (failure) {
				ends[next.index] = { error: failure };
			}
			if (isOpen(next.index)) {
				const attempt = next.attempt + 1;
				due.push({ index: next.index, attempt, at: Date.now() + pauseBefore(attempt) });
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(options.concurrency, due.length) }, worker));
	return ends;
}
