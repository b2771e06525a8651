import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { STATUS_OPTIONS } from '../../../shared/invoice';
import { forEachItem } from '../../helpers/items';
import { cursorPages } from '../../transport/pagination';
import { rawOnlyOptions, returnAllAndLimit, simplifyOption } from '../common.description';
import { showOnlyFor } from '../displayOptions';
import { invoiceOutput, simplifyOf } from './get.operation';

export const description: INodeProperties[] = showOnlyFor(
	'payoutInvoice',
	['getMany'],
	[
		...returnAllAndLimit,
		// Above the collections, where n8n's own nodes put it.
		simplifyOption,
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add filter',
			default: {},
			options: [
				{
					displayName: 'Reference ID',
					name: 'referenceId',
					type: 'string',
					default: '',
					description: 'Only the invoice with this reference ID (filter[reference_id])',
				},
				{
					displayName: 'Status',
					name: 'status',
					type: 'options',
					default: 'processed',
					options: STATUS_OPTIONS,
					description:
						'Only invoices in this status (filter[status]; not confirmed by the API reference)',
				},
			],
		},
		rawOnlyOptions,
	],
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const returnAll = this.getNodeParameter('returnAll', itemIndex) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex) as number);
		const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const qs: IDataObject = {};
		if (filters.referenceId) qs['filter[reference_id]'] = filters.referenceId;
		if (filters.status) qs['filter[status]'] = filters.status;
		const resources = await cursorPages(this, '/payout-invoices', qs, limit, itemIndex);
		const simplify = simplifyOf(this, itemIndex);
		return resources.map((resource) => invoiceOutput(resource, options.includeRaw, simplify));
	});
}
