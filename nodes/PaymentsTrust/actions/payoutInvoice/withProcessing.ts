import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { PayoutMode } from '../../payouts/payoutRun';
import type { PayoutRequest } from '../../payouts/types';
import { PROCESSING_AUTO, PROCESSING_SEPARATE } from './payoutFields/processing.description';

/**
 * Processing (Create and Process, and Validate for the approval) decides the create body's
 * `options.auto_process` for every row: In the Create Request sets it, Separate Process Request
 * leaves it out. The engine follows what the body says (payouts/autoProcess.ts), and the approval
 * code covers the body, so what Validate approved and what the pay step sends are the same.
 *
 * Invoice Options → Auto Process is an option of Create only: n8n drops it from these operations'
 * parameters (a hidden option), so Processing alone decides here.
 */
export function withProcessing(
	ctx: IExecuteFunctions,
	requests: PayoutRequest[],
	mode: PayoutMode,
): PayoutRequest[] {
	if (mode === 'create') return requests;
	const auto = ctx.getNodeParameter('processing', 0, PROCESSING_SEPARATE) === PROCESSING_AUTO;
	return requests.map((request) => {
		// A copy per row: in columns mode rows share one extras object.
		const options = { ...((request.extra.options as IDataObject | undefined) ?? {}) };
		delete options.auto_process;
		if (auto) options.auto_process = true;
		const extra = { ...request.extra };
		delete extra.options;
		if (Object.keys(options).length > 0) extra.options = options;
		return { ...request, extra };
	});
}
