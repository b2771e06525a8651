import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { PaymentsTrustFunctions } from './endpoints';
import { toNodeApiError } from './errors';
import { sendSafe, type Outcome, type RequestSpec } from './request';
import type { RetryPolicy } from './retryPolicy';

const MAX_PAGE_SIZE = 100;

/** The error a failed page becomes: each caller words it for what it was doing. */
export type PageFailure = (outcome: Outcome, page: number) => Error;

async function fetchPage(
	ctx: PaymentsTrustFunctions,
	spec: RequestSpec,
	page: number,
	onFailure: PageFailure,
	policy?: RetryPolicy,
): Promise<IDataObject> {
	const outcome = await sendSafe(ctx, spec, policy);
	if (outcome.kind !== 'response' || outcome.statusCode !== 200) throw onFailure(outcome, page);
	return outcome.body;
}

/**
 * Numbered pages (`page[number]`, `page[size]`; `meta.pages`), as the payout service list has them. The one
 * walk over that list for Get Many, the validation catalogue and the editor's service dropdown.
 */
export async function pageNumberPages(
	ctx: PaymentsTrustFunctions,
	path: string,
	limit: number,
	onFailure: PageFailure,
	policy?: RetryPolicy,
): Promise<IDataObject[]> {
	const results: IDataObject[] = [];
	const size = Math.min(MAX_PAGE_SIZE, Number.isFinite(limit) ? Math.max(1, limit) : MAX_PAGE_SIZE);
	for (let page = 1; results.length < limit; page++) {
		const body = await fetchPage(
			ctx,
			{ api: 'private', method: 'GET', path, qs: { 'page[number]': page, 'page[size]': size } },
			page,
			onFailure,
			policy,
		);
		const data = (body.data ?? []) as IDataObject[];
		results.push(...data.slice(0, limit - results.length));
		const pages = Number(((body.meta ?? {}) as IDataObject).pages ?? page);
		if (data.length === 0 || page >= pages) break;
	}
	return results;
}

/**
 * Cursor pages, as the payout invoice list has them: the API's own `links.next` is followed while it is
 * there (NOTES: do not build cursors by hand); only if an API leaves it out is `page[after]` built from
 * `meta.after`. A page that brings nothing new ends the walk, so a cursor that does not move cannot loop.
 */
export async function cursorPages(
	ctx: IExecuteFunctions,
	path: string,
	qs: IDataObject,
	limit: number,
	itemIndex: number,
): Promise<IDataObject[]> {
	const results: IDataObject[] = [];
	const size = Math.min(MAX_PAGE_SIZE, Number.isFinite(limit) ? Math.max(1, limit) : MAX_PAGE_SIZE);
	let spec: RequestSpec = { api: 'private', method: 'GET', path, qs: { ...qs, 'page[size]': size } };
	let previousLastId: unknown;
	for (let page = 1; results.length < limit; page++) {
		const body = await fetchPage(ctx, spec, page, (outcome) =>
			toNodeApiError(ctx.getNode(), outcome, { action: `List ${path.slice(1)} (page ${page})`, itemIndex }),
		);
		const data = (body.data ?? []) as IDataObject[];
		if (data.length === 0 || data[data.length - 1].id === previousLastId) break;
		previousLastId = data[data.length - 1].id;
		const taken = data.slice(0, limit - results.length);
		results.push(...taken);
		const links = (body.links ?? {}) as IDataObject;
		const meta = (body.meta ?? {}) as IDataObject;
		if (typeof links.next === 'string' && links.next) {
			spec = { api: 'private', method: 'GET', path: links.next, pathIsLink: true };
		} else if (links.next === undefined && meta.after && data.length >= size) {
			spec = { api: 'private', method: 'GET', path, qs: { ...qs, 'page[size]': size, 'page[after]': meta.after } };
		} else {
			break;
		}
	}
	return results;
}
