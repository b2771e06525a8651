import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { jsonParse, NodeOperationError } from 'n8n-workflow';

import { readServiceLocator } from '../../../helpers/locator';
import type { PayoutRequest } from '../../../payouts/types';
import { referenceIdText } from '../../../payouts/validateRows';

const ADDRESS_KEYS = ['country', 'region', 'city', 'street', 'full_address', 'post_code'];
/**
 * Columns that are the payout itself, never a recipient field, when fields are matched by column
 * name.
 */
const PAYOUT_COLUMNS = ['reference_id', 'referenceId', 'service', 'currency', 'amount'];
const INVOICE_OPTION_KEYS = ['auto_process', 'split_mode', 'parallel_mode', 'allow_partially'];

function jsonObject(
	ctx: IExecuteFunctions,
	value: unknown,
	name: string,
	itemIndex: number,
): IDataObject {
	if (value === undefined || value === null || value === '') return {};
	const parsed =
		typeof value === 'string' ? jsonParse<unknown>(value, { fallbackValue: undefined }) : value;
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new NodeOperationError(ctx.getNode(), `${name} must be a JSON object`, { itemIndex });
	}
	return parsed as IDataObject;
}

function withoutBlanks(source: IDataObject): IDataObject {
	return Object.fromEntries(
		Object.entries(source).filter(
			([, value]) => value !== '' && value !== undefined && value !== null,
		),
	);
}

/**
 * The recipient fields of a row: mapped in the UI, or matched by column name (auto-map), plus extra
 * JSON.
 */
function readFields(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	extraFields: IDataObject,
): IDataObject {
	const mappingMode = ctx.getNodeParameter(
		'serviceFields.mappingMode',
		itemIndex,
		'defineBelow',
	) as string;
	let fields: IDataObject;
	if (mappingMode === 'autoMapInputData') {
		const schema = ctx.getNodeParameter('serviceFields.schema', itemIndex, []) as Array<{
			id: string;
			removed?: boolean;
		}>;
		const keys = schema.filter((field) => !field.removed).map((field) => field.id);
		// No schema: the service comes from an expression (a column), so its fields are not known yet.
		// Every column goes forward and the run keeps those the service declares (see
		// PayoutRequest.fieldsAutoMapped).
		fields =
			keys.length > 0
				? Object.fromEntries(
						keys.filter((key) => key in item.json).map((key) => [key, item.json[key]]),
					)
				: candidateFields(item.json, PAYOUT_COLUMNS);
	} else {
		fields = (ctx.getNodeParameter('serviceFields.value', itemIndex, {}) ?? {}) as IDataObject;
	}
	return serviceFieldValues(fields, extraFields);
}

/**
 * Every column of a row but the payout's own: the service fields when the service is not known in
 * advance.
 */
export function candidateFields(json: IDataObject, payoutColumns: string[]): IDataObject {
	return Object.fromEntries(Object.entries(json).filter(([key]) => !payoutColumns.includes(key)));
}

/**
 * A row's service fields as the API takes them: extra JSON over the mapped ones, blanks dropped,
 * values as text.
 */
export function serviceFieldValues(fields: IDataObject, extraFields: IDataObject): IDataObject {
	const merged = withoutBlanks({ ...fields, ...extraFields });
	// The API takes field values as text; a sheet may hand over numbers (an account number, say).
	for (const [key, value] of Object.entries(merged)) {
		// A number beyond the safe integer range stays a number so that validation refuses it (digits
		// already lost).
		if (
			(typeof value === 'number' && Math.abs(value) <= Number.MAX_SAFE_INTEGER) ||
			typeof value === 'boolean'
		)
			merged[key] = String(value);
	}
	return merged;
}

function readCustomer(
	ctx: IExecuteFunctions,
	customer: IDataObject,
	itemIndex: number,
): IDataObject | undefined {
	const filled = withoutBlanks(customer);
	if (Object.keys(filled).length === 0) return undefined;
	const result: IDataObject = {};
	const address: IDataObject = {};
	for (const [key, value] of Object.entries(filled)) {
		if (ADDRESS_KEYS.includes(key)) address[key] = value;
		else if (key === 'metadata') {
			const metadata = jsonObject(ctx, value, 'customer metadata', itemIndex);
			if (Object.keys(metadata).length) result.metadata = metadata;
		} else result[key] = value;
	}
	if (Object.keys(address).length) result.address = address;
	return result;
}

/**
 * A row whose payout could not be read at all: refused by validation like any other invalid row.
 */
export function unreadableRequest(
	itemIndex: number,
	referenceId: string,
	error: unknown,
): PayoutRequest {
	return {
		itemIndex,
		referenceId,
		service: '',
		currency: '',
		amount: '',
		fields: {},
		extra: {},
		unreadable: `could not be read: ${(error as Error).message}`,
	};
}

/**
 * Reads one payout per input item from the fields below, every parameter evaluated for its item
 * (the other mode, "Columns of Each Input Item", is readColumnRequests.ts); checks come later, all
 * rows at once. A row whose parameters cannot be read (an expression that fails, JSON that is not
 * an object) becomes a refused row like any other invalid row, so it does not stop the others.
 */
export function readPayoutRequests(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
): PayoutRequest[] {
	return items.map((item, itemIndex) => {
		try {
			return readPayoutRequest(ctx, item, itemIndex);
		} catch (error) {
			let referenceId = '';
			try {
				referenceId = String(ctx.getNodeParameter('referenceId', itemIndex, '') ?? '').trim();
			} catch {
				// the reference ID is what could not be read
			}
			return unreadableRequest(itemIndex, referenceId, error);
		}
	});
}

/** What Additional Fields and Invoice Options add to a row's invoice, shaped for the API. */
export interface InvoiceExtras {
	extra: IDataObject;
	/**
	 * "Extra Service Fields (JSON)", merged over the row's service fields; never carries test_mode.
	 */
	extraFields: IDataObject;
	/**
	 * A `test_mode` the extra fields JSON asked for: taken out here, checked against the credential by
	 * the run.
	 */
	requestedTestMode?: unknown;
}

/** Additional Fields and Invoice Options (as read for one item) as the invoice body's extras. */
export function invoiceExtras(
	ctx: IExecuteFunctions,
	additional: IDataObject,
	invoiceOptions: IDataObject,
	itemIndex: number,
): InvoiceExtras {
	const extra: IDataObject = {};
	if (additional.callbackUrl) extra.callback_url = String(additional.callbackUrl);
	if (additional.description) extra.description = String(additional.description);
	if (typeof additional.token === 'string' && additional.token.trim())
		extra.token = additional.token.trim();
	const customer = readCustomer(ctx, (additional.customer ?? {}) as IDataObject, itemIndex);
	if (customer) extra.customer = customer;
	const context = jsonObject(ctx, additional.context, 'context', itemIndex);
	if (Object.keys(context).length) extra.context = context;
	const metadata = jsonObject(ctx, additional.metadata, 'metadata', itemIndex);
	if (Object.keys(metadata).length) extra.metadata = metadata;
	const options = Object.fromEntries(
		INVOICE_OPTION_KEYS.filter((key) => key in invoiceOptions).map((key) => [
			key,
			invoiceOptions[key] === true,
		]),
	);
	if (Object.keys(options).length) extra.options = options;
	const extraFields = jsonObject(ctx, additional.extraFields, 'extra service fields', itemIndex);
	// test_mode comes from the credential only; one in the extra fields JSON is taken out and checked
	// by the run.
	const requestedTestMode = extraFields.test_mode;
	delete extraFields.test_mode;
	return {
		extra,
		extraFields,
		...(requestedTestMode !== undefined ? { requestedTestMode } : {}),
	};
}

function readPayoutRequest(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
): PayoutRequest {
	const { extra, extraFields, requestedTestMode } = invoiceExtras(
		ctx,
		ctx.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject,
		ctx.getNodeParameter('invoiceOptions', itemIndex, {}) as IDataObject,
		itemIndex,
	);
	const reference = referenceIdText(ctx.getNodeParameter('referenceId', itemIndex, ''));
	return {
		itemIndex,
		referenceId: 'text' in reference ? reference.text : '',
		referenceIdRule: 'rule' in reference ? reference.rule : undefined,
		service: readServiceLocator(ctx.getNodeParameter('service', itemIndex, '')).value,
		currency: String(ctx.getNodeParameter('currency', itemIndex, '') ?? '')
			.trim()
			.toUpperCase(),
		amount: ctx.getNodeParameter('amount', itemIndex, '') as unknown,
		fields: readFields(ctx, item, itemIndex, extraFields),
		fieldsAutoMapped:
			ctx.getNodeParameter('serviceFields.mappingMode', itemIndex, 'defineBelow') ===
				'autoMapInputData' &&
			(ctx.getNodeParameter('serviceFields.schema', itemIndex, []) as unknown[]).length === 0,
		extra,
		...(requestedTestMode !== undefined ? { requestedTestMode } : {}),
	};
}
