import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { cursorPages } from '../transport/pagination';
import type { RetryPolicy } from '../transport/retryPolicy';

/** An invoice's `created` time (Unix seconds), NaN when it has none that reads as a number. */
export function createdOf(invoice: IDataObject): number {
	const attributes = (invoice.attributes ?? invoice) as IDataObject;
	const created = attributes.created;
	return typeof created === 'number' || typeof created === 'string' ? Number(created) : NaN;
}

/**
 * Every invoice of the account created since `since` (Unix seconds), from the unfiltered invoice
 * list: the reference documents no filter by date or metadata (docs/platform.md, "Pagination and
 * filters"), only that the list is newest first. The walk reads on until an invoice created
 * more than `slackSeconds` before `since`, so a neighbour whose `created` is a little out of order
 * is not missed. Throws when the list cannot be read to that point: a failed or unreadable page,
 * or more than `max` invoices (the caller then knows the list only in part, never as if whole).
 */
export async function invoicesSince(
	ctx: IExecuteFunctions,
	since: number,
	how: { slackSeconds: number; max: number; policy?: RetryPolicy },
): Promise<IDataObject[]> {
	const cutoff = since - how.slackSeconds;
	const isOlder = (invoice: IDataObject) => createdOf(invoice) < cutoff;
	const invoices = await cursorPages(ctx, '/payout-invoices', {}, how.max, 0, {
		stopWhen: isOlder,
		policy: how.policy,
	});
	if (invoices.length >= how.max && !invoices.some(isOlder)) {
		throw new Error(`the account has more than ${how.max} invoices since then`);
	}
	return invoices.filter((invoice) => !isOlder(invoice));
}
