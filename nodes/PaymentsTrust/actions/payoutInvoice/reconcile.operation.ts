import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { MISSING_AFTER_SECONDS, reconcileRows, type ReconcileRow } from '../../payouts/reconcile';
import { concurrencyOption, includeRawOption, requestOptions } from '../common.description';
import { showOnlyFor } from '../displayOptions';
import type { OperationRun } from '../operation';
import { concurrencyFrom, readOptions, retryPolicyFrom } from '../runOptions';

export const description: INodeProperties[] = showOnlyFor(
	'payoutInvoice',
	['reconcile'],
	[
		{
			displayName:
				'Reconcile only reads: for each row it looks the payout up by reference ID and says ' +
				'whether it was found, its status, and what differs from the sheet. Nothing is created or ' +
				'paid.',
			name: 'reconcileNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Reference ID',
			name: 'referenceId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. {{ $json.reference_id }}',
			description: 'The reference ID the payout was created with, e.g. a column of your sheet',
		},
		{
			displayName: 'Expected Amount',
			name: 'expectedAmount',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. 100.55',
			description:
				'The amount the sheet says was paid, as a plain decimal. Compared exactly, in minor ' +
				'units, with the invoice’s amount.',
		},
		{
			displayName: 'Expected Currency',
			name: 'expectedCurrency',
			type: 'string',
			required: true,
			default: 'USD',
			placeholder: 'e.g. USD',
			description: 'Three-letter ISO code the sheet says the payout is in',
		},
		{
			displayName: 'Expected Service',
			name: 'expectedService',
			type: 'string',
			default: '',
			placeholder: 'e.g. test_usd',
			description:
				'Service code the sheet says the payout went through. Leave empty to not compare the service.',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add option',
			default: {},
			options: [
				concurrencyOption,
				includeRawOption,
				...requestOptions,
				{
					displayName: 'Missing After (Seconds)',
					name: 'missingAfterSeconds',
					type: 'number',
					typeOptions: { minValue: 1, maxValue: 600 },
					default: MISSING_AFTER_SECONDS,
					description:
						'How long the platform’s readable answers must keep saying it has no payout under a ' +
						'reference ID before the row is reported missing. A look-up may lag behind a payout ' +
						'made a moment ago; a row found sooner is not slowed.',
				},
			],
		},
	],
);

function readRow(ctx: IExecuteFunctions, itemIndex: number): ReconcileRow {
	try {
		return {
			itemIndex,
			referenceId: ctx.getNodeParameter('referenceId', itemIndex, ''),
			amount: ctx.getNodeParameter('expectedAmount', itemIndex, ''),
			currency: ctx.getNodeParameter('expectedCurrency', itemIndex, ''),
			service: String(ctx.getNodeParameter('expectedService', itemIndex, '') ?? ''),
		};
	} catch (error) {
		// An expression that fails for this row only: the row gets an error item, the others go on.
		return {
			itemIndex,
			referenceId: '',
			amount: '',
			currency: '',
			service: '',
			unreadable: `could not be read: ${(error as Error).message}`,
		};
	}
}

/** Reconcile: every row of a sheet against the platform, by reference ID; reads only. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: OperationRun,
): Promise<INodeExecutionData[]> {
	const options = readOptions(this);
	return await reconcileRows(
		this,
		items.map((_item, itemIndex) => readRow(this, itemIndex)),
		{
			testMode: run.endpoints.testMode,
			concurrency: concurrencyFrom(options),
			policy: retryPolicyFrom(options),
			missingAfterMs: Number(options.missingAfterSeconds ?? MISSING_AFTER_SECONDS) * 1000,
			includeRaw: options.includeRaw === true,
		},
	);
}
