import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../../helpers/concurrency';
import { asNodeError, errorItem } from '../../helpers/items';
import { maskCardNumbersDeep } from '../../helpers/redact';
import { processInvoiceOnce } from '../../payouts/processInvoice';
import { endpointsFor } from '../../transport/request';
import { waitForFinalStatus } from '../../payouts/waitForFinal';
import { concurrencyOption, includeRawOption, requestOptions, waitOptions } from '../common.description';
import { showOnlyFor } from '../displayOptions';
import { concurrencyFrom, readOptions, retryPolicyFrom, waitOptionsFrom } from '../runOptions';
import { invoiceOutput } from './get.operation';

export const description: INodeProperties[] = showOnlyFor('payoutInvoice', ['process'], [
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'cpoi_VdHYVxq4RsLEebAQ',
		description:
			'PaymentsTrust ID of an invoice in status "created" (e.g. the ID output by Create). An invoice that has already left "created" is not sent again; it is output with "alreadyProcessed": true.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [concurrencyOption, ...requestOptions, ...waitOptions, includeRawOption],
	},
]);

/** Process: pays invoices created earlier, each at most once, rows in parallel up to the concurrency. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const options = readOptions(this);
	const policy = retryPolicyFrom(options);
	const wait = waitOptionsFrom(options);
	const continueOnFail = this.continueOnFail();
	const { testMode } = await endpointsFor(this);
	let failed = false;
	const results = await mapWithConcurrency(
		items,
		concurrencyFrom(options),
		async (_item, itemIndex): Promise<INodeExecutionData | { error: unknown }> => {
			try {
				const invoiceId = String(this.getNodeParameter('invoiceId', itemIndex)).trim();
				// An empty ID would read the invoice list and report it as an invoice already processed.
				if (!invoiceId) throw new NodeOperationError(this.getNode(), `Row ${itemIndex + 1}: the invoice ID is empty`, { itemIndex });
				// Its first read also refuses an invoice of the other mode: nothing is sent for it.
				const processed = await processInvoiceOnce(this, invoiceId, policy, { itemIndex }, { testMode });
				let invoice = processed.invoice;
				let waitTimedOut: boolean | undefined;
				if (wait) ({ invoice, timedOut: waitTimedOut } = await waitForFinalStatus(this, invoice, wait, policy));
				const json: IDataObject = {
					...invoiceOutput(invoice, options.includeRaw),
					row: itemIndex + 1,
					processRequested: !processed.alreadyProcessed,
					alreadyProcessed: processed.alreadyProcessed,
				};
				if (waitTimedOut !== undefined) json.waitTimedOut = waitTimedOut;
				return { json: maskCardNumbersDeep(json), pairedItem: { item: itemIndex } };
			} catch (error) {
				failed = true;
				return { error };
			}
		},
		() => failed && !continueOnFail,
	);
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < results.length; itemIndex++) {
		const result = results[itemIndex];
		// One item per input row, always: a row that did not run says so rather than vanishing.
		if (!result) {
			output.push(errorItem({ message: `Row ${itemIndex + 1}: not run (nothing was sent for this row)` }, itemIndex, { stage: 'not_run' }));
			continue;
		}
		if ('error' in result) {
			if (!continueOnFail) throw asNodeError(this.getNode(), result.error, itemIndex);
			output.push(errorItem(result.error, itemIndex));
		} else output.push(result);
	}
	return output;
}
