import type { INodeProperties } from 'n8n-workflow';

/**
 * Shows `properties` only for the given resource and operations (merging any display rules they
 * already have).
 */
export function showOnlyFor(
	resource: string,
	operations: string[],
	properties: INodeProperties[],
): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...property.displayOptions?.show, resource: [resource], operation: operations },
		},
	}));
}
