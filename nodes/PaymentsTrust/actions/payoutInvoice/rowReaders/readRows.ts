import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isServiceId } from '../../../helpers/locator';
import type { PayoutRequest } from '../../../payouts/types';
import { serviceCodesById } from '../../../platform/services';
import { toNodeApiError } from '../../../transport/errors';
import { runsAsTool } from '../../toolGuard';
import { ROWS_FROM_COLUMNS, ROWS_FROM_FIELDS } from '../payoutFields/columnMode.description';
import { readColumnRequests } from './readColumnRequests';
import { readPayoutRequests } from './readPayoutRequests';

/**
 * Rows may name their service by its `comcpos_…` ID (the service picker's By ID mode): the API
 * takes the code, so IDs are turned into codes with one read of the service list. An unknown ID
 * stays as it is and is refused by validation like an unknown code.
 */
async function withServiceCodes(
	ctx: IExecuteFunctions,
	requests: PayoutRequest[],
): Promise<PayoutRequest[]> {
	if (!requests.some((request) => isServiceId(request.service))) return requests;
	const codes = await serviceCodesById(ctx, (outcome) =>
		toNodeApiError(ctx.getNode(), outcome, { action: 'Reading the payout services' }),
	);
	return requests.map((request) =>
		isServiceId(request.service)
			? { ...request, service: codes.get(request.service) ?? request.service }
			: request,
	);
}

/** Each input item as a payout, from the fields below or from the item's columns ("Rows From"). */
function readRowsAsGiven(ctx: IExecuteFunctions, items: INodeExecutionData[]): PayoutRequest[] {
	if (ctx.getNodeParameter('rowsFrom', 0, ROWS_FROM_FIELDS) !== ROWS_FROM_COLUMNS)
		return readPayoutRequests(ctx, items);
	// Not hidden for tools: a hidden Rows From would silently hide the fields too and refuse every row
	// for a missing reference ID. Said plainly instead.
	if (runsAsTool(ctx))
		throw new NodeOperationError(
			ctx.getNode(),
			'Rows From "Columns of Each Input Item" is not available to an AI agent',
			{
				description:
					'Nothing was sent. An agent gives its values through the fields ($fromAI): set Rows From ' +
					'to "Fields Below" for a tool.',
			},
		);
	return readColumnRequests(ctx, items);
}

/**
 * Each input item as a payout (Rows From: the fields below or the item's columns), services named
 * by their ID turned into codes.
 */
export async function readRows(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<PayoutRequest[]> {
	return await withServiceCodes(ctx, readRowsAsGiven(ctx, items));
}
