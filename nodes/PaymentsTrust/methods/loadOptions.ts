import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeOutcome } from '../transport/errors';
import { pageNumberPages } from '../transport/pagination';

/** Most services the dropdown lists (20 pages of 100): a bound on the editor's wait, not a platform limit. */
const MAX_LISTED_SERVICES = 2_000;

/** Every payout service of the account (their attributes), for the dropdown and the field mapper. */
export async function listAccountServices(ctx: ILoadOptionsFunctions): Promise<IDataObject[]> {
	const resources = await pageNumberPages(
		ctx,
		'/payout-services',
		MAX_LISTED_SERVICES,
		(outcome) => new NodeOperationError(ctx.getNode(), `Could not load the payout services: ${describeOutcome(outcome)}`),
	);
	return resources.map((resource) => (resource.attributes ?? {}) as IDataObject);
}

export async function getServices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const services = await listAccountServices(this);
	return services
		.filter((service) => typeof service.service === 'string')
		.map((service) => ({
			name: `${String(service.service)} (${String(service.service_method ?? '')}, ${String(service.currency ?? '')} → ${String(service.service_currency ?? '')})`,
			value: String(service.service),
			description: `Limits ${String(service.amount_min ?? '?')} – ${String(service.amount_max ?? '?')} ${String(service.currency ?? '')}${service.enabled === false || service.available === false ? ' (not available)' : ''}`,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}
