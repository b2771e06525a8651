import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import type { WorkflowJson } from '../../harness/runWorkflow';

export const PT_NODE = 'PaymentsTrust';
export const PT_TYPE = 'n8n-nodes-paymentstrust.paymentsTrust';

/** A complete credential whose host answers nothing (port 9), for contexts that fake the requests. */
export const UNREACHABLE_CREDENTIAL = {
	environment: 'test',
	baseUrl: 'http://127.0.0.1:9',
	privateApiPath: '/api',
	publicApiPath: '/public-api',
	accountId: 'acc-1',
	apiKey: 'api-key-secret',
	publicKey: 'pk_test_1',
	testSecretKey: 'sk_test_1',
};

/** A PaymentsTrust node as n8n hands it to code that needs only the node (errors, tool descriptions). */
export function paymentsTrustNode(overrides: Partial<INode> = {}): INode {
	return {
		id: '1',
		name: PT_NODE,
		type: PT_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		...overrides,
	};
}

/**
 * A workflow of three nodes, as a user would build it: a manual start, the rows (a stand-in for a sheet),
 * and one PaymentsTrust node with the given parameters.
 */
export function paymentsTrustWorkflow(
	parameters: IDataObject,
	rows: IDataObject[] = [{}],
	node: IDataObject = {},
): WorkflowJson {
	return {
		nodes: [
			{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
			{
				name: 'Rows',
				type: 'test.items',
				typeVersion: 1,
				parameters: { items: JSON.stringify(rows) },
			},
			{
				name: PT_NODE,
				type: PT_TYPE,
				typeVersion: 1,
				parameters: parameters as INodeParameters,
				credentials: { paymentsTrustApi: { id: '1', name: 'PaymentsTrust sandbox' } },
				...node,
			},
		],
		connections: {
			Start: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
			Rows: { main: [[{ node: PT_NODE, type: 'main', index: 0 }]] },
		},
	};
}

/** The two ways the payout operations read a row ("Rows From"); money tests run in both. */
export type RowsFrom = 'fields' | 'columns';
export const ROWS_FROM: RowsFrom[] = ['fields', 'columns'];

/**
 * Create / Create and Process parameters for test_usd rows carrying `reference_id`, `amount`, `account`.
 * Fields Below: an expression per field, service and currency defaulting to test_usd and USD for rows without
 * them. Columns of Each Input Item: the node reads the same columns by name; pass the rows through `rowsFor`.
 */
export function payoutParameters(
	operation: string,
	options: IDataObject = {},
	extra: IDataObject = {},
	rowsFrom: RowsFrom = 'fields',
): IDataObject {
	if (rowsFrom === 'columns')
		return { resource: 'payoutInvoice', operation, rowsFrom: 'columns', options, ...extra };
	return {
		resource: 'payoutInvoice',
		operation,
		service: '={{ $json.service ?? "test_usd" }}',
		currency: '={{ $json.currency ?? "USD" }}',
		amount: '={{ $json.amount }}',
		referenceId: '={{ $json.reference_id }}',
		serviceFields: { mappingMode: 'autoMapInputData', value: {}, matchingColumns: [], schema: [] },
		options,
		...extra,
	};
}

/**
 * The rows as `payoutParameters(…, rowsFrom)` reads them: in columns mode a row without a service or currency
 * column gets test_usd and USD, what the Fields Below expressions default to, so both modes see the same payouts.
 */
export function rowsFor(rows: IDataObject[], rowsFrom: RowsFrom): IDataObject[] {
	if (rowsFrom === 'fields') return rows;
	return rows.map((row) => ({
		...row,
		service: row.service ?? 'test_usd',
		currency: row.currency ?? 'USD',
	}));
}

/**
 * A value as an n8n expression hands it to a node: an object, not text (e.g. an approval manifest for Approved
 * Code). Braces are escaped inside the string literal: n8n's template would end the expression at the first "}}"
 * of the JSON.
 */
export const asExpression = (value: unknown): string =>
	`={{ JSON.parse(${JSON.stringify(JSON.stringify(value)).replace(/[{}]/g, (brace) => (brace === '{' ? '\\u007b' : '\\u007d'))}) }}`;
