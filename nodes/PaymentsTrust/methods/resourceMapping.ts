import type {
	IDataObject,
	ILoadOptionsFunctions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';

import { readServiceLocator } from '../helpers/locator';
import { servicesOfPrerequest } from '../platform/serviceFields';
import { fieldRulesPrerequest, findServiceResource, serviceAttributes } from '../platform/services';
import { describeOutcome } from '../transport/errors';
import { endpointsFor } from '../transport/request';

/**
 * The mapper shows this notice instead of a red error: the user sees why there is nothing to map.
 */
const notice = (text: string): ResourceMapperFields => ({ fields: [], emptyFieldsNotice: text });

/**
 * The recipient fields of the chosen service, for the mapper. Only the pre-request (Public API)
 * describes fields, and it wants a currency and an amount: the service's own currency and minimum
 * are used, so any row of any amount maps onto the same field list. A failure to load is told in
 * the mapper's own notice (the editor would otherwise only say "No fields found").
 */
export async function getServiceFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	// Raw: an expression (a service from a column) cannot be evaluated here, there is no input item
	// to read.
	const located = readServiceLocator(
		this.getNodeParameter('service', '', { rawExpressions: true }),
	);
	if (!located.value || located.value.startsWith('=')) {
		return notice(
			'Choose a payout service above to map its fields, or give them as Extra Service Fields ' +
				'(JSON)',
		);
	}
	let resource: IDataObject | undefined;
	try {
		resource = await findServiceResource(this, located);
	} catch (error) {
		return notice(`${(error as Error).message}`);
	}
	if (!resource) return notice(`The account has no payout service "${located.value}"`);
	const service = serviceAttributes(resource);
	const code = String(service.service);
	const { publicKey } = await endpointsFor(this);
	if (!publicKey) {
		return notice('Add the public key to the credential to load the service’s fields');
	}
	const outcome = await fieldRulesPrerequest(this, service, publicKey);
	if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
		return notice(
			`Could not load the fields of "${code}": ${describeOutcome(outcome)} (check the public key ` +
				`and the Public API path in the credential)`,
		);
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
