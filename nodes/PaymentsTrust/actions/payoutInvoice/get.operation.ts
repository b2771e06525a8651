import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { toFriendlyInvoice } from '../../helpers/invoice';
import { forEachItem } from '../../helpers/items';
import { readInvoiceLocator } from '../../helpers/locator';
import { rawOnlyOptions } from '../common.description';
import { showOnlyFor } from '../displayOptions';
import { invoiceLocator } from '../locators.description';
import { findInvoice } from './findInvoice';

export const description: INodeProperties[] = showOnlyFor('payoutInvoice', ['get'], [
	invoiceLocator('The payout invoice: from the list of recent invoices, by its ID (cpoi_…) or by your reference ID'),
	rawOnlyOptions,
]);

export function invoiceOutput(resource: IDataObject, includeRaw: unknown): IDataObject {
	const friendly = toFriendlyInvoice(resource);
	return includeRaw === true ? { ...friendly, raw: resource } : friendly;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const located = readInvoiceLocator(this.getNodeParameter('invoiceId', itemIndex));
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		return invoiceOutput(await findInvoice(this, located, itemIndex), options.includeRaw);
	});
}
