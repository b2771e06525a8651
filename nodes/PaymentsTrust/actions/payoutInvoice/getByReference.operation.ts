import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { forEachItem } from '../../helpers/items';
import { rawOnlyOptions, simplifyOption } from '../common.description';
import { showOnlyFor } from '../displayOptions';
import { findInvoice } from './findInvoice';
import { invoiceOutput, simplifyOf } from './get.operation';

export const description: INodeProperties[] = showOnlyFor(
	'payoutInvoice',
	['getByReference'],
	[
		{
			displayName: 'Reference ID',
			name: 'referenceId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. order-2024-0001',
			description: 'Your own unique ID of the payout, given when it was created',
		},
		simplifyOption,
		rawOnlyOptions,
	],
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const referenceId = String(this.getNodeParameter('referenceId', itemIndex)).trim();
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		return invoiceOutput(
			await findInvoice(this, { mode: 'referenceId', value: referenceId }, itemIndex),
			options.includeRaw,
			simplifyOf(this, itemIndex),
		);
	});
}
