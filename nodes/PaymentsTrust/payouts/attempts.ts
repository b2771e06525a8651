import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { mapWithConcurrency } from '../helpers/concurrency';
import { isFinalStatus } from '../../shared/invoice';
import { lookUpReference, statusOf } from '../platform/invoiceLookup';
import { describeOutcome } from '../transport/errors';
import type { RetryPolicy } from '../transport/retryPolicy';
import type { AttemptPlan, EarlierAttempt, RowProblem, ValidPayout } from './types';

/**
 * Retry Failed Rows (docs/retries.md): a row that was not paid is paid again as a new *attempt*
 * linked to it. Attempt 1 is the row's own reference ID R, sent exactly as without the option;
 * attempt n ≥ 2 is `R~n`, and its invoice's metadata names R and n. A new attempt is made only when
 * every earlier one ended in a final status in which no money moved, so two attempts of one row can
 * never both pay; the create's 409 on a used reference ID (docs/platform.md#idempotency) is the
 * lock that keeps two runs from both making the same attempt.
 */

/** Most attempts a row may have, the first included: the upper bound of Max Attempts per Row. */
export const MOST_ATTEMPTS_PER_ROW = 10;
export const DEFAULT_ATTEMPTS_PER_ROW = 3;
/** The metadata keys of an attempt's invoice: reserved while Retry Failed Rows is on. */
export const ORIGINAL_KEY = 'original_reference_id';
export const ATTEMPT_KEY = 'attempt';
/** How every attempt reference ends; a row's own must not, so that none is ever ambiguous. */
const ATTEMPT_SUFFIX = /~\d+$/;
/** The longest reference ID the node sends (validateRows' rule). */
const MAX_REFERENCE_LENGTH = 255;

/** Final statuses in which no money moved: the only ones after which a row is paid again. */
export const NO_MONEY_STATUSES: readonly string[] = [
	'process_failed',
	'expired',
	'terminated',
	'canceled',
];

/**
 * What a status means for a row's next step: `paid` (processed), `noMoney` (final, nothing moved),
 * `partly` (final, and money may have moved: partially_processed, partially_canceled,
 * cancel_failed), `created` (waiting to be processed) or `open` (anything else: on its way, or a
 * status the node does not know, which is never taken for a failure).
 */
export type AttemptClass = 'paid' | 'noMoney' | 'partly' | 'created' | 'open';

export function classOf(status: unknown): AttemptClass {
	if (status === 'processed') return 'paid';
	if (typeof status === 'string' && NO_MONEY_STATUSES.includes(status)) return 'noMoney';
	if (isFinalStatus(status)) return 'partly';
	return status === 'created' ? 'created' : 'open';
}

export function attemptReference(original: string, attempt: number): string {
	return attempt === 1 ? original : `${original}~${attempt}`;
}

/** Whether an invoice found under `R~n` is attempt n of R: its metadata says so. */
export function isAttemptOf(invoice: IDataObject, original: string, attempt: number): boolean {
	if (attempt === 1) return true;
	const attributes = (invoice.attributes ?? invoice) as IDataObject;
	const metadata = attributes.metadata;
	if (!metadata || typeof metadata !== 'object') return false;
	const named = metadata as IDataObject;
	return named[ORIGINAL_KEY] === original && String(named[ATTEMPT_KEY]) === String(attempt);
}

/**
 * Why a valid row cannot be paid with Retry Failed Rows on, or undefined: its reference ID must not
 * look like an attempt (`…~2`, which could be another row's), must leave room for the longest
 * suffix, and its metadata must not set the keys attempts carry.
 */
export function attemptRowProblem(
	payout: ValidPayout,
	maxAttemptsPerRow: number,
): RowProblem | undefined {
	const problem = (field: string, rule: string): RowProblem => ({
		itemIndex: payout.itemIndex,
		referenceId: payout.referenceId,
		field,
		rule,
		stage: 'validation',
	});
	const reference = payout.referenceId;
	if (ATTEMPT_SUFFIX.test(reference))
		return problem(
			'reference ID',
			'ends in "~" and a number, as the node names retry attempts ("…~2"); with Retry Failed ' +
				'Rows on, a row’s own reference ID must not, so that no attempt is ever taken for ' +
				'another row',
		);
	const room = MAX_REFERENCE_LENGTH - `~${maxAttemptsPerRow}`.length;
	if (reference.length > room)
		return problem(
			'reference ID',
			`is ${reference.length} characters long; with Retry Failed Rows on it may have at most ` +
				`${room}, leaving room for the attempt suffix "~${maxAttemptsPerRow}"`,
		);
	const metadata = (payout.extra.metadata ?? {}) as IDataObject;
	const reserved = [ORIGINAL_KEY, ATTEMPT_KEY].filter((key) => key in metadata);
	if (reserved.length)
		return problem(
			'metadata',
			`sets ${reserved.map((key) => `"${key}"`).join(' and ')}, which Retry Failed Rows ` +
				'reserves for naming attempts; rename the key',
		);
	return undefined;
}

function earlierOf(invoice: IDataObject, attempt: number, original: string): EarlierAttempt {
	const attributes = (invoice.attributes ?? {}) as IDataObject;
	return {
		attempt,
		referenceId: attemptReference(original, attempt),
		id: invoice.id ?? null,
		status: attributes.status ?? null,
		resolution: attributes.resolution ?? null,
	};
}

/**
 * The row as this run sends it: the attempt's reference ID and, from attempt 2 on, the row's
 * metadata plus the original reference and the number.
 */
export function asAttempt(
	payout: ValidPayout,
	number: number,
	maxAttemptsPerRow: number,
	earlier: EarlierAttempt[],
	found?: IDataObject,
): ValidPayout {
	const original = payout.referenceId;
	const extra =
		number === 1
			? payout.extra
			: {
					...payout.extra,
					metadata: {
						...((payout.extra.metadata ?? {}) as IDataObject),
						[ORIGINAL_KEY]: original,
						[ATTEMPT_KEY]: number,
					},
				};
	const action = !found ? 'create' : statusOf(found) === 'created' ? 'continue' : 'none';
	return {
		...payout,
		referenceId: attemptReference(original, number),
		extra,
		attempt: { original, number, maxAttemptsPerRow, earlier, found, action },
	};
}

/**
 * One row's attempts on the platform (R, R~2, … up to the first that does not exist), and what
 * this run does with the row. Reads only. One readable "none" is enough: it only ever leads to a
 * create of that very number, and if that invoice exists after all (a look-up lagging behind a
 * write), the create's 409 says so and it is looked up, never paid again. Attempts have no gaps:
 * n + 1 is made only once n was seen final without money moving, and final statuses never change.
 */
export async function planAttempt(
	ctx: IExecuteFunctions,
	payout: ValidPayout,
	maxAttemptsPerRow: number,
	policy: RetryPolicy,
): Promise<ValidPayout | RowProblem> {
	const earlier: EarlierAttempt[] = [];
	const problem = (rule: string): RowProblem => ({
		itemIndex: payout.itemIndex,
		referenceId: payout.referenceId,
		field: 'attempts',
		rule,
		stage: 'attempts',
	});
	for (let number = 1; ; number++) {
		const reference = attemptReference(payout.referenceId, number);
		const { outcome, invoice } = await lookUpReference(ctx, reference, policy);
		if (outcome.kind !== 'response' || outcome.statusCode !== 200)
			return problem(
				`could not be read: the look-up of attempt ${number} ("${reference}") failed with ` +
					`${describeOutcome(outcome)}. Nothing was sent for this row; run it again`,
			);
		if (!invoice) return asAttempt(payout, number, maxAttemptsPerRow, earlier);
		if (!isAttemptOf(invoice, payout.referenceId, number))
			return problem(
				`cannot be followed: "${reference}" is used by invoice ${String(invoice.id)}, which is ` +
					`not attempt ${number} of this row (its metadata does not say so). Nothing was sent`,
			);
		if (classOf(statusOf(invoice)) !== 'noMoney' || number >= maxAttemptsPerRow)
			return asAttempt(payout, number, maxAttemptsPerRow, earlier, invoice);
		earlier.push(earlierOf(invoice, number, payout.referenceId));
	}
}

/**
 * Every valid row's attempt, with the run's concurrency, before anything is sent; a row whose
 * attempts cannot be read is refused like an invalid row.
 */
export async function planAttempts(
	ctx: IExecuteFunctions,
	payouts: ValidPayout[],
	maxAttemptsPerRow: number,
	policy: RetryPolicy,
	concurrency: number,
): Promise<{ planned: ValidPayout[]; problems: RowProblem[] }> {
	const results = await mapWithConcurrency(
		payouts,
		concurrency,
		async (payout) => await planAttempt(ctx, payout, maxAttemptsPerRow, policy),
	);
	const planned: ValidPayout[] = [];
	const problems: RowProblem[] = [];
	for (const result of results) {
		if (result && 'rule' in result) problems.push(result);
		else if (result) planned.push(result);
	}
	return { planned, problems };
}

/**
 * What a person reads about a row's attempt once this run is over, or null: nothing to say (a
 * first payment, as without the option).
 */
export function attemptNote(
	plan: AttemptPlan,
	status: unknown,
	resolution: unknown,
): string | null {
	const kind = classOf(status);
	const which = `attempt ${plan.number} ("${attemptReference(plan.original, plan.number)}")`;
	if ((kind === 'created' || kind === 'open') && plan.action !== 'none') {
		// Sent by this run (created, or processed from `created`), not final yet.
		if (plan.number === 1 && plan.action === 'create') return null;
		return (
			`${which} was sent by this run and is ${String(status)}: its final status comes by its ` +
			`callback, Reconcile or the next run, which retries it only if it ends without payment.`
		);
	}
	const ended = `${String(status)} (${String(resolution ?? 'no resolution')})`;
	switch (kind) {
		case 'paid':
			return plan.number > 1 ? `Paid by ${which}; nothing more is sent for this row.` : null;
		case 'noMoney':
			if (plan.number < plan.maxAttemptsPerRow)
				return (
					`${which} ended ${ended} without payment: the next run with Retry Failed Rows sends ` +
					`attempt ${plan.number + 1} ("${attemptReference(plan.original, plan.number + 1)}").`
				);
			return (
				`Not retried: ${which} ended ${ended} and Max Attempts per Row ` +
				`(${plan.maxAttemptsPerRow}) is reached; no attempt paid anything. Check the row's ` +
				`details, then raise Max Attempts per Row, or pay it another way.`
			);
		case 'partly':
			return (
				`Never retried: ${which} ended ${String(status)}, so money may have reached the payee. ` +
				`Ask PaymentsTrust what was paid; pay any rest as a new row with its own reference ID.`
			);
		case 'created':
			return (
				`${which} is in created, not processed yet: no new attempt is made while it is open. ` +
				`Create and Process processes it (once).`
			);
		default:
			return (
				`Not retried: ${which} is ${String(status)}, not final. Wait for its final status (its ` +
				`callback, or Reconcile), then run again: it is retried only if it ends without payment.`
			);
	}
}

/** The attempt fields of a row's item (paid, failed or refused once planned). */
export function attemptFields(
	plan: AttemptPlan,
	invoice: IDataObject | undefined,
	retried: boolean,
): IDataObject {
	const attributes = (invoice?.attributes ?? invoice ?? {}) as IDataObject;
	return {
		originalReferenceId: plan.original,
		attempt: plan.number,
		attempts: plan.number,
		retried,
		// For a sheet's next step: the next run with Retry Failed Rows sends a new attempt of this row.
		willRetry: classOf(attributes.status) === 'noMoney' && plan.number < plan.maxAttemptsPerRow,
		retryNote: invoice ? attemptNote(plan, attributes.status, attributes.resolution) : null,
	};
}

/** What Validate shows of a row's attempt: which one, and what Create and Process would do. */
export function attemptPreview(plan: AttemptPlan): IDataObject {
	const found = plan.found ? ((plan.found.attributes ?? {}) as IDataObject) : undefined;
	const earlier = plan.earlier.map((attempt) => `${attempt.referenceId} ${String(attempt.status)}`);
	return {
		originalReferenceId: plan.original,
		attempt: plan.number,
		attempts: plan.found ? plan.number : plan.number - 1,
		attemptAction: plan.action,
		retryNote:
			plan.action === 'create'
				? plan.number > 1
					? `Retry: ${earlier.join(', ')} ended without payment; Create and Process sends ` +
						`attempt ${plan.number} ("${attemptReference(plan.original, plan.number)}").`
					: null
				: // What the run would find: nothing of it has been sent by a run yet.
					attemptNote({ ...plan, action: 'none' }, found?.status, found?.resolution),
	};
}

/** Validate's summary of the attempts a run would send. */
export function attemptCounts(planned: ValidPayout[]): IDataObject {
	const count = (test: (plan: AttemptPlan) => boolean) =>
		planned.filter((payout) => payout.attempt && test(payout.attempt)).length;
	return {
		firstAttempts: count((plan) => plan.action === 'create' && plan.number === 1),
		retries: count((plan) => plan.action === 'create' && plan.number > 1),
		toProcess: count((plan) => plan.action === 'continue'),
		nothingToSend: count((plan) => plan.action === 'none'),
	};
}
