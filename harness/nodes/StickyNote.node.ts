/**
 * Stand-in for n8n's Sticky Note (`n8n-nodes-base.stickyNote`): a note on the canvas for the reader, never run.
 * Example workflows carry them, so the engine must know the type.
 */
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

export class StickyNote implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sticky Note',
		name: 'stickyNote',
		group: ['input'],
		version: 1,
		description: 'Make your workflow easier to understand',
		defaults: { name: 'Sticky Note' },
		inputs: [],
		outputs: [],
		properties: [
			{ displayName: 'Content', name: 'content', type: 'string', default: '' },
			{ displayName: 'Height', name: 'height', type: 'number', default: 160 },
			{ displayName: 'Width', name: 'width', type: 'number', default: 240 },
		],
	};
}
