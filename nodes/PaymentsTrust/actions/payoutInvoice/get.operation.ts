import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toFriendlyInvoice } from '../../helpers/invoice';
import { forEachItem } from '../../helpers/items';
import { toNodeApiError } from '../../transport/errors';
import { hasInvoiceWithId } from '../../payouts/lookup';
import { sendSafe } from '../../transport/request';
import { rawOnlyOptions } from '../common.description';
import { showOnlyFor } from '../displayOptions';

export const description: INodeProperties[] = showOnlyFor('payoutInvoice', ['get'], [
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'cpoi_VdHYVxq4RsLEebAQ',
		description: 'PaymentsTrust ID of the payout invoice (starts with cpoi_)',
	},
	rawOnlyOptions,
]);

export function invoiceOutput(resource: IDataObject, includeRaw: unknown): IDataObject {
	const friendly = toFriendlyInvoice(resource);
	return includeRaw === true ? { ...friendly, raw: resource } : friendly;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const invoiceId = String(this.getNodeParameter('invoiceId', itemIndex)).trim();
		// An empty ID would GET the invoice list and output it as one empty invoice.
		if (!invoiceId) throw new NodeOperationError(this.getNode(), `Row ${itemIndex + 1}: the invoice ID is empty`, { itemIndex });
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const outcome = await sendSafe(this, {
			api: 'private',
			method: 'GET',
			path: `/payout-invoices/${encodeURIComponent(invoiceId)}`,
		}, undefined, hasInvoiceWithId(invoiceId)); // a 200 without this invoice is a failed read, never an empty invoice
		if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
			throw toNodeApiError(this.getNode(), outcome, { action: `Get payout invoice "${invoiceId}"`, itemIndex });
		}
		return invoiceOutput((outcome.body.data ?? {}) as IDataObject, options.includeRaw);
	});
}
