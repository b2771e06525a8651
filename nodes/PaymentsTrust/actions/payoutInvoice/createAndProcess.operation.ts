import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OperationRun } from '../operation';
import { runPayoutOperation } from './runPayoutOperation';

/** Create and Process: pays each row, exactly once; optionally waits for each final status. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: OperationRun,
): Promise<INodeExecutionData[]> {
	return await runPayoutOperation(this, items, 'createAndProcess', run);
}
