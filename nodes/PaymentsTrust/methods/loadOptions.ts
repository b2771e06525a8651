import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { listServiceResources, serviceAttributes } from '../platform/services';

/** Every payout service of the account (their attributes), for the pickers and the field mapper. */
export async function listAccountServices(ctx: ILoadOptionsFunctions): Promise<IDataObject[]> {
	return (await listServiceResources(ctx)).map((resource) => ({
		...serviceAttributes(resource),
		id: resource.id,
	}));
}

/**
 * The service dropdown of workflows built before the service picker (a plain options list). Kept so
 * that an editor opening such a node, or a test calling it, still gets the list.
 */
export async function getServices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const services = await listAccountServices(this);
	return services
		.filter((service) => typeof service.service === 'string')
		.map((service) => {
			const unavailable = service.enabled === false || service.available === false;
			return {
				name:
					`${String(service.service)} (${String(service.service_method ?? '')}, ` +
					`${String(service.currency ?? '')} → ${String(service.service_currency ?? '')})`,
				value: String(service.service),
				description:
					`Limits ${String(service.amount_min ?? '?')} – ` +
					`${String(service.amount_max ?? '?')} ` +
					`${String(service.currency ?? '')}${unavailable ? ' (not available)' : ''}`,
			};
		})
		.sort((a, b) => a.name.localeCompare(b.name));
}
