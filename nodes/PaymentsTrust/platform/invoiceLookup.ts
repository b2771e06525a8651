import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { rowName, stageOf } from '../helpers/items';
import type { PaymentsTrustFunctions } from '../transport/endpoints';
import { describeOutcome } from '../transport/errors';
import { sendSafe, type Outcome } from '../transport/request';
import { isResource } from '../transport/resources';
import { settleDelayMs, type RetryPolicy } from '../transport/retryPolicy';

export interface LookupContext {
	itemIndex: number;
	referenceId?: string;
	/** The row's number in the sheet, when known. */
	row?: number;
}

/**
 * The outcome of a payout is unknown: a write may or may not have happened and we could not find
 * out. The row fails without any further write; the message says exactly what to check.
 */
export function outcomeUnknownError(
	ctx: IExecuteFunctions,
	context: LookupContext,
	what: string,
	lastOutcome: Outcome | string,
): NodeOperationError {
	const row = rowName(context.itemIndex, { referenceId: context.referenceId, row: context.row });
	const why =
		typeof lastOutcome === 'string'
			? lastOutcome
			: `the look-up failed with ${describeOutcome(lastOutcome)}`;
	const error = new NodeOperationError(
		ctx.getNode(),
		`${row}: ${what} is unknown and was not retried: ${why}`,
		{
			itemIndex: context.itemIndex,
			description:
				'The platform may or may not have accepted the request. Look the payout up by reference ' +
				'ID (Payout Invoice → Get, By Ref ID) before running this row again. Running the ' +
				'same reference ID again is safe: it is never paid twice.',
		},
	);
	error.context.stage = 'outcome_unknown';
	return error;
}

/** Whether a row failed because its outcome is unknown (not because the platform said no). */
export function isOutcomeUnknown(error: unknown): boolean {
	return stageOf(error) === 'outcome_unknown';
}

/** A payout invoice resource as the API sends it: an ID and its attributes. */
export function isInvoiceResource(value: unknown): value is IDataObject {
	return isResource(value) && !!value.attributes && typeof value.attributes === 'object';
}

/**
 * `{"data": {invoice}}` about this very invoice: another invoice's answer (a mixed-up cache) is a
 * failed read.
 */
export const hasInvoiceWithId =
	(invoiceId: string) =>
	(body: IDataObject): boolean =>
		isInvoiceResource(body.data) && body.data.id === invoiceId;

/** `{"data": [invoices]}`: a list that really is a list of invoices (an empty list included). */
export const hasInvoiceList = (body: IDataObject): boolean =>
	Array.isArray(body.data) && body.data.every(isInvoiceResource);

/**
 * The one read of an invoice by ID (`GET /payout-invoices/{id}`), under the read rule every invoice
 * read shares: a 200 that is not this very invoice is unreadable, never an empty or another
 * invoice. What a failure means is the caller's: an unknown outcome on the money path, a plain
 * error for a user's Get.
 */
export async function getInvoiceById(
	ctx: PaymentsTrustFunctions,
	invoiceId: string,
	policy?: RetryPolicy,
): Promise<Outcome> {
	return await sendSafe(
		ctx,
		{ api: 'private', method: 'GET', path: `/payout-invoices/${encodeURIComponent(invoiceId)}` },
		policy,
		hasInvoiceWithId(invoiceId),
	);
}

export function statusOf(invoice: IDataObject): unknown {
	return ((invoice.attributes ?? invoice) as IDataObject).status;
}

/**
 * One read of the invoices under a reference ID (the API's `filter[reference_id]`), retried while
 * it fails or cannot be read: a 200 here always carries a real list. What a failure means is the
 * caller's: an unknown outcome on the money path, a plain error when a user looks an invoice up.
 */
export async function lookUpReference(
	ctx: IExecuteFunctions,
	referenceId: string,
	policy?: RetryPolicy,
): Promise<{ outcome: Outcome; invoice: IDataObject | null }> {
	const outcome = await sendSafe(
		ctx,
		{
			api: 'private',
			method: 'GET',
			path: '/payout-invoices',
			qs: { 'filter[reference_id]': referenceId },
		},
		policy,
		hasInvoiceList,
	);
	if (outcome.kind !== 'response' || outcome.statusCode !== 200) return { outcome, invoice: null };
	// The filter may match loosely: only this exact reference ID is ours.
	const list = outcome.body.data as IDataObject[];
	return {
		outcome,
		invoice:
			list.find((resource) => (resource.attributes as IDataObject).reference_id === referenceId) ??
			null,
	};
}

/**
 * The invoice with this exact reference ID, or null when the platform has none. Throws (outcome
 * unknown) when the platform could not be asked or its answer could not be read: then nobody may
 * write again. A list that is not a list is a failed look-up, never "no such invoice".
 */
export async function findByReference(
	ctx: IExecuteFunctions,
	referenceId: string,
	policy: RetryPolicy,
	context: LookupContext,
): Promise<IDataObject | null> {
	const { outcome, invoice } = await lookUpReference(ctx, referenceId, policy);
	if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
		throw outcomeUnknownError(ctx, context, 'whether the payout was created', outcome);
	}
	return invoice;
}

/**
 * `findByReference` that allows for read-after-write lag: "none" is believed only after
 * `settleReads` readable answers in a row, a few seconds apart. `reads` raises that count (after a
 * 409 the invoice must exist).
 */
export async function findByReferenceSettled(
	ctx: IExecuteFunctions,
	referenceId: string,
	policy: RetryPolicy,
	context: LookupContext,
	reads = policy.settleReads,
): Promise<IDataObject | null> {
	for (let read = 1; ; read++) {
		const found = await findByReference(ctx, referenceId, policy, context);
		if (found || read >= reads) return found;
		await sleep(settleDelayMs(read, policy));
	}
}

/**
 * The invoice as the platform has it now, read with retries; throws (outcome unknown) when it
 * cannot be read.
 */
export async function readInvoice(
	ctx: IExecuteFunctions,
	invoiceId: string,
	policy: RetryPolicy,
	context: LookupContext,
	what: string,
): Promise<IDataObject> {
	const outcome = await getInvoiceById(ctx, invoiceId, policy);
	if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
		throw outcomeUnknownError(ctx, context, what, outcome);
	}
	return outcome.body.data as IDataObject;
}

/**
 * `readInvoice` that allows for read-after-write lag after a process request: "still created" is
 * believed only after `reads` readable answers in a row say so. Returns the last invoice read.
 */
export async function readInvoiceSettled(
	ctx: IExecuteFunctions,
	invoiceId: string,
	policy: RetryPolicy,
	context: LookupContext,
	what: string,
	reads = policy.settleReads,
): Promise<IDataObject> {
	for (let read = 1; ; read++) {
		const invoice = await readInvoice(ctx, invoiceId, policy, context, what);
		if (statusOf(invoice) !== 'created' || read >= reads) return invoice;
		await sleep(settleDelayMs(read, policy));
	}
}
