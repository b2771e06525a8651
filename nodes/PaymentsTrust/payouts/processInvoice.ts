import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { stageOf } from '../helpers/items';
import { toNodeApiError } from '../transport/errors';
import { isTransient, retryAfterOf, sendOnce, type Outcome } from '../transport/request';
import { backoffDelayMs, type RetryPolicy } from '../transport/retryPolicy';
import { ensureInvoiceMode } from './invoiceMode';
import {
	getInvoiceById,
	isInvoiceResource,
	outcomeUnknownError,
	readInvoiceSettled,
	statusOf,
	type LookupContext,
} from '../platform/invoiceLookup';

export interface ProcessedInvoice {
	invoice: IDataObject;
	/**
	 * The invoice had already left `created` before this node asked: no process request was sent for
	 * it.
	 */
	alreadyProcessed: boolean;
}

/** Stage of a row whose process request the platform refused with 429 until the last attempt. */
export const PROCESS_RATE_LIMITED = 'process_rate_limited';

/**
 * The platform refused the process request with 429 on the last attempt, and settled reads since
 * show the invoice still in `created`: the request was not taken, nothing was paid. Not an unknown
 * outcome, and not a refusal of the payout either: the end-of-run settling tries the row again
 * (payouts/settleUnknown.ts), and if it is still refused then, the row reports the invoice as the
 * platform has it (its ID and status), never a bare "failed".
 */
function processRateLimitedError(
	ctx: IExecuteFunctions,
	outcome: Outcome,
	current: IDataObject,
	attempts: number,
	context: LookupContext,
) {
	const error = toNodeApiError(ctx.getNode(), outcome, {
		action:
			`Process payout invoice ${String(current.id)} (${attempts} attempt` +
			`${attempts > 1 ? 's' : ''}; the platform still shows it in status ` +
			`"${String(statusOf(current))}", so it was not paid)`,
		...context,
	});
	error.context.stage = PROCESS_RATE_LIMITED;
	error.context.invoiceId = String(current.id);
	error.context.invoiceStatus = String(statusOf(current));
	return error;
}

/** Whether a row ended with its process request refused with 429 (processRateLimitedError). */
export function isProcessRateLimited(error: unknown): boolean {
	return stageOf(error) === PROCESS_RATE_LIMITED;
}

/**
 * The invoice as the platform last showed it, for a row whose process request was refused with 429
 * through every attempt: its ID and status (still `created`: not paid), so the row reports the
 * platform's state and not only the refusal. Nothing for any other error.
 */
export function rateLimitedInvoiceState(error: unknown): IDataObject {
	if (!isProcessRateLimited(error)) return {};
	const context = (error as { context: IDataObject }).context;
	return { id: context.invoiceId, status: context.invoiceStatus };
}

/**
 * Asks the platform to pay an invoice, at most once per invoice. A process request goes out only
 * while the invoice is in `created`: after a 409, a 5xx, a 429, a timeout, a dropped connection or
 * an answer that cannot be read the invoice is read again, and once it has left `created` (our
 * request got through) nothing more is sent. "Still created" is believed only after several reads
 * over a few seconds (a read may lag behind the write); after a 409 the node keeps reading until it
 * sees what the platform has, and never reports "not paid" next to a platform that says the invoice
 * is no longer in `created`.
 *
 * `knownCreated` skips the first read when the caller has just seen the invoice in `created` (and
 * checked its mode). Otherwise that first read is also where the invoice's mode is checked against
 * `testMode`: one read of the invoice, under the same rules as every read (another invoice's answer
 * is a failed read, never a mode).
 */
export async function processInvoiceOnce(
	ctx: IExecuteFunctions,
	invoiceId: string,
	policy: RetryPolicy,
	context: LookupContext,
	options: { knownCreated?: boolean; testMode?: boolean } = {},
): Promise<ProcessedInvoice> {
	if (!options.knownCreated) {
		const read = await getInvoiceById(ctx, invoiceId, policy);
		if (read.kind === 'response' && read.statusCode !== 200 && !isTransient(read)) {
			// Nothing sent yet and a definite answer (404: wrong ID, 401: wrong key): a plain API error,
			// not an unknown outcome.
			throw toNodeApiError(ctx.getNode(), read, {
				action: `Get payout invoice "${invoiceId}" before processing it`,
				...context,
			});
		}
		if (read.kind !== 'response' || read.statusCode !== 200) {
			throw outcomeUnknownError(ctx, context, 'the invoice status before processing', read);
		}
		const current = read.body.data as IDataObject;
		// A Test credential never processes a live invoice (nor a Live one a test invoice), nor reports
		// one as its own.
		if (options.testMode !== undefined) ensureInvoiceMode(ctx, current, options.testMode, context);
		if (statusOf(current) !== 'created') return { invoice: current, alreadyProcessed: true };
	}
	const path = `/payout-invoices/${encodeURIComponent(invoiceId)}/process`;
	for (let attempt = 1; ; attempt++) {
		const outcome = await sendOnce(ctx, { api: 'private', method: 'POST', path }, policy.timeoutMs);
		const answered =
			outcome.kind === 'response' && outcome.statusCode >= 200 && outcome.statusCode < 300;
		// Only this invoice answers its process request; any other body is an answer we cannot read.
		if (
			answered &&
			outcome.kind === 'response' &&
			isInvoiceResource(outcome.body.data) &&
			outcome.body.data.id === invoiceId
		) {
			return { invoice: outcome.body.data, alreadyProcessed: false };
		}
		const conflict = outcome.kind === 'response' && outcome.statusCode === 409;
		if (!answered && !conflict && !isTransient(outcome)) {
			throw toNodeApiError(ctx.getNode(), outcome, {
				action: 'Process payout invoice',
				...context,
			});
		}
		if (!conflict) await sleep(backoffDelayMs(attempt, policy, retryAfterOf(outcome)));
		const reads = conflict ? policy.settleReads * 2 : policy.settleReads;
		const current = await readInvoiceSettled(
			ctx,
			invoiceId,
			policy,
			context,
			'whether the payout was processed',
			reads,
		);
		if (statusOf(current) !== 'created') {
			// A first 409 means someone processed it before us; after a lost answer it was our own
			// request that got through.
			return { invoice: current, alreadyProcessed: conflict && attempt === 1 };
		}
		if (conflict) {
			throw outcomeUnknownError(
				ctx,
				context,
				'whether the payout was processed',
				'the platform answered 409 (the invoice is no longer in status "created"), but every ' +
					'read since still shows "created"',
			);
		}
		if (
			attempt >= policy.maxAttempts &&
			outcome.kind === 'response' &&
			outcome.statusCode === 429
		) {
			throw processRateLimitedError(ctx, outcome, current, attempt, context);
		}
		if (attempt >= policy.maxAttempts) {
			throw toNodeApiError(ctx.getNode(), outcome, {
				action:
					`Process payout invoice (${attempt} attempt${attempt > 1 ? 's' : ''}; the ` +
					`invoice is still in status "created", so it was not paid)`,
				...context,
			});
		}
	}
}
