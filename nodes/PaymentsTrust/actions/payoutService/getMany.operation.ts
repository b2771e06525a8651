import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { forEachItem } from '../../helpers/items';
import { toFriendlyService } from '../../platform/serviceOutput';
import { listServiceResources } from '../../platform/services';
import { toNodeApiError } from '../../transport/errors';
import { rawOnlyOptions, returnAllAndLimit } from '../common.description';
import { showOnlyFor } from '../displayOptions';

export const description: INodeProperties[] = showOnlyFor(
	'payoutService',
	['getMany'],
	[...returnAllAndLimit, rawOnlyOptions],
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const returnAll = this.getNodeParameter('returnAll', itemIndex) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex) as number);
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const resources = await listServiceResources(this, {
			limit,
			onFailure: (outcome, page) =>
				toNodeApiError(this.getNode(), outcome, {
					action: `List payout-services (page ${page})`,
					itemIndex,
				}),
		});
		return resources.map((resource) =>
			options.includeRaw
				? { ...toFriendlyService(resource), raw: resource }
				: toFriendlyService(resource),
		);
	});
}
