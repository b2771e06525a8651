import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runPayoutOperation } from './runPayoutOperation';

/** Create and Process: pays each row, exactly once; optionally waits for each final status. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPayoutOperation(this, items, 'createAndProcess');
}
