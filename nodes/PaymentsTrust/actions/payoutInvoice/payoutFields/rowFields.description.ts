import type { INodeProperties } from 'n8n-workflow';

import { serviceLocator } from '../../locators.description';
import { ROWS_FROM_FIELDS } from './columnMode.description';

/**
 * The row fields block of the payout operations: what one payout is (service, currency, amount,
 * reference ID, the service's recipient fields, in Fields Below mode only) and what its invoice
 * carries besides (Additional Fields, Invoice Options, in both modes).
 */

const customerFields: INodeProperties[] = [
	{ displayName: 'City', name: 'city', type: 'string', default: '', description: 'Address: city' },
	{
		displayName: 'Country',
		name: 'country',
		type: 'string',
		default: '',
		placeholder: 'e.g. US',
		description: 'Address: country',
	},
	{
		displayName: 'Customer Metadata (JSON)',
		name: 'metadata',
		type: 'json',
		default: '{}',
		description: 'Any key-value data about the recipient',
	},
	{
		displayName: 'Customer Reference ID',
		name: 'reference_id',
		type: 'string',
		default: '',
		description: 'Your ID of the recipient (required by the API when a customer is sent)',
	},
	{
		displayName: 'Date of Birth',
		name: 'date_of_birth',
		type: 'string',
		default: '',
		placeholder: 'e.g. 1990-12-31',
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
	},
	{
		displayName: 'Full Address',
		name: 'full_address',
		type: 'string',
		default: '',
		description: 'Address: the whole address on one line',
	},
	{ displayName: 'Individual Tax ID', name: 'individual_tax_id', type: 'string', default: '' },
	{ displayName: 'Name', name: 'name', type: 'string', default: '' },
	{ displayName: 'Phone', name: 'phone', type: 'string', default: '' },
	{
		displayName: 'Post Code',
		name: 'post_code',
		type: 'string',
		default: '',
		description: 'Address: post code',
	},
	{
		displayName: 'Region',
		name: 'region',
		type: 'string',
		default: '',
		description: 'Address: region or state',
	},
	{
		displayName: 'Street',
		name: 'street',
		type: 'string',
		default: '',
		description: 'Address: street',
	},
];

/** The fields that say the payout itself: shown in Fields Below mode only. */
const onlyForFieldsBelow = (property: INodeProperties): INodeProperties => ({
	...property,
	displayOptions: { show: { rowsFrom: [ROWS_FROM_FIELDS] } },
});

export const payoutFieldProperties: INodeProperties[] = (
	[
		serviceLocator(
			'The payout service to pay through. Pick it from the list, type its code (e.g. test_usd) ' +
				'or its ID (comcpos_…), or map a column with an expression.',
		),
		{
			displayName: 'Currency',
			name: 'currency',
			type: 'string',
			required: true,
			default: 'USD',
			placeholder: 'e.g. USD',
			description:
				'Three-letter ISO code of the invoice currency; it must be the currency the service takes',
		},
		{
			displayName: 'Amount',
			name: 'amount',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. 100.55',
			description:
				'Amount to pay, as a plain decimal (100.55). Text from a sheet is fine; "1,000", "abc", ' +
				'negative amounts or more decimals than the currency has are refused before anything is ' +
				'sent.',
		},
		{
			displayName: 'Reference ID',
			name: 'referenceId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. order-2024-0001',
			description:
				'Your unique ID for this payout, e.g. a column of your sheet. It is the idempotency key: ' +
				'the same reference ID is never paid twice, so a run can safely be repeated.',
		},
		{
			displayName: 'Service Fields',
			name: 'serviceFields',
			type: 'resourceMapper',
			noDataExpression: true,
			default: { mappingMode: 'defineBelow', value: null },
			required: true,
			typeOptions: {
				loadOptionsDependsOn: ['service.value'],
				resourceMapper: {
					resourceMapperMethod: 'getServiceFields',
					mode: 'add',
					fieldWords: { singular: 'field', plural: 'fields' },
					addAllFields: true,
					multiKeyMatch: false,
					supportAutoMap: true,
					// No red "No fields found" before a service is chosen: the notice from getServiceFields says
					// what to do.
					hideNoDataError: true,
					noFieldsError: 'Choose a service above to map its recipient fields',
				},
			},
			description:
				'The recipient details the chosen service asks for (account, card number, IBAN, …)',
		},
	] as INodeProperties[]
).map(onlyForFieldsBelow);

export const additionalFieldsProperty: INodeProperties = {
	displayName: 'Additional Fields',
	name: 'additionalFields',
	type: 'collection',
	placeholder: 'Add field',
	default: {},
	description:
		'With Rows From "Columns of Each Input Item", a value here applies to every row; a field ' +
		'holding an expression is evaluated for each row (slower)',
	options: [
		{
			displayName: 'Callback URL',
			name: 'callbackUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://your-n8n.example.com/webhook/…/paymentstrust',
			description:
				'Where PaymentsTrust POSTs status changes of this invoice. Paste the production URL of a ' +
				'PaymentsTrust Trigger node to react to outcomes.',
		},
		{
			displayName: 'Card Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'A saved card token to pay to instead of the card details. The service’s card fields are ' +
				'then optional; when they are given too, they take priority over the token.',
		},
		{
			displayName: 'Context (JSON)',
			name: 'context',
			type: 'json',
			default: '{}',
			description: 'Additional recipient data such as the card holder or card expiry',
		},
		{
			displayName: 'Customer',
			name: 'customer',
			type: 'collection',
			placeholder: 'Add customer field',
			default: {},
			options: customerFields,
		},
		{ displayName: 'Description', name: 'description', type: 'string', default: '' },
		{
			displayName: 'Extra Service Fields (JSON)',
			name: 'extraFields',
			type: 'json',
			default: '{}',
			description:
				'Service fields given as JSON, merged over the mapped ones: handy when the service is ' +
				'chosen by an expression',
		},
		{
			displayName: 'Metadata (JSON)',
			name: 'metadata',
			type: 'json',
			default: '{}',
			description: 'Your own key-value data, returned with the invoice',
		},
	],
};

export const invoiceOptionsProperty: INodeProperties = {
	displayName: 'Invoice Options',
	name: 'invoiceOptions',
	type: 'collection',
	placeholder: 'Add invoice option',
	default: {},
	description:
		'Processing options of the invoice; check which your account supports with your ' +
		'PaymentsTrust manager',
	options: [
		{
			displayName: 'Allow Partially',
			name: 'allow_partially',
			type: 'boolean',
			default: false,
			description: 'Whether partial processing is allowed',
		},
		{
			displayName: 'Auto Process',
			name: 'auto_process',
			type: 'boolean',
			default: false,
			description:
				'Whether the platform processes the invoice right after creating it (Create then moves money)',
			// Create and Process and Validate say it with Processing (processingProperty).
			displayOptions: { show: { '/operation': ['create'] } },
		},
		{
			displayName: 'Parallel Mode',
			name: 'parallel_mode',
			type: 'boolean',
			default: false,
			description: 'Whether split parts are processed in parallel rather than one after another',
		},
		{
			displayName: 'Split Mode',
			name: 'split_mode',
			type: 'boolean',
			default: false,
			description: 'Whether an amount above the service maximum is split into parts (at most 100)',
		},
	],
};
