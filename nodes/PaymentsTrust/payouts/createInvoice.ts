import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { toFriendlyInvoice } from '../../shared/invoice';
import { rowName } from '../helpers/items';
import { limitToMinor } from '../helpers/money';
import { toNodeApiError } from '../transport/errors';
import { isTransient, retryAfterOf, sendOnce, type Outcome } from '../transport/request';
import { backoffDelayMs, type RetryPolicy } from '../transport/retryPolicy';
import {
	findByReferenceSettled,
	isInvoiceResource,
	outcomeUnknownError,
} from '../platform/invoiceLookup';
import { isAttemptOf } from './attempts';
import type { ValidPayout } from './types';

export interface CreatedInvoice {
	invoice: IDataObject;
	/** The platform answered 409: it already had this reference ID before this request. */
	alreadyExisted: boolean;
	/**
	 * A failure hid the platform's answer and the look-up by reference ID found the invoice: created
	 * by this run's request or by an earlier run, which cannot be told apart. Either way it is the
	 * same payout.
	 */
	foundAfterError: boolean;
}

/** The create request of one row; `testMode` is the credential's Environment (OperationRun). */
export function invoiceBody(payout: ValidPayout, testMode: boolean): IDataObject {
	return {
		data: {
			type: 'payout-invoice',
			attributes: {
				...payout.extra,
				reference_id: payout.referenceId,
				service: payout.service,
				currency: payout.currency,
				amount: Number(payout.amountText),
				fields: payout.fields,
				// Test or live, always explicit and last: nothing a row carries can change it (the
				// platform does not document what an invoice created without test_mode is: it may be live).
				test_mode: testMode,
			},
		},
	};
}

/**
 * An invoice found under our reference ID is ours only if it is the same payout. Anything else is a
 * reference ID reused for another payment: the row fails and nothing is paid.
 */
export function ensureSamePayout(
	ctx: IExecuteFunctions,
	existing: IDataObject,
	payout: ValidPayout,
): void {
	const invoice = toFriendlyInvoice(existing);
	const differences: string[] = [];
	if (invoice.currency !== payout.currency)
		differences.push(`currency ${String(invoice.currency)}`);
	else if (limitToMinor(invoice.amount, payout.currency) !== payout.amountMinor) {
		differences.push(`amount ${String(invoice.amount)}`);
	}
	if (invoice.service && invoice.service !== payout.service)
		differences.push(`service ${String(invoice.service)}`);
	// An attempt of Retry Failed Rows (`R~2`) is this row's only if its metadata says so.
	const attempt = payout.attempt;
	if (attempt && !isAttemptOf(existing, attempt.original, attempt.number))
		differences.push(`metadata that does not make it attempt ${attempt.number} of this row`);
	if (differences.length === 0) return;
	const error = new NodeOperationError(
		ctx.getNode(),
		`${rowName(payout.itemIndex, { row: payout.row })}: reference ID "${payout.referenceId}" ` +
			`is already used by ` +
			`invoice ${String(invoice.id)} with ${differences.join(', ')} (this row asks for ` +
			`${payout.amountText} ${payout.currency} via ${payout.service}). Nothing was paid for this ` +
			`row.`,
		{
			itemIndex: payout.itemIndex,
			description:
				'A reference ID identifies exactly one payout. Use a new reference ID for a different ' +
				'payment, or fix the row if it was meant to be the existing payout.',
		},
	);
	error.context.stage = 'reference_conflict';
	throw error;
}

function referenceOf(invoice: IDataObject): unknown {
	return (invoice.attributes as IDataObject).reference_id;
}

function isAnswered(outcome: Outcome): boolean {
	return outcome.kind === 'response' && outcome.statusCode >= 200 && outcome.statusCode < 300;
}

/**
 * Creates the invoice exactly once. `reference_id` is the idempotency key: after a 409, a 5xx, a
 * 429, a timeout, a dropped connection or an answer that cannot be read (cut off, not JSON, a
 * redirect) the platform is asked by reference ID before anything is sent again, and a second POST
 * goes out only when several look-ups over a few seconds agree there is no such invoice (a look-up
 * may lag behind the write). A 409's body is never trusted: whatever it says, the invoice is what
 * the look-up finds.
 */
export async function createInvoiceOnce(
	ctx: IExecuteFunctions,
	payout: ValidPayout,
	policy: RetryPolicy,
	testMode: boolean,
): Promise<CreatedInvoice> {
	const body = invoiceBody(payout, testMode);
	const context = { itemIndex: payout.itemIndex, referenceId: payout.referenceId, row: payout.row };
	for (let attempt = 1; ; attempt++) {
		const outcome = await sendOnce(
			ctx,
			{ api: 'private', method: 'POST', path: '/payout-invoices', body },
			policy.timeoutMs,
		);
		// Only an invoice under our own reference ID answers our create; anything else is an answer we
		// cannot read.
		if (
			isAnswered(outcome) &&
			outcome.kind === 'response' &&
			isInvoiceResource(outcome.body.data) &&
			referenceOf(outcome.body.data) === payout.referenceId
		) {
			return { invoice: outcome.body.data, alreadyExisted: false, foundAfterError: false };
		}
		if (outcome.kind === 'response' && outcome.statusCode === 409) {
			// The platform has this reference ID: look until the invoice shows (a look-up may lag
			// behind).
			const existing = await findByReferenceSettled(
				ctx,
				payout.referenceId,
				policy,
				context,
				policy.settleReads * 2,
			);
			if (!existing) {
				throw outcomeUnknownError(
					ctx,
					context,
					'the payout under this reference ID',
					'the platform answered 409 (it has this reference ID), but no look-up has shown the ' +
						'invoice yet',
				);
			}
			ensureSamePayout(ctx, existing, payout);
			return { invoice: existing, alreadyExisted: true, foundAfterError: attempt > 1 };
		}
		// A 2xx without a readable invoice may have created it, exactly like a timeout.
		const mayExist =
			isAnswered(outcome) ||
			isTransient(outcome) ||
			(outcome.kind === 'response' && outcome.statusCode === 400);
		if (!mayExist)
			throw toNodeApiError(ctx.getNode(), outcome, { action: 'Create payout invoice', ...context });

		await sleep(backoffDelayMs(attempt, policy, retryAfterOf(outcome)));
		const existing = await findByReferenceSettled(ctx, payout.referenceId, policy, context);
		if (existing) {
			ensureSamePayout(ctx, existing, payout);
			return { invoice: existing, alreadyExisted: false, foundAfterError: true };
		}
		// Several look-ups over a few seconds say the platform has no such invoice: the failed request
		// created nothing.
		if (!(isAnswered(outcome) || isTransient(outcome)) || attempt >= policy.maxAttempts) {
			throw toNodeApiError(ctx.getNode(), outcome, {
				action:
					`Create payout invoice (${attempt} attempt${attempt > 1 ? 's' : ''}; a look-up ` +
					`by reference ID confirmed nothing was created)`,
				...context,
			});
		}
	}
}
