import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { simplifyInvoice } from '../../../shared/invoice';
import { runPayouts } from '../../payouts/runPayouts';
import type { OperationRun } from '../operation';
import { readPayoutRun, withBudgetLeft } from './readPayoutRun';

/**
 * The work of Create and Create and Process, which differ only in how far a row goes: the run is
 * read, every row checked, then the valid rows paid (runPayouts).
 */
export async function payRows(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	mode: 'create' | 'createAndProcess',
	run: OperationRun,
): Promise<INodeExecutionData[]> {
	const payoutRun = await readPayoutRun(ctx, items, mode, run);
	const output = await runPayouts(ctx, payoutRun.requests, payoutRun.options);
	// Simplify shapes paid rows only: error items keep every detail.
	const shaped =
		ctx.getNodeParameter('simplify', 0, true) === false
			? output
			: output.map((item) =>
					item.json.error !== undefined ? item : { ...item, json: simplifyInvoice(item.json) },
				);
	return withBudgetLeft(shaped, payoutRun);
}
