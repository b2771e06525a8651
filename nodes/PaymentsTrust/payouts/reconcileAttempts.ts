import type { IDataObject } from 'n8n-workflow';

import { toFriendlyInvoice } from '../../shared/invoice';
import { attemptReference, classOf, isAttemptOf, MOST_ATTEMPTS_PER_ROW } from './attempts';
import { statusOf } from '../platform/invoiceLookup';

/** What the platform says about one reference ID (Reconcile's look-up). */
export type AttemptLookup =
	| { outcome: 'found'; invoice: IDataObject }
	| { outcome: 'missing' }
	| { outcome: 'unknown'; reason: string }
	| { outcome: 'error'; error: unknown };

/**
 * Looks one reference ID up; `settled`: "missing" only after the settled reads (a payout made a
 * moment ago may not show yet), else one readable answer is enough.
 */
export type LookUpAttempt = (referenceId: string, settled: boolean) => Promise<AttemptLookup>;

export interface FoundAttempt {
	attempt: number;
	referenceId: string;
	invoice: IDataObject;
}

export interface FollowedAttempts {
	/**
	 * What decides the row: the attempt that paid (the first, if several did), else the latest; or,
	 * when the row's own reference ID is not found or a later attempt cannot be read, that look-up.
	 */
	lookup: AttemptLookup;
	/** Every attempt found, oldest first (empty unless the row's own reference ID was found). */
	chain: FoundAttempt[];
	shown?: FoundAttempt;
	/** Two attempts in which money moved: must never happen. */
	paidTwice: boolean;
	/** Why the chain was not followed further when that does not change the row's outcome. */
	note?: string;
}

/** Money moved, or may have: paid, or a final status with part of the money paid out. */
function moneyMoved(attempt: FoundAttempt): boolean {
	const kind = classOf(statusOf(attempt.invoice));
	return kind === 'paid' || kind === 'partly';
}

/**
 * A row's attempts under Retry Failed Rows (R, then R~2, R~3, …) as Reconcile reads them. After an
 * attempt that ended without money moving, the next one may exist, made a moment ago: it is
 * believed missing only after the settled reads, and if it cannot be read the row is unknown. After
 * any other status a next attempt can only exist if something went badly wrong; one readable answer
 * decides, and it is looked for at all so that a row paid twice is found and said loudly.
 */
export async function followAttempts(
	referenceId: string,
	lookUp: LookUpAttempt,
): Promise<FollowedAttempts> {
	const first = await lookUp(referenceId, true);
	if (first.outcome !== 'found') return { lookup: first, chain: [], paidTwice: false };
	const chain: FoundAttempt[] = [{ attempt: 1, referenceId, invoice: first.invoice }];
	let note: string | undefined;
	for (let number = 2; number <= MOST_ATTEMPTS_PER_ROW; number++) {
		const mayExist = classOf(statusOf(chain[chain.length - 1].invoice)) === 'noMoney';
		const reference = attemptReference(referenceId, number);
		const next = await lookUp(reference, mayExist);
		if (next.outcome === 'missing') break;
		if (next.outcome === 'unknown' && mayExist) {
			const reason = `attempt ${number} ("${reference}"): ${next.reason}`;
			return { lookup: { outcome: 'unknown', reason }, chain, paidTwice: false };
		}
		if (next.outcome === 'error' && mayExist) return { lookup: next, chain, paidTwice: false };
		if (next.outcome !== 'found') {
			note = `attempt ${number} ("${reference}") could not be looked up`;
			break;
		}
		if (!isAttemptOf(next.invoice, referenceId, number)) {
			note =
				`"${reference}" is invoice ${String(next.invoice.id)}, which is not an attempt of this ` +
				`row (its metadata does not say so)`;
			break;
		}
		chain.push({ attempt: number, referenceId: reference, invoice: next.invoice });
	}
	const paid = chain.filter(moneyMoved);
	const shown = paid[0] ?? chain[chain.length - 1];
	return {
		lookup: { outcome: 'found', invoice: shown.invoice },
		chain,
		shown,
		paidTwice: paid.length > 1,
		...(note ? { note } : {}),
	};
}

/** What a found row's item says about its attempts. */
export function attemptFields(followed: FollowedAttempts): IDataObject {
	const shown = followed.shown;
	if (!shown) return {};
	const paid = followed.chain.filter(moneyMoved);
	return {
		attempt: shown.attempt,
		attempts: followed.chain.length,
		attemptReferenceId: shown.referenceId,
		attemptChain: followed.chain.map((attempt) => {
			const friendly = toFriendlyInvoice(attempt.invoice);
			return {
				attempt: attempt.attempt,
				referenceId: attempt.referenceId,
				id: friendly.id,
				status: friendly.status,
				resolution: friendly.resolution,
			};
		}),
		paidTwice: followed.paidTwice,
		...(followed.paidTwice
			? {
					warning:
						`PAID TWICE: attempts ${paid.map((attempt) => `"${attempt.referenceId}"`).join(', ')} ` +
						'of this row all moved money. This must never happen: ask PaymentsTrust to recover ' +
						'the extra payout, and report it.',
				}
			: {}),
		...(followed.note ? { attemptsNote: followed.note } : {}),
	};
}
