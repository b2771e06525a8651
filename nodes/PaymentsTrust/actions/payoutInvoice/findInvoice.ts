import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { rowName } from '../../helpers/items';
import type { Located } from '../../helpers/locator';
import { getInvoiceById, lookUpReference } from '../../platform/invoiceLookup';
import { toNodeApiError } from '../../transport/errors';

/**
 * The invoice an invoice picker points at, read from the platform: by ID (`GET
 * /payout-invoices/{id}`) or by reference ID (the API's `filter[reference_id]`, exact match). Not
 * found is an error naming the row.
 */
export async function findInvoice(
	ctx: IExecuteFunctions,
	located: Located,
	itemIndex: number,
): Promise<IDataObject> {
	// An empty ID would GET the invoice list and output it as one empty invoice.
	if (!located.value) {
		throw new NodeOperationError(ctx.getNode(), `${rowName(itemIndex)}: no payout invoice chosen`, {
			itemIndex,
			description: 'Pick an invoice from the list, or give its ID (cpoi_…) or its reference ID.',
		});
	}
	if (located.mode === 'referenceId') {
		const referenceId = located.value;
		// A list that is not a list is a failed look-up, never "no such invoice".
		const { outcome, invoice: match } = await lookUpReference(ctx, referenceId);
		if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
			throw toNodeApiError(ctx.getNode(), outcome, {
				action: 'Get payout invoice by reference ID',
				itemIndex,
				referenceId,
			});
		}
		if (!match) {
			throw new NodeOperationError(
				ctx.getNode(),
				`${rowName(itemIndex)}: no payout invoice has reference ID "${referenceId}"`,
				{
					itemIndex,
					description:
						'Nothing was created with this reference ID (in the mode of this credential’s keys).',
				},
			);
		}
		return match;
	}
	// A 200 without this invoice is a failed read, never an empty invoice.
	const outcome = await getInvoiceById(ctx, located.value);
	if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
		throw toNodeApiError(ctx.getNode(), outcome, {
			action: `Get payout invoice "${located.value}"`,
			itemIndex,
		});
	}
	return (outcome.body.data ?? {}) as IDataObject;
}
