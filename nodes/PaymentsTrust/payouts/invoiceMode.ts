import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { rowName } from '../helpers/items';

/**
 * The platform's invoice must be in the mode of the credential's Environment. One that is not (an
 * invoice of the other mode found under a reference ID, an ID of a live invoice given to a Test
 * credential, a platform that ignored test_mode) is never processed: the row fails, and nothing
 * more is sent for it.
 */
export function ensureInvoiceMode(
	ctx: IExecuteFunctions,
	invoice: IDataObject,
	testMode: boolean,
	context: { itemIndex: number; referenceId?: string; row?: number },
): void {
	const answered = ((invoice.attributes ?? invoice) as IDataObject).test_mode;
	if (typeof answered !== 'boolean' || answered === testMode) return;
	const reference = context.referenceId ? ` (reference ID "${context.referenceId}")` : '';
	const error = new NodeOperationError(
		ctx.getNode(),
		`${rowName(context.itemIndex, { row: context.row })}: invoice ${String(invoice.id)}` +
			`${reference} is a ` +
			`${answered ? 'test' : 'live'} invoice (test_mode ${answered}), but the credential's ` +
			`Environment is ${testMode ? 'Test' : 'Live'}. Nothing more was sent for this row.`,
		{
			itemIndex: context.itemIndex,
			description:
				'Test or live is set by the credential’s Environment. Check the invoice in the ' +
				'PaymentsTrust dashboard, and use a credential of its Environment to act on it.',
		},
	);
	error.context.stage = 'mode_mismatch';
	throw error;
}
