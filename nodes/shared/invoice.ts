import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';

/**
 * Every payout invoice status the platform documents, in the order an invoice usually meets them.
 */
export const INVOICE_STATUSES = [
	'created',
	'processing',
	'process_pending',
	'processed',
	'partially_processed',
	'process_error',
	'process_failed',
	'expired',
	'terminated',
	'canceling',
	'cancel_pending',
	'cancel_error',
	'cancel_failed',
	'partially_canceled',
	'canceled',
] as const;

export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** Statuses an invoice never leaves: the outcome of the payout is known. */
export const FINAL_STATUSES: readonly string[] = [
	'processed',
	'partially_processed',
	'process_failed',
	'expired',
	'terminated',
	'cancel_failed',
	'partially_canceled',
	'canceled',
];

/** Final statuses in which money did reach (all or part of) the recipient. */
export const PAID_STATUSES: readonly string[] = ['processed', 'partially_processed'];

/** "process_pending" → "Process Pending". */
function humanize(status: string): string {
	return status
		.split('_')
		.map((word) => word.charAt(0).toUpperCase() + word.slice(1))
		.join(' ');
}

/**
 * The statuses as options for a status picker: readable names, sorted by name, final ones marked.
 */
export const STATUS_OPTIONS: INodePropertyOptions[] = INVOICE_STATUSES.map((status) => ({
	name: FINAL_STATUSES.includes(status) ? `${humanize(status)} (Final)` : humanize(status),
	value: status,
})).sort((a, b) => a.name.localeCompare(b.name));

export function isFinalStatus(status: unknown): boolean {
	return typeof status === 'string' && FINAL_STATUSES.includes(status);
}

/** Unix seconds (the API's timestamps) to ISO 8601, keeping null for "not yet". */
export function unixToIso(value: unknown): string | null {
	if (value === null || value === undefined || value === '') return null;
	const seconds = typeof value === 'number' ? value : Number(value);
	if (!Number.isFinite(seconds)) return null;
	return new Date(seconds * 1000).toISOString();
}

function relationshipId(resource: IDataObject, name: string): string | null {
	const relationships = (resource.relationships ?? {}) as IDataObject;
	const relation = relationships[name] as IDataObject | undefined;
	const data = relation?.data as IDataObject | undefined;
	return typeof data?.id === 'string' ? data.id : null;
}

/**
 * The friendly, flat shape of a payout invoice that every PaymentsTrust node outputs.
 *
 * Accepts the Private API's JSON:API resource (`{type, id, attributes, relationships}`), the Public
 * API's flat record (`{id, status, service, …}`) and callbacks (same as the Private API). Amounts
 * are kept as the API sends them (numbers in the invoice currency); timestamps become ISO strings.
 */
export function toFriendlyInvoice(resource: IDataObject): IDataObject {
	const attributes = (resource.attributes ?? resource) as IDataObject;
	const pick = (key: string) => (attributes[key] === undefined ? null : attributes[key]);
	const status = pick('status');
	const friendly: IDataObject = {
		id: resource.id ?? null,
		status,
		resolution: pick('resolution'),
		isFinal: isFinalStatus(status),
		referenceId: pick('reference_id'),
		amount: pick('amount'),
		currency: pick('currency'),
		payoutAmount: pick('payout_amount'),
		fee: pick('fee'),
		writeoff: pick('writeoff'),
		service: attributes.service ?? relationshipId(resource, 'payout-service'),
		serviceMethod: attributes.service_method ?? relationshipId(resource, 'payout-method'),
		serviceCurrency: pick('service_currency'),
		serviceAmount: pick('service_amount'),
		servicePayoutAmount: pick('service_payout_amount'),
		exchangeRate: pick('exchange_rate'),
		processedAmount: pick('processed_amount'),
		processedFee: pick('processed_fee'),
		processedWriteoff: pick('processed_writeoff'),
		testMode: pick('test_mode'),
		description: pick('description'),
		fields: pick('fields'),
		metadata: pick('metadata'),
		callbackUrl: pick('callback_url'),
		customerId: relationshipId(resource, 'customer'),
		source: pick('source'),
		createdAt: unixToIso(attributes.created),
		updatedAt: unixToIso(attributes.updated),
		processedAt: unixToIso(attributes.processed),
	};
	// Final callbacks of a split payout carry its parts (the platform's callback docs); only then is
	// there a `payouts` list.
	if (Array.isArray(attributes.payouts)) friendly.payouts = attributes.payouts;
	return friendly;
}

/** What a simplified invoice keeps: the fields a workflow maps next. */
export const SIMPLE_INVOICE_KEYS = [
	'id',
	'referenceId',
	'status',
	'resolution',
	'isFinal',
	'amount',
	'currency',
	'testMode',
] as const;

/**
 * What the node adds about this run (not about the invoice); kept whether or not the output is
 * simplified.
 */
export const RUN_KEYS = [
	'row',
	'alreadyExisted',
	'foundAfterError',
	'processRequested',
	'alreadyProcessed',
	'autoProcess',
	'waitTimedOut',
	'settledAtEnd',
	// Retry Failed Rows: which attempt of the row this is, and why it was or was not retried.
	'originalReferenceId',
	'attempt',
	'attempts',
	'retried',
	'willRetry',
	'retryNote',
] as const;

/**
 * The short, stable shape of an output invoice (Simplify on): the invoice's key fields, what
 * happened in this run, and the raw response when Include Raw Response asked for it. Keys keep
 * their order.
 */
export function simplifyInvoice(json: IDataObject): IDataObject {
	const simple: IDataObject = {};
	for (const key of [...SIMPLE_INVOICE_KEYS, ...RUN_KEYS, 'raw']) {
		if (json[key] !== undefined) simple[key] = json[key];
	}
	return simple;
}
