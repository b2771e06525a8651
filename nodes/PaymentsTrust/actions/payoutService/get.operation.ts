import type { IExecuteFunctions, INodeExecutionData, INodeProperties, IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forEachItem } from '../../helpers/items';
import { toFriendlyService } from '../../helpers/service';
import { toNodeApiError } from '../../transport/errors';
import { sendSafe } from '../../transport/request';
import { rawOnlyOptions } from '../common.description';
import { showOnlyFor } from '../displayOptions';

export const description: INodeProperties[] = showOnlyFor('payoutService', ['get'], [
	{
		displayName: 'Payout Service ID',
		name: 'serviceId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'comcpos_RHUGUgEnmmedR7h3',
		description: 'ID of the account’s payout service, as output by Get Many (starts with comcpos_)',
	},
	rawOnlyOptions,
]);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const serviceId = String(this.getNodeParameter('serviceId', itemIndex)).trim();
		// An empty ID would GET the service list and output it as one empty service.
		if (!serviceId) throw new NodeOperationError(this.getNode(), `Row ${itemIndex + 1}: the payout service ID is empty`, { itemIndex });
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const outcome = await sendSafe(this, {
			api: 'private',
			method: 'GET',
			path: `/payout-services/${encodeURIComponent(serviceId)}`,
		});
		if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
			throw toNodeApiError(this.getNode(), outcome, { action: `Get payout service "${serviceId}"`, itemIndex });
		}
		const resource = (outcome.body.data ?? {}) as IDataObject;
		return options.includeRaw ? { ...toFriendlyService(resource), raw: resource } : toFriendlyService(resource);
	});
}
