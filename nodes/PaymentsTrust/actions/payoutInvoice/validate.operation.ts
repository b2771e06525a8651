import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { previewPayouts } from '../../payouts/previewPayouts';
import type { OperationRun } from '../operation';
import type { PayoutFieldChoices } from './payoutFields/payoutFields';
import { readPayoutRun, withBudgetLeft } from './readPayoutRun';

/**
 * Validate shows the payout fields and Processing (its approval code covers how the pay step
 * processes): it has its own output (valid, cost preview), so no Simplify, and it pays nothing, so
 * no approval and no waiting.
 */
export const fields: PayoutFieldChoices = {
	operation: 'validate',
	simplify: false,
	approvedCode: false,
	waitForFinalStatus: false,
	retryFailedRows: true,
	processing: true,
};

/**
 * Validate (dry run): every check of Create, one item per row with "valid" true or false; sends no
 * invoice.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: OperationRun,
): Promise<INodeExecutionData[]> {
	const payoutRun = await readPayoutRun(this, items, 'validate', run);
	const output = await previewPayouts(this, payoutRun.requests, payoutRun.options);
	return withBudgetLeft(output, payoutRun);
}
