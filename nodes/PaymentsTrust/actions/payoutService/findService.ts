import type { IDataObject } from 'n8n-workflow';

import type { Located } from '../../helpers/locator';
import type { PaymentsTrustFunctions } from '../../transport/endpoints';
import { describeOutcome } from '../../transport/errors';
import { pageNumberPages, type PageFailure } from '../../transport/pagination';
import { sendSafe } from '../../transport/request';
import { hasResourceWithId } from '../../transport/resources';

/** Most services one listing reads (20 pages of 100): a bound on the editor's wait, not a platform limit. */
export const MAX_LISTED_SERVICES = 2_000;

/** Why a service list could not be read, in words that say what to check (shown in the editor's field). */
export function serviceListFailure(outcome: Parameters<PageFailure>[0]): Error {
	const hint =
		outcome.kind === 'network'
			? 'check the Base URL in the credential and that this n8n can reach it'
			: outcome.statusCode === 401 || outcome.statusCode === 403
				? 'check the account ID and API key in the credential'
				: outcome.statusCode === 404
					? 'check the Private API path in the credential'
					: 'try again in a moment';
	return new Error(`Could not load the payout services: ${describeOutcome(outcome)} (${hint})`);
}

/** The account's payout services (JSON:API resources: `id` is the `comcpos_…` ID, the code is `attributes.service`). */
export async function listServiceResources(
	ctx: PaymentsTrustFunctions,
	onFailure: PageFailure = serviceListFailure,
): Promise<IDataObject[]> {
	return await pageNumberPages(ctx, '/payout-services', MAX_LISTED_SERVICES, onFailure);
}

/** The service a locator points at (by code or by `comcpos_…` ID), or undefined when the account has none such. */
export async function findServiceResource(
	ctx: PaymentsTrustFunctions,
	located: Located,
	onFailure: PageFailure = serviceListFailure,
): Promise<IDataObject | undefined> {
	const key = located.mode === 'id' ? 'id' : 'code';
	return (await listServiceResources(ctx, onFailure)).find((resource) =>
		key === 'id'
			? resource.id === located.value
			: ((resource.attributes ?? {}) as IDataObject).service === located.value,
	);
}

/** Service IDs (`comcpos_…`) to codes, for the payout operations, which send the code. */
export async function serviceCodesById(
	ctx: PaymentsTrustFunctions,
	onFailure?: PageFailure,
): Promise<Map<string, string>> {
	const byId = new Map<string, string>();
	for (const resource of await listServiceResources(ctx, onFailure)) {
		const code = ((resource.attributes ?? {}) as IDataObject).service;
		if (typeof resource.id === 'string' && typeof code === 'string') byId.set(resource.id, code);
	}
	return byId;
}

/** One service by ID straight from the API (`GET /payout-services/{id}`). */
export async function getServiceById(ctx: PaymentsTrustFunctions, id: string) {
	return await sendSafe(
		ctx,
		{ api: 'private', method: 'GET', path: `/payout-services/${encodeURIComponent(id)}` },
		undefined,
		hasResourceWithId(id),
	);
}
