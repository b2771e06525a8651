import type { IDataObject } from 'n8n-workflow';

/**
 * How many invoices the trigger remembers; beyond it the invoice delivered longest ago is forgotten
 * first.
 */
export const MAX_REMEMBERED_INVOICES = 10_000;

/**
 * What the trigger remembers of the callbacks it delivered: per invoice, each status delivered and
 * the `attributes.updated` (Unix seconds, null if unknown) it carried. Keys are the invoice id
 * behind a `#`, so that an all-digit id can never change the insertion order the oldest-first
 * eviction relies on.
 *
 * A plain object with string keys, whose insertion order is the order of delivery.
 */
export type CallbackMemory = IDataObject;

export type Verdict = 'new' | 'duplicate' | 'stale';

const keyOf = (invoiceId: string) => `#${invoiceId}`;

function entryOf(
	memory: CallbackMemory,
	invoiceId: string,
): Record<string, number | null> | undefined {
	const entry = memory[keyOf(invoiceId)];
	return typeof entry === 'object' && entry !== null
		? (entry as Record<string, number | null>)
		: undefined;
}

/**
 * Whether a callback is news.
 *
 * - `stale`: its `updated` is older than a callback already delivered for the invoice (arrived out
 *   of order or late);
 * - `duplicate`: the invoice's status was already delivered, carrying the same or a later `updated`
 *   (a retry of the same callback); when either `updated` is unknown, the invoice id + status alone
 *   decide;
 * - `new` otherwise, including an invoice re-entering a status later (e.g. `process_error` a second
 *   time with a newer `updated`), and a second status change within the same second.
 */
export function judgeCallback(
	memory: CallbackMemory,
	invoiceId: string,
	status: string,
	updated: number | null,
): Verdict {
	const entry = entryOf(memory, invoiceId);
	if (!entry) return 'new';
	if (updated !== null) {
		const known = Object.values(entry).filter(
			(value): value is number => typeof value === 'number',
		);
		if (known.length > 0 && updated < Math.max(...known)) return 'stale';
	}
	if (Object.prototype.hasOwnProperty.call(entry, status)) {
		const previous = entry[status];
		if (updated === null || typeof previous !== 'number' || updated <= previous) return 'duplicate';
	}
	return 'new';
}

/** Records a delivered callback as the newest, then forgets the oldest invoices beyond `max`. */
export function rememberCallback(
	memory: CallbackMemory,
	invoiceId: string,
	status: string,
	updated: number | null,
	max = MAX_REMEMBERED_INVOICES,
): void {
	const key = keyOf(invoiceId);
	const known = entryOf(memory, invoiceId);
	const entry = { ...(known ?? {}) };
	const previous = entry[status];
	entry[status] =
		typeof previous === 'number' && (updated === null || previous > updated) ? previous : updated;
	// Delete then add: the invoice moves to the end of the insertion order, i.e. becomes the newest.
	delete memory[key];
	memory[key] = entry;
	if (known) return; // moved, not added: the count did not change
	const keys = Object.keys(memory);
	for (let i = 0; i < keys.length - max; i++) delete memory[keys[i]];
}
