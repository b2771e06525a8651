import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { ensureSamePayout } from './createInvoice';
import {
	findByReferenceSettled,
	isOutcomeUnknown,
	readInvoice,
	readInvoiceSettled,
	statusOf,
} from '../platform/invoiceLookup';
import { patientReads } from '../transport/retryPolicy';
import { completePayout, payOne } from './payOne';
import { isProcessRateLimited } from './processInvoice';
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
	 * The error the row ended with (unknown outcome, process refused with 429): reported as it is if
	 * the settling cannot change it.
	 */
	error?: unknown;
}

/**
 * One more attempt at a row whose outcome was unknown (or whose process request was refused with
 * 429), by the money path's rules:
 * - an invoice this run has seen for the row is read by its ID; otherwise the platform is asked by
 *   reference ID, with settled reads (a look-up may lag behind a write);
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
	const mayHaveProcessed = options.mode === 'createAndProcess' && progress.processAttempted;
	const processedWhat = 'whether the payout was processed';
	let invoice: IDataObject;
	if (progress.invoiceSeen) {
		// Seen in this run: read by its ID, one request where a look-up by reference ID may lag
		// behind the create or fail to list it. "Still created" only after settled reads.
		const id = String(progress.invoiceSeen.id);
		invoice = mayHaveProcessed
			? await readInvoiceSettled(ctx, id, options.policy, context, processedWhat)
			: await readInvoice(ctx, id, options.policy, context, 'the payout under this reference ID');
	} else {
		const existing = await findByReferenceSettled(ctx, payout.referenceId, options.policy, context);
		if (!existing) {
			const item = await payOne(ctx, payout, options, progress);
			item.json.settledAtEnd = true;
			return item;
		}
		invoice = existing;
		if (mayHaveProcessed && statusOf(invoice) === 'created') {
			invoice = await readInvoiceSettled(
				ctx,
				String(invoice.id),
				options.policy,
				context,
				processedWhat,
			);
		}
	}
	ensureSamePayout(ctx, invoice, payout);
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

/** Whether the settling asks about a row's end again: unknown, or its process refused with 429. */
export function isOpen(end: { item?: unknown; error?: unknown }): boolean {
	return !end.item && (isOutcomeUnknown(end.error) || isProcessRateLimited(end.error));
}

/** One row of a payout run and how it ended (no `item` nor `error` while it has not run). */
export interface RowResult extends UnknownRow {
	item?: INodeExecutionData;
}

/**
 * A payout run's rows with their settling, in one pool of the run's Concurrency. Each row is paid
 * (`pay`); a row whose outcome is unknown, or whose process request the platform refused with 429
 * (the invoice still in `created`), is asked about again by settleRow, on its own clock: its next
 * attempt is due 1 s, 2 s, then 4 s after its last one ended. An attempt that is due goes before a
 * row not yet started (within half the Concurrency, and one row paid between two attempts of a
 * worker), so a row that became unknown early is settled while the other rows are being paid, not
 * only after all of them (issue 30: at 1,000 rows under heavy faults, a third of the rows reached
 * the end unknown and the end's budget could not ask about all of them).
 *
 * Bounded: once every row has been paid once, the attempts left have the budget (Max Wait when
 * Wait for Final Status is on, else SETTLE_BUDGET_MS) and no attempt starts after it (one that has
 * started runs to its end: its reads have their own attempts and timeouts, and a row it settles
 * then waits for its final status with its own Max Wait). A row that ends in a way that stops the
 * run (`stopsRun`, without Continue On Fail) stops every new row and every new attempt; those in
 * flight finish. Results stay in input order; a row that never started is undefined.
 */
export async function payAndSettle(
	ctx: IExecuteFunctions,
	payouts: readonly ValidPayout[],
	options: PayoutRunOptions,
	pay: (payout: ValidPayout) => Promise<RowResult>,
	stopsRun: (result: RowResult) => boolean,
): Promise<Array<RowResult | undefined>> {
	const continueOnFail = ctx.continueOnFail();
	const budget = options.wait?.maxWaitMs ?? SETTLE_BUDGET_MS;
	const settling: PayoutRunOptions = { ...options, policy: patientReads(options.policy) };
	const results: Array<RowResult | undefined> = payouts.map(() => undefined);
	const due: Array<{ index: number; attempt: number; at: number }> = [];
	let next = 0;
	let firstInFlight = 0;
	let stopped = false;
	let deadline: number | undefined;
	let wake = () => {};
	let changed = new Promise<void>((resolve) => (wake = resolve));
	const ended = (index: number, result: RowResult, attempt: number) => {
		results[index] = result;
		if (!continueOnFail && stopsRun(result)) stopped = true;
		if (isOpen(result)) due.push({ index, attempt, at: Date.now() + pauseBefore(attempt) });
		const signal = wake;
		changed = new Promise<void>((resolve) => (wake = resolve));
		signal();
	};
	// While rows still wait for their first pass, settling takes at most half the Concurrency and a
	// worker pays a row between two of its attempts: the rows not yet paid keep going (in an outage,
	// where every row ends unknown, the first pass takes at most about twice as long).
	const settleShare = Math.max(1, Math.ceil(options.concurrency / 2));
	let settlingInFlight = 0;
	const worker = async () => {
		let settledLast = false;
		for (;;) {
			if (stopped) return;
			if (deadline === undefined && next >= payouts.length && firstInFlight === 0)
				deadline = Date.now() + budget;
			due.sort((a, b) => a.at - b.at);
			// Past the budget no attempt starts: the rows keep the end they have.
			if (deadline !== undefined) while (due.length && due[0].at >= deadline) due.shift();
			const head = due[0];
			const now = Date.now();
			const rowsWaiting = next < payouts.length;
			const maySettle = !rowsWaiting || (settlingInFlight < settleShare && !settledLast);
			if (head && head.at <= now && maySettle) {
				due.shift();
				const row = results[head.index]!;
				settlingInFlight++;
				settledLast = true;
				let end: RowResult;
				try {
					end = { ...row, item: await settleRow(ctx, row, settling), error: undefined };
				} catch (failure) {
					end = { ...row, item: undefined, error: failure };
				}
				settlingInFlight--;
				ended(head.index, end, head.attempt + 1);
				continue;
			}
			if (rowsWaiting) {
				settledLast = false;
				const index = next++;
				firstInFlight++;
				const end = await pay(payouts[index]);
				firstInFlight--;
				ended(index, end, 1);
				continue;
			}
			if (!head && firstInFlight + settlingInFlight === 0) return;
			// Nothing to start now: wait for the next attempt's time, or for a row in flight to end.
			await Promise.race([changed, ...(head ? [sleep(head.at - now)] : [])]);
		}
	};
	const workers = Math.max(1, Math.min(options.concurrency, payouts.length));
	await Promise.all(Array.from({ length: workers }, worker));
	return results;
}
