import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { simplifyInvoice, toFriendlyInvoice } from '../../../shared/invoice';
import { forEachItem } from '../../helpers/items';
import { readInvoiceLocator } from '../../helpers/locator';
import { rawOnlyOptions, simplifyOption } from '../common.description';
import { showOnlyFor } from '../displayOptions';
import { invoiceLocator } from '../locators.description';
import { findInvoice } from './findInvoice';

export const description: INodeProperties[] = showOnlyFor(
	'payoutInvoice',
	['get'],
	[
		invoiceLocator(
			'The payout invoice: from the list of recent invoices, by its ID (cpoi_…) or by your ' +
				'reference ID',
		),
		simplifyOption,
		rawOnlyOptions,
	],
);

/**
 * One invoice as the read operations output it: simplified or whole, with the raw response if
 * asked.
 */
export function invoiceOutput(
	resource: IDataObject,
	includeRaw: unknown,
	simplify = false,
): IDataObject {
	const friendly = toFriendlyInvoice(resource);
	const json = includeRaw === true ? { ...friendly, raw: resource } : friendly;
	return simplify ? simplifyInvoice(json) : json;
}

/** The Simplify switch of an item (default on: a short output unless asked for all of it). */
export function simplifyOf(ctx: IExecuteFunctions, itemIndex: number): boolean {
	return ctx.getNodeParameter('simplify', itemIndex, true) !== false;
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const located = readInvoiceLocator(this.getNodeParameter('invoiceId', itemIndex));
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		return invoiceOutput(
			await findInvoice(this, located, itemIndex),
			options.includeRaw,
			simplifyOf(this, itemIndex),
		);
	});
}
