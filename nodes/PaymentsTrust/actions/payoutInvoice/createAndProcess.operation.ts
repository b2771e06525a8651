import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OperationRun } from '../operation';
import type { PayoutFieldChoices } from './payoutFields/payoutFields';
import { payRows } from './payRows';

/**
 * Create and Process shows the payout fields, Simplify, the Approved Code option and, as the one
 * operation that processes, Processing and Wait for Final Status.
 */
export const fields: PayoutFieldChoices = {
	operation: 'createAndProcess',
	simplify: true,
	approvedCode: true,
	waitForFinalStatus: true,
	retryFailedRows: true,
	processing: true,
};

/** Create and Process: pays each row, exactly once; optionally waits for each final status. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: OperationRun,
): Promise<INodeExecutionData[]> {
	return await payRows(this, items, 'createAndProcess', run);
}
