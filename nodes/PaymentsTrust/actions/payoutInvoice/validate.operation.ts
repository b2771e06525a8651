import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OperationRun } from '../operation';
import { runPayoutOperation } from './runPayoutOperation';

/**
 * Validate (dry run): every check of Create, one item per row with "valid" true or false; sends no
 * invoice.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: OperationRun,
): Promise<INodeExecutionData[]> {
	return await runPayoutOperation(this, items, 'validate', run);
}
