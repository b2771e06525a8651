import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OperationRun } from '../operation';
import { runPayoutOperation } from './runPayoutOperation';

/**
 * Create: one invoice per row, left in status "created" (unless the Auto Process invoice option is
 * on).
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: OperationRun,
): Promise<INodeExecutionData[]> {
	return await runPayoutOperation(this, items, 'create', run);
}
