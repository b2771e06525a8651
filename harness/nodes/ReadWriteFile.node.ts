/**
 * Stand-in for n8n's "Read/Write Files from Disk" (`n8n-nodes-base.readWriteFile`), read operation only,
 * for running example workflows with n8n-core alone (n8n-nodes-base cannot be installed here: one of its
 * dependencies is fetched from outside the npm registry). It emits the file as binary `data`, as the real
 * node does; the end-to-end suite runs the same workflows with the real node in a real n8n.
 */
import { readFile } from 'fs/promises';
import { basename } from 'path';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export class ReadWriteFile implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Read/Write Files from Disk (stand-in)',
		name: 'readWriteFile',
		group: ['input'],
		version: 1,
		description: 'Reads one file from disk into binary "data" (test harness stand-in)',
		defaults: { name: 'Read/Write Files from Disk' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				options: [{ name: 'Read', value: 'read' }],
				default: 'read',
			},
			{ displayName: 'File(s) Selector', name: 'fileSelector', type: 'string', default: '' },
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [] },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const path = this.getNodeParameter('fileSelector', 0) as string;
		let content: Buffer;
		try {
			content = await readFile(path);
		} catch (error) {
			throw new NodeOperationError(
				this.getNode(),
				`Cannot read "${path}": ${(error as Error).message}`,
			);
		}
		return [
			[
				{
					json: { fileName: basename(path), fileSize: content.length },
					binary: {
						data: {
							data: content.toString('base64'),
							mimeType: 'text/csv',
							fileName: basename(path),
							fileExtension: 'csv',
						},
					},
					pairedItem: { item: 0 },
				},
			],
		];
	}
}
