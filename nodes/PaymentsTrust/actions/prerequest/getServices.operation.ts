import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forEachItem, rowName } from '../../helpers/items';
import { isCurrencyCode, parseAmount } from '../../helpers/money';
import { toFriendlyPrerequestService } from '../../platform/serviceOutput';
import { isPrerequestAnswer, servicesOfPrerequest } from '../../platform/serviceFields';
import { assertPrerequestMode } from '../../../shared/environment';
import { toNodeApiError } from '../../transport/errors';
import { sendSafe } from '../../transport/request';
import { showOnlyFor } from '../displayOptions';
import type { OperationRun } from '../operation';

export const description: INodeProperties[] = showOnlyFor(
	'prerequest',
	['getServices'],
	[
		{
			displayName: 'Currency',
			name: 'currency',
			type: 'string',
			required: true,
			default: 'USD',
			placeholder: 'e.g. USD',
			description: 'Three-letter ISO code of the invoice currency',
		},
		{
			displayName: 'Amount',
			name: 'amount',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. 100.55',
			description:
				'Amount to pay out, as a plain decimal number. Only services whose limits allow it are ' +
				'returned.',
		},
	],
);

/**
 * Pre-request (Public API): which services can pay this amount in this currency, with their fields
 * and limits.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: OperationRun,
): Promise<INodeExecutionData[]> {
	const { publicKey, testMode } = run.endpoints;
	return await forEachItem(this, items, async (itemIndex) => {
		const currency = String(this.getNodeParameter('currency', itemIndex)).trim().toUpperCase();
		const rawAmount = this.getNodeParameter('amount', itemIndex) as unknown;
		if (!isCurrencyCode(currency)) {
			throw new NodeOperationError(
				this.getNode(),
				`${rowName(itemIndex)}: currency "${currency}" is not a 3-letter ISO code`,
				{ itemIndex },
			);
		}
		const amount = parseAmount(rawAmount, currency);
		if (!amount.ok) {
			throw new NodeOperationError(
				this.getNode(),
				`${rowName(itemIndex)}: amount "${String(rawAmount)}" ${amount.rule}`,
				{ itemIndex },
			);
		}
		if (!publicKey) {
			throw new NodeOperationError(
				this.getNode(),
				'The credential has no public key: the pre-request is a Public API call',
				{
					itemIndex,
					description:
						'Add the public key (pk_test_… or pk_live_…) to the PaymentsTrust API credential.',
				},
			);
		}
		const outcome = await sendSafe(
			this,
			{
				api: 'public',
				method: 'POST',
				path: '/payout-prerequest',
				body: { currency, amount: Number(amount.text), public_key: publicKey },
			},
			undefined,
			isPrerequestAnswer,
		);
		if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
			throw toNodeApiError(this.getNode(), outcome, { action: 'Pre-request', itemIndex });
		}
		assertPrerequestMode(this.getNode(), outcome.body, testMode, itemIndex);
		const request = (outcome.body.data ?? {}) as IDataObject;
		return servicesOfPrerequest(outcome.body).map((entry) =>
			toFriendlyPrerequestService(entry, request),
		);
	});
}
