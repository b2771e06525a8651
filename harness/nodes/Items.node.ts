/**
 * Test-only items source (`test.items`): emits the items given in its `items` parameter once, whatever its
 * input. Lets a fixture feed a product node several items (with expressions reading `$json`) without
 * needing n8n's Code or Set node. `items` is a JSON array of objects, as a string (as in exported JSON) or
 * an array; each object becomes one item's `json`.
 */
import { NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

export class Items implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Test Items',
		name: 'items',
		group: ['input'],
		version: 1,
		description: 'Emits fixed items (test harness only)',
		defaults: { name: 'Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{
				displayName: 'Items',
				name: 'items',
				type: 'json',
				default: '[]',
				description: 'JSON array of objects; each becomes one output item',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[] | IDataObject;
		let parsed: unknown = raw;
		if (typeof raw === 'string') {
			try {
				parsed = JSON.parse(raw);
			} catch (error) {
				throw new NodeOperationError(
					this.getNode(),
					`"items" is not valid JSON: ${(error as Error).message}`,
				);
			}
		}
		const list = Array.isArray(parsed) ? parsed : [parsed];
		// Every emitted item stems from the first input item, so `$('Items').item` style expressions resolve.
		return [list.map((json) => ({ json: json as IDataObject, pairedItem: { item: 0 } }))];
	}
}
