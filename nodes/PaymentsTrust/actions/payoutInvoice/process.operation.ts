import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../../helpers/concurrency';
import { asNodeError, errorItem } from '../../helpers/items';
import { readInvoiceLocator } from '../../helpers/locator';
import { maskCardNumbersDeep } from '../../helpers/redact';
import { processInvoiceOnce } from '../../payouts/processInvoice';
import { endpointsFor } from '../../transport/request';
import { waitForFinalStatus } from '../../payouts/waitForFinal';
import { simplifyInvoice } from '../../helpers/invoice';
import {
	simplifyOption,
	concurrencyOption,
	includeRawOption,
	requestOptions,
	waitOptions,
} from '../common.description';
import { showOnlyFor } from '../displayOptions';
import { concurrencyFrom, readOptions, retryPolicyFrom, waitOptionsFrom } from '../runOptions';
import { invoiceLocator } from '../locators.description';
import { findInvoice } from './findInvoice';
import { invoiceOutput, simplifyOf } from './get.operation';

export const description: INodeProperties[] = showOnlyFor(
	'payoutInvoice',
	['process'],
	[
		invoiceLocator(
			'An invoice in status "created" (e.g. the one output by Create): from the list, by its ID ' +
				'(cpoi_…) or by your reference ID. An invoice that has already left "created" is not ' +
				'sent again; it is output with "alreadyProcessed": true.',
		),
		simplifyOption,
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add option',
			default: {},
			// Sorted by display name, as n8n's guidelines ask.
			options: [
				concurrencyOption,
				includeRawOption,
				requestOptions[0],
				waitOptions[1],
				waitOptions[2],
				requestOptions[1],
				waitOptions[0],
			],
		},
	],
);

/**
 * Process: pays invoices created earlier, each at most once, rows in parallel up to the
 * concurrency.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
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
				const located = readInvoiceLocator(this.getNodeParameter('invoiceId', itemIndex));
				// An empty ID would read the invoice list and report it as an invoice already processed.
				if (!located.value)
					throw new NodeOperationError(
						this.getNode(),
						`Row ${itemIndex + 1}: no payout invoice chosen`,
						{ itemIndex },
					);
				// By reference ID: the invoice's own ID is read first; processing itself always goes by ID.
				const invoiceId =
					located.mode === 'referenceId'
						? String((await findInvoice(this, located, itemIndex)).id)
						: located.value;
				// Its first read also refuses an invoice of the other mode: nothing is sent for it.
				const processed = await processInvoiceOnce(
					this,
					invoiceId,
					policy,
					{ itemIndex },
					{ testMode },
				);
				let invoice = processed.invoice;
				let waitTimedOut: boolean | undefined;
				if (wait)
					({ invoice, timedOut: waitTimedOut } = await waitForFinalStatus(
						this,
						invoice,
						wait,
						policy,
					));
				const json: IDataObject = {
					...invoiceOutput(invoice, options.includeRaw),
					row: itemIndex + 1,
					processRequested: !processed.alreadyProcessed,
					alreadyProcessed: processed.alreadyProcessed,
				};
				if (waitTimedOut !== undefined) json.waitTimedOut = waitTimedOut;
				return {
					json: maskCardNumbersDeep(simplifyOf(this, itemIndex) ? simplifyInvoice(json) : json),
					pairedItem: { item: itemIndex },
				};
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
			output.push(
				errorItem(
					{ message: `Row ${itemIndex + 1}: not run (nothing was sent for this row)` },
					itemIndex,
					{ stage: 'not_run' },
				),
			);
			continue;
		}
		if ('error' in result) {
			if (!continueOnFail) throw asNodeError(this.getNode(), result.error, itemIndex);
			output.push(errorItem(result.error, itemIndex));
		} else output.push(result);
	}
	return output;
}
