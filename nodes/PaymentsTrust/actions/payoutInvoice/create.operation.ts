import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runPayoutOperation } from './runPayoutOperation';

/**
 * Create: one invoice per row, left in status "created" (unless the Auto Process invoice option is
 * on).
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPayoutOperation(this, items, 'create');
}
