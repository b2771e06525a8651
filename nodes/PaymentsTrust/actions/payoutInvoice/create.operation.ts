import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OperationRun } from '../operation';
import type { PayoutFieldChoices } from './payoutFields/payoutFields';
import { payRows } from './payRows';

/** Create shows the payout fields, Simplify, and the Approved Code option. */
export const fields: PayoutFieldChoices = {
	operation: 'create',
	simplify: true,
	approvedCode: true,
	waitForFinalStatus: false,
	retryFailedRows: false,
	processing: false,
};

/**
 * Create: one invoice per row, left in status "created" (unless the Auto Process invoice option is
 * on).
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: OperationRun,
): Promise<INodeExecutionData[]> {
	return await payRows(this, items, 'create', run);
}
