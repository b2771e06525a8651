import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../transport/retryPolicy';
import type { WaitOptions } from '../payouts/waitForFinal';

/** Node options are read from the first item: they configure the run, not a row. */
export function readOptions(ctx: IExecuteFunctions): IDataObject {
	return ctx.getNodeParameter('options', 0, {}) as IDataObject;
}

export function retryPolicyFrom(options: IDataObject): RetryPolicy {
	return {
		...DEFAULT_RETRY_POLICY,
		maxAttempts: Math.max(1, Math.floor(Number(options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts))),
		timeoutMs: Math.max(1, Number(options.requestTimeout ?? DEFAULT_RETRY_POLICY.timeoutMs / 1000)) * 1000,
	};
}

export function concurrencyFrom(options: IDataObject): number {
	return Math.min(50, Math.max(1, Math.floor(Number(options.concurrency ?? 5))));
}

export function waitOptionsFrom(options: IDataObject): WaitOptions | undefined {
	if (options.waitForFinalStatus !== true) return undefined;
	return {
		maxWaitMs: Math.max(1, Number(options.maxWaitSeconds ?? 120)) * 1000,
		pollIntervalMs: Math.max(0.05, Number(options.pollIntervalSeconds ?? 2)) * 1000,
	};
}
