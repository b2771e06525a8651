import type { INodeProperties } from 'n8n-workflow';

/**
 * The column mode block of the payout operations: where each row's payout comes from (Rows From)
 * and, in "Columns of Each Input Item" mode, which columns hold it (Column Names).
 */

/**
 * Where a row's payout comes from: the fields below (a value or an expression each), or the item's
 * columns.
 */
export const ROWS_FROM_FIELDS = 'fields';
export const ROWS_FROM_COLUMNS = 'columns';

/**
 * The payout's own columns in "Columns of Each Input Item" mode, by default the example sheet's
 * headers (the defaults of the Column Names below, which the linter wants written out as literals,
 * say the same).
 */
export const DEFAULT_COLUMN_NAMES = {
	referenceIdColumn: 'reference_id',
	serviceColumn: 'service',
	currencyColumn: 'currency',
	amountColumn: 'amount',
	descriptionColumn: '',
	rowNumberColumn: '',
};

const columnNameProperties: INodeProperties[] = [
	{
		displayName: 'Amount Column',
		name: 'amountColumn',
		type: 'string',
		default: 'amount',
		description: 'The column holding the amount, as a plain decimal (100.55)',
	},
	{
		displayName: 'Currency Column',
		name: 'currencyColumn',
		type: 'string',
		default: 'currency',
		description: 'The column holding the three-letter currency code',
	},
	{
		displayName: 'Description Column',
		name: 'descriptionColumn',
		type: 'string',
		default: '',
		placeholder: 'e.g. note',
		description:
			"The column whose text becomes the invoice's description; empty: none (or the Description " +
			'under Additional Fields)',
	},
	{
		displayName: 'Reference ID Column',
		name: 'referenceIdColumn',
		type: 'string',
		default: 'reference_id',
		description:
			'The column holding your unique ID of the payout: the idempotency key, never paid twice',
	},
	{
		displayName: 'Row Number Column',
		name: 'rowNumberColumn',
		type: 'string',
		default: '',
		placeholder: 'e.g. row_number',
		description:
			'The column holding each row’s number in your sheet (row_number from Google Sheets, id of ' +
			'a Data Table): messages and items name that row, whichever chunk or position it came in. ' +
			'Empty, or a row without a whole number there: the item’s position.',
	},
	{
		displayName: 'Service Column',
		name: 'serviceColumn',
		type: 'string',
		default: 'service',
		description: 'The column holding the payout service code (e.g. test_usd) or ID (comcpos_…)',
	},
];

export const rowsFromProperty: INodeProperties = {
	displayName: 'Rows From',
	name: 'rowsFrom',
	type: 'options',
	noDataExpression: true,
	// Fields Below by default: a value or an expression per field, as n8n's own nodes take them.
	default: ROWS_FROM_FIELDS,
	options: [
		{
			name: 'Fields Below',
			value: ROWS_FROM_FIELDS,
			description:
				'Set the service, amount, reference ID and fields with a value or an expression each',
		},
		{
			name: 'Columns of Each Input Item',
			value: ROWS_FROM_COLUMNS,
			description:
				'Read them from each item’s columns by name (a sheet or CSV row): no expression per row, ' +
				'fastest for large sheets',
		},
	],
	description: 'Where each row’s payout comes from',
};

export const columnNamesProperty: INodeProperties = {
	displayName: 'Column Names',
	name: 'columnNames',
	type: 'collection',
	placeholder: 'Change a column name',
	default: {},
	displayOptions: { show: { rowsFrom: [ROWS_FROM_COLUMNS] } },
	description:
		'Which columns hold the payout. Defaults: reference_id, service, currency, amount. Every ' +
		'other column is a candidate service field, sent when the row’s service declares a field ' +
		'of that name.',
	options: columnNameProperties,
};
