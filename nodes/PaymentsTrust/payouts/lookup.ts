import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeOutcome } from '../transport/errors';
import { sendSafe, type Outcome } from '../transport/request';
import type { RetryPolicy } from '../transport/retryPolicy';

export interface LookupContext {
	itemIndex: number;
	referenceId?: string;
}

/**
 * The outcome of a payout is unknown: a write may or may not have happened and we could not find out.
 * The row fails without any further write; the message says exactly what to check.
 */
export function outcomeUnknownError(
	ctx: IExecuteFunctions,
	context: LookupContext,
	what: string,
	lastOutcome: Outcome,
): NodeOperationError {
	const reference = context.referenceId ? ` (reference ID "${context.referenceId}")` : '';
	const error = new NodeOperationError(
		ctx.getNode(),
		`Row ${context.itemIndex + 1}${reference}: ${what} is unknown and was not retried: the look-up failed with ${describeOutcome(lastOutcome)}`,
		{
			itemIndex: context.itemIndex,
			description:
				'The platform may or may not have accepted the request. Look the payout up by reference ID (Payout Invoice → Get by Reference ID) before running this row again. Running the same reference ID again is safe: it is never paid twice.',
		},
	);
	error.context.stage = 'outcome_unknown';
	return error;
}

/**
 * The invoice with this exact reference ID, or null when the platform has none. Throws (outcome unknown)
 * only when the platform could not be asked: then nobody may write again.
 */
export async function findByReference(
	ctx: IExecuteFunctions,
	referenceId: string,
	policy: RetryPolicy,
	context: LookupContext,
): Promise<IDataObject | null> {
	const outcome = await sendSafe(
		ctx,
		{ api: 'private', method: 'GET', path: '/payout-invoices', qs: { 'filter[reference_id]': referenceId } },
		policy,
	);
	if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
		throw outcomeUnknownError(ctx, context, 'whether the payout was created', outcome);
	}
	const data = outcome.body.data;
	const list = (Array.isArray(data) ? data : data ? [data] : []) as IDataObject[];
	return (
		list.find((resource) => ((resource.attributes ?? {}) as IDataObject).reference_id === referenceId) ?? null
	);
}

/** The invoice as the platform has it now, read with retries; throws (outcome unknown) when it cannot be read. */
export async function readInvoice(
	ctx: IExecuteFunctions,
	invoiceId: string,
	policy: RetryPolicy,
	context: LookupContext,
	what: string,
): Promise<IDataObject> {
	const outcome = await sendSafe(
		ctx,
		{ api: 'private', method: 'GET', path: `/payout-invoices/${encodeURIComponent(invoiceId)}` },
		policy,
	);
	if (outcome.kind !== 'response' || outcome.statusCode !== 200 || !outcome.body.data) {
		throw outcomeUnknownError(ctx, context, what, outcome);
	}
	return outcome.body.data as IDataObject;
}
