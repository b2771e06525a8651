import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { rowName } from '../../helpers/items';
import { readInvoiceLocator } from '../../helpers/locator';
import { maskCardNumbersDeep } from '../../../shared/redact';
import { processInvoiceOnce } from '../../payouts/processInvoice';
import { endOf, rowOutput, runRows, throwFirstFailure } from '../../helpers/rowRunner';
import { waitForFinalStatus, type WaitOptions } from '../../payouts/waitForFinal';
import type { RetryPolicy } from '../../transport/retryPolicy';
import { simplifyInvoice } from '../../../shared/invoice';
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
import type { OperationRun } from '../operation';
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

/** One row of Process: its invoice paid at most once, then waited for if asked. */
async function processRow(
	ctx: IExecuteFunctions,
	itemIndex: number,
	settings: { options: IDataObject; policy: RetryPolicy; wait?: WaitOptions; testMode: boolean },
): Promise<INodeExecutionData> {
	const { options, policy, wait, testMode } = settings;
	const located = readInvoiceLocator(ctx.getNodeParameter('invoiceId', itemIndex));
	// An empty ID would read the invoice list and report it as an invoice already processed.
	if (!located.value)
		throw new NodeOperationError(ctx.getNode(), `${rowName(itemIndex)}: no payout invoice chosen`, {
			itemIndex,
		});
	// By reference ID: the invoice's own ID is read first; processing itself always goes by ID.
	const invoiceId =
		located.mode === 'referenceId'
			? String((await findInvoice(ctx, located, itemIndex)).id)
			: located.value;
	// Its first read also refuses an invoice of the other mode: nothing is sent for it.
	const processed = await processInvoiceOnce(ctx, invoiceId, policy, { itemIndex }, { testMode });
	let invoice = processed.invoice;
	let waitTimedOut: boolean | undefined;
	if (wait)
		({ invoice, timedOut: waitTimedOut } = await waitForFinalStatus(ctx, invoice, wait, policy));
	const json: IDataObject = {
		...invoiceOutput(invoice, options.includeRaw),
		row: itemIndex + 1,
		processRequested: !processed.alreadyProcessed,
		alreadyProcessed: processed.alreadyProcessed,
	};
	if (waitTimedOut !== undefined) json.waitTimedOut = waitTimedOut;
	return {
		json: maskCardNumbersDeep(simplifyOf(ctx, itemIndex) ? simplifyInvoice(json) : json),
		pairedItem: { item: itemIndex },
	};
}

/**
 * Process: pays invoices created earlier, each at most once, rows in parallel up to the
 * concurrency (the shared row loop: a failure stops new rows unless "Continue On Fail" is on).
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: OperationRun,
): Promise<INodeExecutionData[]> {
	const options = readOptions(this);
	const settings = {
		options,
		policy: retryPolicyFrom(options),
		wait: waitOptionsFrom(options),
		testMode: run.endpoints.testMode,
	};
	const ends = await runRows(
		this,
		items,
		concurrencyFrom(options),
		async (_item, itemIndex) =>
			await endOf(async () => await processRow(this, itemIndex, settings)),
		(end) => end.error !== undefined,
	);
	throwFirstFailure(
		this,
		ends.map((end, itemIndex) => ({ end, itemIndex })),
	);
	return ends.map((end, itemIndex) => rowOutput(end, itemIndex));
}
