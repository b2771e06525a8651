/**
 * Stand-in for n8n's "Extract from File" (`n8n-nodes-base.extractFromFile`), CSV with a header row only,
 * for running example workflows with n8n-core alone. One item per CSV row, every value a string, as the
 * real node gives them; quoted fields, doubled quotes and line breaks inside quotes are understood.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const char = text[i];
		if (quoted) {
			if (char === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (char === '"') quoted = false;
			else field += char;
		} else if (char === '"') quoted = true;
		else if (char === ',') {
			row.push(field);
			field = '';
		} else if (char === '\n' || char === '\r') {
			if (char === '\r' && text[i + 1] === '\n') i++;
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
		} else field += char;
	}
	if (field !== '' || row.length > 0) {
		row.push(field);
		rows.push(row);
	}
	return rows.filter((cells) => cells.some((cell) => cell !== ''));
}

export class ExtractFromFile implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Extract from File (stand-in)',
		name: 'extractFromFile',
		group: ['input'],
		version: 1,
		description: 'Turns a CSV file in binary "data" into one item per row (test harness stand-in)',
		defaults: { name: 'Extract from File' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				options: [{ name: 'CSV', value: 'csv' }],
				default: 'csv',
			},
			{
				displayName: 'Input Binary Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
			},
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [] },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const output: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const property = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
			const binary = items[itemIndex].binary?.[property];
			if (!binary)
				throw new NodeOperationError(
					this.getNode(),
					`No binary field "${property}" on item ${itemIndex}`,
				);
			const [header, ...rows] = parseCsv(
				Buffer.from(binary.data, 'base64')
					.toString('utf8')
					.replace(/^\uFEFF/, ''),
			);
			for (const cells of rows) {
				const json: IDataObject = {};
				header.forEach((column, index) => (json[column] = cells[index] ?? ''));
				output.push({ json, pairedItem: { item: itemIndex } });
			}
		}
		return [output];
	}
}
