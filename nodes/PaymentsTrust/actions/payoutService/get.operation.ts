import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	IDataObject,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forEachItem, rowName } from '../../helpers/items';
import { readServiceLocator } from '../../helpers/locator';
import { toFriendlyService } from '../../platform/serviceOutput';
import { findServiceResource, getServiceById } from '../../platform/services';
import { toNodeApiError } from '../../transport/errors';
import { rawOnlyOptions } from '../common.description';
import { showOnlyFor } from '../displayOptions';
import { serviceLocator } from '../locators.description';

export const description: INodeProperties[] = showOnlyFor(
	'payoutService',
	['get'],
	[
		// Named serviceId as before the picker, so saved workflows keep their value.
		serviceLocator(
			'The payout service: from the list, by its code (e.g. test_usd) or by its ID (comcpos_…)',
			'serviceId',
		),
		rawOnlyOptions,
	],
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const located = readServiceLocator(this.getNodeParameter('serviceId', itemIndex));
		// An empty value would GET the service list and output it as one empty service.
		if (!located.value) {
			throw new NodeOperationError(
				this.getNode(),
				`${rowName(itemIndex)}: no payout service chosen`,
				{
					itemIndex,
					description:
						'Pick a payout service from the list, or give its code (e.g. test_usd) or ID ' +
						'(comcpos_…).',
				},
			);
		}
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		let resource: IDataObject | undefined;
		if (located.mode === 'id') {
			const outcome = await getServiceById(this, located.value);
			if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
				throw toNodeApiError(this.getNode(), outcome, {
					action: `Get payout service "${located.value}"`,
					itemIndex,
				});
			}
			resource = (outcome.body.data ?? {}) as IDataObject;
		} else {
			resource = await findServiceResource(this, located, (outcome) =>
				toNodeApiError(this.getNode(), outcome, { action: 'List payout services', itemIndex }),
			);
		}
		if (!resource) {
			throw new NodeOperationError(
				this.getNode(),
				`${rowName(itemIndex)}: the account has no payout service "${located.value}"`,
				{
					itemIndex,
					description:
						'Pick the service from the list, or check the code or ID (Payout Service → Get Many ' +
						'lists them all).',
				},
			);
		}
		return options.includeRaw
			? { ...toFriendlyService(resource), raw: resource }
			: toFriendlyService(resource);
	});
}
