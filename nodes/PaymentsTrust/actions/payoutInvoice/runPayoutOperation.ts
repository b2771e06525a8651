import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runPayouts, type PayoutMode } from '../../payouts/runPayouts';
import { concurrencyFrom, readOptions, retryPolicyFrom, waitOptionsFrom } from '../runOptions';
import { readPayoutRequests, readSafetyLimits } from './readPayoutRequests';

/** Create, Create and Process and Validate share one engine; they differ only in how far a row goes. */
export async function runPayoutOperation(ctx: IExecuteFunctions, items: INodeExecutionData[], mode: PayoutMode): Promise<INodeExecutionData[]> {
	const options = readOptions(ctx);
	return await runPayouts(ctx, readPayoutRequests(ctx, items), {
		mode,
		concurrency: concurrencyFrom(options),
		policy: retryPolicyFrom(options),
		wait: mode === 'createAndProcess' ? waitOptionsFrom(options) : undefined,
		safetyLimits: readSafetyLimits(ctx, options),
		includeRaw: options.includeRaw === true,
	});
}
