import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { PaymentsTrustFunctions } from './endpoints';
import { toNodeApiError } from './errors';
import { sendSafe, type Outcome, type RequestSpec } from './request';
import { hasResourceList } from './resources';
import type { RetryPolicy } from './retryPolicy';

const MAX_PAGE_SIZE = 100;

/** The error a failed page becomes: each caller words it for what it was doing. */
export type PageFailure = (outcome: Outcome, page: number) => Error;

/**
 * One page, read until it is a real list: a 200 whose body has no `data` list is an answer the node
 * cannot read (retried, then an error), never an empty page that would end the walk and present a
 * short list as the whole one.
 */
async function fetchPage(
	ctx: PaymentsTrustFunctions,
	spec: RequestSpec,
	page: number,
	onFailure: PageFailure,
	policy?: RetryPolicy,
): Promise<IDataObject> {
	const outcome = await sendSafe(ctx, spec, policy, hasResourceList);
	if (outcome.kind !== 'response' || outcome.statusCode !== 200) throw onFailure(outcome, page);
	return outcome.body;
}

/**
 * Numbered pages (`page[number]`, `page[size]`; `meta.pages`), as the payout service list has them.
 * The one walk over that list for Get Many, the validation catalogue and the editor's service
 * dropdown.
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
		const data = body.data as IDataObject[];
		results.push(...data.slice(0, limit - results.length));
		const pages = Number(((body.meta ?? {}) as IDataObject).pages ?? page);
		if (data.length === 0 || page >= pages) break;
	}
	return results;
}

/**
 * Cursor pages, as the payout invoice list has them: the API's own `links.next` is followed while
 * it is there, never a cursor built by hand: in the API reference's payout invoice list sample
 * `meta.after` is the FIRST item of a page, so a cursor built from it would read the same page
 * again. An empty `links.next` is the API saying "last page".
 *
 * The walk never loops and never stops short without saying so: a page that brings only invoices
 * already read (a cursor that did not advance) and a full page without any next link both stop the
 * node with an error that says how many invoices were read and that the list may be incomplete.
 * `stopWhen` ends the walk after the page holding the first resource it accepts (a list read back
 * to a point in time, newest first).
 */
export async function cursorPages(
	ctx: IExecuteFunctions,
	path: string,
	qs: IDataObject,
	limit: number,
	itemIndex: number,
	how: { stopWhen?: (resource: IDataObject) => boolean; policy?: RetryPolicy } = {},
): Promise<IDataObject[]> {
	const results: IDataObject[] = [];
	const seen = new Set<string>();
	const size = Math.min(MAX_PAGE_SIZE, Number.isFinite(limit) ? Math.max(1, limit) : MAX_PAGE_SIZE);
	let spec: RequestSpec = {
		api: 'private',
		method: 'GET',
		path,
		qs: { ...qs, 'page[size]': size },
	};
	const incomplete = (page: number, why: string) =>
		new NodeOperationError(
			ctx.getNode(),
			`The invoice list stopped at page ${page}: ${why}. ${results.length} ` +
				`invoice${results.length === 1 ? '' : 's'} read so far; the list may be incomplete.`,
			{
				itemIndex,
				description:
					'The node stops rather than loop or return a list that may be missing invoices. Narrow ' +
					'the list with a filter, or use a Limit.',
			},
		);
	for (let page = 1; results.length < limit; page++) {
		const body = await fetchPage(
			ctx,
			spec,
			page,
			(outcome) =>
				toNodeApiError(ctx.getNode(), outcome, {
					action: `List ${path.slice(1)} (page ${page})`,
					itemIndex,
				}),
			how.policy,
		);
		const data = body.data as IDataObject[];
		if (data.length === 0) break;
		const fresh = data.filter((resource) => !seen.has(String(resource.id)));
		if (fresh.length === 0)
			throw incomplete(page, 'the API sent the same invoices again (its cursor did not advance)');
		for (const resource of fresh) seen.add(String(resource.id));
		results.push(...fresh.slice(0, limit - results.length));
		if (results.length >= limit || (how.stopWhen && fresh.some(how.stopWhen))) break;
		const next = ((body.links ?? {}) as IDataObject).next;
		if (typeof next === 'string' && next !== '') {
			spec = { api: 'private', method: 'GET', path: next, pathIsLink: true };
		} else if (next === '' || data.length < size) {
			break; // the API says this is the last page, or the page was not full
		} else {
			throw incomplete(
				page,
				`the page was full (${data.length} invoices) but the API gave no link to the next one`,
			);
		}
	}
	return results;
}
