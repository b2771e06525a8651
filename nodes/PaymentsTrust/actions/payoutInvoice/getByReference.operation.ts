import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forEachItem } from '../../helpers/items';
import { toNodeApiError } from '../../transport/errors';
import { sendSafe } from '../../transport/request';
import { rawOnlyOptions } from '../common.description';
import { showOnlyFor } from '../displayOptions';
import { hasInvoiceList } from '../../payouts/lookup';
import { invoiceOutput } from './get.operation';

export const description: INodeProperties[] = showOnlyFor('payoutInvoice', ['getByReference'], [
	{
		displayName: 'Reference ID',
		name: 'referenceId',
		type: 'string',
		required: true,
		default: '',
		description: 'Your own unique ID of the payout, given when it was created',
	},
	rawOnlyOptions,
]);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const referenceId = String(this.getNodeParameter('referenceId', itemIndex)).trim();
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const outcome = await sendSafe(this, {
			api: 'private',
			method: 'GET',
			path: '/payout-invoices',
			qs: { 'filter[reference_id]': referenceId },
		}, undefined, hasInvoiceList); // a list that is not a list is a failed look-up, never "no such invoice"
		if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
			throw toNodeApiError(this.getNode(), outcome, { action: 'Get payout invoice by reference ID', itemIndex, referenceId });
		}
		const data = outcome.body.data;
		const list = (Array.isArray(data) ? data : data ? [data] : []) as IDataObject[];
		const match = list.find((resource) => ((resource.attributes ?? {}) as IDataObject).reference_id === referenceId);
		if (!match) {
			throw new NodeOperationError(this.getNode(), `Row ${itemIndex + 1}: no payout invoice has reference ID "${referenceId}"`, {
				itemIndex,
				description: 'Nothing was created with this reference ID (in the mode of this credential’s keys).',
			});
		}
		return invoiceOutput(match, options.includeRaw);
	});
}
