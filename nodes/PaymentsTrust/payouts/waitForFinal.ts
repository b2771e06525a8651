import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { isFinalStatus } from '../../shared/invoice';
import type { RetryPolicy } from '../transport/retryPolicy';
import { getInvoiceById, statusOf } from '../platform/invoiceLookup';

export interface WaitOptions {
	maxWaitMs: number;
	pollIntervalMs: number;
}

/**
 * Polls an invoice until it reaches a final status or the wait runs out. Reading is harmless, so a
 * failed poll is simply tried again at the next interval; the last invoice seen is returned either
 * way.
 */
export async function waitForFinalStatus(
	ctx: IExecuteFunctions,
	invoice: IDataObject,
	options: WaitOptions,
	policy: RetryPolicy,
): Promise<{ invoice: IDataObject; timedOut: boolean }> {
	const deadline = Date.now() + options.maxWaitMs;
	let latest = invoice;
	while (!isFinalStatus(statusOf(latest))) {
		const remaining = deadline - Date.now();
		if (remaining <= 0) return { invoice: latest, timedOut: true };
		await sleep(Math.min(options.pollIntervalMs, remaining));
		const outcome = await getInvoiceById(ctx, String(latest.id), {
			...policy,
			maxAttempts: 1,
			readAttempts: 1,
		});
		// An answer that cannot be read tells nothing: the last invoice seen stands until a readable
		// one comes.
		if (outcome.kind === 'response' && outcome.statusCode === 200) {
			latest = outcome.body.data as IDataObject;
		}
	}
	return { invoice: latest, timedOut: false };
}
