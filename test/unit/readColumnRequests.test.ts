/**
 * Issue 21: in "Columns of Each Input Item" mode no node parameter is read per row (so no n8n expression is
 * evaluated per row), except a collection that holds an expression, which must be evaluated for each row rather
 * than once for all. A counting stand-in for n8n's context shows which parameters were read for which item.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { readColumnRequests } from '../../nodes/PaymentsTrust/actions/payoutInvoice/rowReaders/readColumnRequests';

function countingContext(parameters: IDataObject) {
	const reads: Array<[string, number]> = [];
	const node = { name: 'PaymentsTrust', parameters } as unknown as INode;
	const ctx = {
		getNode: () => node,
		getNodeParameter: (name: string, itemIndex: number, fallback: unknown) => {
			reads.push([name, itemIndex]);
			const value = parameters[name];
			// A stand-in for n8n's evaluation: "={{ row }}" gives the item's index.
			if (value && typeof value === 'object' && !Array.isArray(value))
				return Object.fromEntries(
					Object.entries(value).map(([key, entry]) => [
						key,
						entry === '={{ row }}' ? `row ${itemIndex}` : entry,
					]),
				);
			return value ?? fallback;
		},
	} as unknown as IExecuteFunctions;
	return { ctx, reads };
}

const ROWS: INodeExecutionData[] = Array.from({ length: 500 }, (_, index) => ({
	json: {
		reference_id: `r-${index}`,
		service: 'test_usd',
		currency: 'USD',
		amount: '1.00',
		account: index,
	},
}));

it('reads every node parameter once for the whole run, whatever the number of rows', () => {
	const { ctx, reads } = countingContext({
		rowsFrom: 'columns',
		additionalFields: { description: 'same for all', metadata: '{"a":1}' },
		invoiceOptions: { split_mode: true },
	});
	const requests = readColumnRequests(ctx, ROWS);
	expect(requests).toHaveLength(500);
	expect(reads.every(([, itemIndex]) => itemIndex === 0)).toBe(true);
	expect(reads.length).toBeLessThanOrEqual(3);
	expect(requests[499]).toMatchObject({
		referenceId: 'r-499',
		fields: { account: '499' },
		fieldsAutoMapped: true,
		extra: { description: 'same for all', metadata: { a: 1 }, options: { split_mode: true } },
	});
	// Each row has its own extras: shaping one row cannot change another's.
	expect(requests[0].extra).not.toBe(requests[1].extra);
});

it('evaluates a collection that holds an expression for each row, never once for all', () => {
	const { ctx, reads } = countingContext({
		rowsFrom: 'columns',
		additionalFields: { description: '={{ row }}' },
	});
	const requests = readColumnRequests(ctx, ROWS);
	expect(requests.map((request) => request.extra.description)).toEqual(
		ROWS.map((_, index) => `row ${index}`),
	);
	expect(
		new Set(reads.filter(([name]) => name === 'additionalFields').map(([, i]) => i)).size,
	).toBe(500);
});
