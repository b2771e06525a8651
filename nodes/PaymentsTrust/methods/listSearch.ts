import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { hasInvoiceList } from '../platform/invoiceLookup';
import { listServiceResources, serviceAttributes } from '../platform/services';
import { describeOutcome } from '../transport/errors';
import { endpointsFor, sendSafe, type RequestSpec } from '../transport/request';

/** Invoices shown per page of the picker; the API's cursor (`links.next`) gives the next page. */
const INVOICE_PAGE_SIZE = 50;

/**
 * A service as the picker lists it, short enough for the editor's list not to cut it off: code,
 * currencies (invoice → payout when they differ) and limits, which are in the invoice currency.
 * The method is left out of the label (most codes already say it) but is still searched.
 */
function serviceLabel(attributes: IDataObject): string {
	const currency = String(attributes.currency ?? '');
	const serviceCurrency = String(attributes.service_currency ?? '');
	const currencies =
		serviceCurrency === '' || serviceCurrency === currency
			? currency
			: `${currency} → ${serviceCurrency}`;
	const limits = `${String(attributes.amount_min ?? '?')}–${String(attributes.amount_max ?? '?')}`;
	const unavailable =
		attributes.enabled === false || attributes.available === false ? ' · not available' : '';
	return `${String(attributes.service)} · ${currencies} · ${limits}${unavailable}`;
}

/**
 * How well a service matches what the user typed, best first: 0 its code exactly, 1 a word of its
 * code (`usd` in `test_usd`) or its code's start, 2 anywhere in its code, 3 only its method or
 * currencies, undefined not at all.
 */
function matchRank(attributes: IDataObject, needle: string): number | undefined {
	const code = String(attributes.service).toLowerCase();
	if (code === needle) return 0;
	if (code.startsWith(needle) || code.split('_').includes(needle)) return 1;
	if (code.includes(needle)) return 2;
	const other = [attributes.service_method, attributes.currency, attributes.service_currency]
		.map((value) => String(value ?? '').toLowerCase())
		.join(' ');
	return other.includes(needle) ? 3 : undefined;
}

/**
 * "From list" of the service picker: every payout service of the account (code, currencies,
 * limits), filtered by what the user types (code, method or currency) and ranked by how well the
 * code matches. Among equal matches services that can pay come before unavailable ones, and a
 * Test credential sees the platform's test services (method `test`, they pay nothing) first; then
 * by code.
 */
export async function searchServices(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const needle = (filter ?? '').trim().toLowerCase();
	const services = (await listServiceResources(this))
		.map(serviceAttributes)
		.filter((attributes) => typeof attributes.service === 'string');
	const { testMode } = await endpointsFor(this);
	const testFirst = (attributes: IDataObject) =>
		testMode && attributes.service_method === 'test' ? 0 : 1;
	const usableFirst = (attributes: IDataObject) =>
		attributes.enabled === false || attributes.available === false ? 1 : 0;
	const results: INodeListSearchItems[] = services
		.map((attributes) => ({ attributes, rank: needle ? matchRank(attributes, needle) : 0 }))
		.filter((entry): entry is { attributes: IDataObject; rank: number } => entry.rank !== undefined)
		.sort(
			(a, b) =>
				a.rank - b.rank ||
				usableFirst(a.attributes) - usableFirst(b.attributes) ||
				testFirst(a.attributes) - testFirst(b.attributes) ||
				String(a.attributes.service).localeCompare(String(b.attributes.service)),
		)
		.map(({ attributes }) => ({
			name: serviceLabel(attributes),
			value: String(attributes.service),
		}));
	return { results };
}

function invoiceItem(resource: IDataObject): INodeListSearchItems {
	const a = (resource.attributes ?? {}) as IDataObject;
	const mode = a.test_mode === true ? ' · test' : a.test_mode === false ? ' · live' : '';
	return {
		name:
			`${String(a.reference_id ?? resource.id)} · ${String(a.amount ?? '?')} ` +
			`${String(a.currency ?? '')} · ${String(a.status ?? '')}${mode}`,
		value: String(resource.id),
	};
}

async function invoicePage(ctx: ILoadOptionsFunctions, spec: RequestSpec): Promise<IDataObject> {
	// A 200 that is not a list of invoices is a failed load, never an empty picker ("no invoices").
	const outcome = await sendSafe(ctx, spec, undefined, hasInvoiceList);
	if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
		throw new Error(`Could not load the payout invoices: ${describeOutcome(outcome)}`);
	}
	return outcome.body;
}

/**
 * "From list" of the invoice picker: the newest invoices first, a page at a time following the
 * API's own `links.next` cursor. A search looks for that exact reference ID first (the API's
 * filter); when there is none, the newest 100 invoices are searched for reference IDs containing
 * the text.
 */
export async function searchInvoices(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const search = (filter ?? '').trim();
	if (paginationToken) {
		const body = await invoicePage(this, {
			api: 'private',
			method: 'GET',
			path: paginationToken,
			pathIsLink: true,
		});
		return pageResult(body);
	}
	if (!search) {
		const body = await invoicePage(this, {
			api: 'private',
			method: 'GET',
			path: '/payout-invoices',
			qs: { 'page[size]': INVOICE_PAGE_SIZE },
		});
		return pageResult(body);
	}
	const exact = await invoicePage(this, {
		api: 'private',
		method: 'GET',
		path: '/payout-invoices',
		qs: { 'filter[reference_id]': search, 'page[size]': INVOICE_PAGE_SIZE },
	});
	if (((exact.data ?? []) as IDataObject[]).length > 0)
		return { results: ((exact.data ?? []) as IDataObject[]).map(invoiceItem) };
	const recent = await invoicePage(this, {
		api: 'private',
		method: 'GET',
		path: '/payout-invoices',
		qs: { 'page[size]': 100 },
	});
	const needle = search.toLowerCase();
	const results = ((recent.data ?? []) as IDataObject[])
		.filter((resource) =>
			String(((resource.attributes ?? {}) as IDataObject).reference_id ?? '')
				.toLowerCase()
				.includes(needle),
		)
		.map(invoiceItem);
	return { results };
}

function pageResult(body: IDataObject): INodeListSearchResult {
	const data = (body.data ?? []) as IDataObject[];
	const next = ((body.links ?? {}) as IDataObject).next;
	return {
		results: data.map(invoiceItem),
		paginationToken: typeof next === 'string' && next && data.length > 0 ? next : undefined,
	};
}
