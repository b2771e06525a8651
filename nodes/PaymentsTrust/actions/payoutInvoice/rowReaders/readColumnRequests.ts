import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readServiceLocator } from '../../../helpers/locator';
import type { PayoutRequest } from '../../../payouts/types';
import { referenceIdText } from '../../../payouts/validateRows';
import { DEFAULT_COLUMN_NAMES } from '../payoutFields/columnMode.description';
import {
	candidateFields,
	invoiceExtras,
	serviceFieldValues,
	unreadableRequest,
	type InvoiceExtras,
} from './readPayoutRequests';

/*
 * "Rows From: Columns of Each Input Item". Each row's payout is read from its item's JSON by column
 * name, and every node parameter is read once for the run: no n8n expression is evaluated per row.
 * In n8n 2.x evaluating a row's expressions was about half of the CPU a bulk run costs
 * (bench/analysis-real-n8n.md).
 *
 * Additional Fields and Invoice Options apply to every row as set. A collection that holds an
 * expression is the exception: an expression there (`{{ $json.note }}`) may mean a value per row,
 * and evaluating it once would give every row the first row's value without a word, so such a
 * collection is evaluated for each item, as in Fields Below mode (and costs what it costs there).
 * Column Names are read once: they name columns, not values.
 *
 * The rows then go through exactly the same checks as in Fields Below mode
 * (payouts/validateRows.ts).
 */

type ColumnNames = typeof DEFAULT_COLUMN_NAMES;

const COLUMN_LABELS: Record<keyof ColumnNames, string> = {
	referenceIdColumn: 'Reference ID Column',
	serviceColumn: 'Service Column',
	currencyColumn: 'Currency Column',
	amountColumn: 'Amount Column',
	descriptionColumn: 'Description Column',
	rowNumberColumn: 'Row Number Column',
};

/** Columns that may be left empty in Column Names: they are optional. */
const OPTIONAL_COLUMNS: Array<keyof ColumnNames> = ['descriptionColumn', 'rowNumberColumn'];

/**
 * Columns that are never a service field: test or live is the credential's to say, not a sheet's.
 */
const NEVER_A_SERVICE_FIELD = ['test_mode'];

function settingError(ctx: IExecuteFunctions, message: string, hint: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), message, {
		description: `Nothing was sent: column names are checked before any money moves. ${hint}`,
	});
}

/**
 * The Column Names as set, checked: a name that cannot apply as written stops the run before
 * anything is sent.
 */
function readColumnNames(ctx: IExecuteFunctions): ColumnNames {
	const given = ctx.getNodeParameter('columnNames', 0, {}) as IDataObject;
	const names = { ...DEFAULT_COLUMN_NAMES };
	for (const key of Object.keys(names) as Array<keyof ColumnNames>) {
		if (given[key] === undefined || given[key] === null) continue;
		if (typeof given[key] !== 'string')
			throw settingError(
				ctx,
				`Column Names: "${COLUMN_LABELS[key]}" must be a column name, not ${typeof given[key]}`,
				'Type the column’s header as text.',
			);
		names[key] = given[key].trim();
		if (!names[key] && !OPTIONAL_COLUMNS.includes(key))
			throw settingError(
				ctx,
				`Column Names: "${COLUMN_LABELS[key]}" is empty`,
				`Type the header of the column that holds it, or remove the setting to use ` +
					`"${DEFAULT_COLUMN_NAMES[key]}".`,
			);
	}
	const used = new Map<string, string>();
	for (const [key, name] of Object.entries(names) as Array<[keyof ColumnNames, string]>) {
		if (!name) continue;
		const other = used.get(name);
		if (other)
			throw settingError(
				ctx,
				`Column Names: "${other}" and "${COLUMN_LABELS[key]}" both name column "${name}"`,
				'Each part of the payout needs a column of its own.',
			);
		used.set(name, COLUMN_LABELS[key]);
	}
	return names;
}

/**
 * A column named in the settings that no input item has is a typo or another sheet, not a row
 * problem: the run stops before anything is sent and says which columns the items do have. A column
 * missing from some rows only leaves those rows blank there, and validation refuses them as it
 * would an empty cell.
 */
function ensureColumnsExist(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	names: ColumnNames,
): void {
	if (items.length === 0) return;
	for (const [key, name] of Object.entries(names) as Array<[keyof ColumnNames, string]>) {
		if (!name || items.some((item) => name in item.json)) continue;
		const seen = Object.keys(items[0].json).slice(0, 30);
		throw settingError(
			ctx,
			`Column "${name}" (${COLUMN_LABELS[key]}) is in none of the ${items.length} input items`,
			`The first item's columns are: ` +
				`${seen.length ? seen.map((column) => `"${column}"`).join(', ') : 'none'}. ` +
				`Set Column Names to your sheet's headers.`,
		);
	}
}

function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

/**
 * Additional Fields and Invoice Options as extras for each item: read and shaped once for the run
 * when neither holds an expression, else evaluated for each item. An error while reading them
 * refuses the row (every row, when read once), like an unreadable row in Fields Below mode.
 */
function extrasReader(ctx: IExecuteFunctions): (itemIndex: number) => InvoiceExtras {
	const parameters = ctx.getNode().parameters;
	const perItem =
		holdsExpression(parameters.additionalFields) || holdsExpression(parameters.invoiceOptions);
	const read = (itemIndex: number) =>
		invoiceExtras(
			ctx,
			ctx.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject,
			ctx.getNodeParameter('invoiceOptions', itemIndex, {}) as IDataObject,
			itemIndex,
		);
	if (perItem) return read;
	let once: { extras: InvoiceExtras } | { error: unknown } | undefined;
	return () => {
		if (!once) {
			try {
				once = { extras: read(0) };
			} catch (error) {
				once = { error };
			}
		}
		if ('error' in once) throw once.error;
		// Each row gets its own copies: rows are shaped and checked one by one.
		const { extra, extraFields, requestedTestMode } = once.extras;
		return {
			extra: { ...extra },
			extraFields: { ...extraFields },
			...(requestedTestMode !== undefined ? { requestedTestMode } : {}),
		};
	};
}

function readColumnRequest(
	item: INodeExecutionData,
	itemIndex: number,
	names: ColumnNames,
	payoutColumns: string[],
	extras: InvoiceExtras,
): PayoutRequest {
	const json = item.json;
	const { extra, extraFields, requestedTestMode } = extras;
	if (names.descriptionColumn) {
		const description = json[names.descriptionColumn];
		if (description !== undefined && description !== null && String(description).trim() !== '')
			extra.description = String(description);
	}
	const reference = referenceIdText(json[names.referenceIdColumn]);
	return {
		itemIndex,
		...(names.rowNumberColumn ? { row: rowNumber(json[names.rowNumberColumn]) } : {}),
		referenceId: 'text' in reference ? reference.text : '',
		referenceIdRule: 'rule' in reference ? reference.rule : undefined,
		service: readServiceLocator(json[names.serviceColumn]).value,
		currency: String(json[names.currencyColumn] ?? '')
			.trim()
			.toUpperCase(),
		amount: json[names.amountColumn],
		// The service is a column, so its fields are known only now: every other column goes forward and
		// the run keeps those the row's service declares, as auto-mapping does in Fields Below mode.
		fields: serviceFieldValues(candidateFields(json, payoutColumns), extraFields),
		fieldsAutoMapped: true,
		extra,
		...(requestedTestMode !== undefined ? { requestedTestMode } : {}),
	};
}

/**
 * A row's number as its sheet gives it (a number, or text of digits). Anything else names the row
 * by its place instead: the number only names the row in messages, it never decides what is paid.
 */
function rowNumber(value: unknown): number | undefined {
	const number =
		typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
	return Number.isSafeInteger(number) && number >= 1 ? number : undefined;
}

/** One payout per input item, read from the item's columns by name (see the comment at the top). */
export function readColumnRequests(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
): PayoutRequest[] {
	const names = readColumnNames(ctx);
	ensureColumnsExist(ctx, items, names);
	const payoutColumns = [...Object.values(names).filter(Boolean), ...NEVER_A_SERVICE_FIELD];
	const extrasFor = extrasReader(ctx);
	return items.map((item, itemIndex) => {
		try {
			return readColumnRequest(item, itemIndex, names, payoutColumns, extrasFor(itemIndex));
		} catch (error) {
			const reference = referenceIdText(item.json[names.referenceIdColumn]);
			return unreadableRequest(itemIndex, 'text' in reference ? reference.text : '', error);
		}
	});
}
