import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeOutcome } from '../transport/errors';
import { sendSafe } from '../transport/request';

/** Every payout service of the account, read page by page (at most 20 pages of 100). */
export async function listAccountServices(ctx: ILoadOptionsFunctions): Promise<IDataObject[]> {
	const services: IDataObject[] = [];
	for (let page = 1; page <= 20; page++) {
		const outcome = await sendSafe(ctx, {
			api: 'private',
			method: 'GET',
			path: '/payout-services',
			qs: { 'page[number]': page, 'page[size]': 100 },
		});
		if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
			throw new NodeOperationError(ctx.getNode(), `Could not load the payout services: ${describeOutcome(outcome)}`);
		}
		const data = (outcome.body.data ?? []) as IDataObject[];
		services.push(...data.map((resource) => (resource.attributes ?? {}) as IDataObject));
		const pages = Number(((outcome.body.meta ?? {}) as IDataObject).pages ?? page);
		if (data.length === 0 || page >= pages) break;
	}
	return services;
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
