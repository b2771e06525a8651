import type { IDataObject, ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { servicesOfPrerequest } from '../helpers/serviceFields';
import { describeOutcome } from '../transport/errors';
import { endpointsFor, sendSafe } from '../transport/request';
import { listAccountServices } from './loadOptions';

/**
 * The recipient fields of the chosen service, for the mapper. Only the pre-request (Public API) describes
 * fields, and it wants a currency and an amount: the service's own currency and minimum are used, so any
 * row of any amount maps onto the same field list.
 */
export async function getServiceFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	// Raw: an expression (a service from a column) cannot be evaluated here, there is no input item to read.
	const code = this.getNodeParameter('service', '', { rawExpressions: true }) as string;
	if (!code || code.startsWith('=')) {
		return { fields: [], emptyFieldsNotice: 'Choose a service from the list to map its fields, or give them as Extra Service Fields (JSON)' };
	}
	const service = (await listAccountServices(this)).find((entry) => entry.service === code);
	if (!service) return { fields: [], emptyFieldsNotice: `The account has no payout service "${code}"` };
	const { publicKey } = await endpointsFor(this);
	if (!publicKey) {
		return { fields: [], emptyFieldsNotice: 'Add the public key to the credential to load the service’s fields' };
	}
	const outcome = await sendSafe(this, {
		api: 'public',
		method: 'POST',
		path: '/payout-prerequest',
		body: { currency: service.currency, amount: Number(service.amount_min ?? 1) || 1, public_key: publicKey },
	});
	if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
		throw new NodeOperationError(this.getNode(), `Could not load the fields of "${code}": ${describeOutcome(outcome)}`);
	}
	const entry = servicesOfPrerequest(outcome.body).find((candidate) => candidate.code === code);
	const fields: ResourceMapperField[] = ((entry?.fields ?? []) as IDataObject[]).map((field) => {
		const label = (field.label ?? {}) as IDataObject;
		return {
			id: String(field.key),
			displayName: String(label.en ?? field.key),
			required: field.required === true,
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type: 'string',
		};
	});
	return { fields };
}
