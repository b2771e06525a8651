import type { INodeProperties } from 'n8n-workflow';

import { simplifyOption } from '../../common.description';
import { showOnlyFor } from '../../displayOptions';
import { columnNamesProperty, rowsFromProperty } from './columnMode.description';
import { payoutOptionsProperty } from './options.description';
import { processingProperty } from './processing.description';
import {
	additionalFieldsProperty,
	invoiceOptionsProperty,
	payoutFieldProperties,
} from './rowFields.description';

/**
 * What one operation that takes a payout per row (Create, Create and Process, Validate) shows
 * besides the shared payout fields: each such operation says it in its own file.
 */
export interface PayoutFieldChoices {
	operation: string;
	/** Simplify: for the rows that are sent (Validate has its own output: valid, cost preview). */
	simplify: boolean;
	/** Options → Approved Code: for the operations that pay. */
	approvedCode: boolean;
	/** Options → Wait for Final Status, Max Wait, Poll Interval: for the one that processes. */
	waitForFinalStatus: boolean;
	/** Options → Retry Failed Rows, Max Attempts per Row: Create and Process, Validate (preview). */
	retryFailedRows: boolean;
	/**
	 * Processing (separate Process request or in the create request): for the one that processes, and
	 * Validate, whose approval code covers it.
	 */
	processing: boolean;
}

const operationsWith = (
	choices: PayoutFieldChoices[],
	choice: keyof Omit<PayoutFieldChoices, 'operation'>,
) => choices.filter((chosen) => chosen[choice]).map((chosen) => chosen.operation);

/**
 * The payout fields of the payout invoice operations, built once from the blocks (column mode, row
 * fields, options) for every operation that takes them, so the editor shows one of each field.
 * Simplify sits right after the row's own fields, above the collections, where n8n's own nodes put
 * it.
 */
export function payoutFields(choices: PayoutFieldChoices[]): INodeProperties[] {
	const processing = showOnlyFor('payoutInvoice', operationsWith(choices, 'processing'), [
		processingProperty,
	]);
	const fields = showOnlyFor(
		'payoutInvoice',
		choices.map((chosen) => chosen.operation),
		[
			rowsFromProperty,
			columnNamesProperty,
			...payoutFieldProperties,
			additionalFieldsProperty,
			invoiceOptionsProperty,
			payoutOptionsProperty({
				approvedCode: operationsWith(choices, 'approvedCode'),
				waitForFinalStatus: operationsWith(choices, 'waitForFinalStatus'),
				retryFailedRows: operationsWith(choices, 'retryFailedRows'),
			}),
		],
	);
	const simplify = showOnlyFor('payoutInvoice', operationsWith(choices, 'simplify'), [
		simplifyOption,
	]);
	const firstCollection = fields.findIndex((property) => property.type === 'collection');
	if (firstCollection === -1) return [...processing, ...fields, ...simplify];
	return [
		...processing,
		...fields.slice(0, firstCollection),
		...simplify,
		...fields.slice(firstCollection),
	];
}
