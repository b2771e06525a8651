import type { IDataObject } from 'n8n-workflow';

import type { Located } from '../helpers/locator';
import { isPrerequestAnswer } from './serviceFields';
import type { PaymentsTrustFunctions } from '../transport/endpoints';
import { describeOutcome } from '../transport/errors';
import { pageNumberPages, type PageFailure } from '../transport/pagination';
import { sendSafe, type Outcome } from '../transport/request';
import { hasResourceWithId } from '../transport/resources';
import type { RetryPolicy } from '../transport/retryPolicy';

/**
 * The one place that reads payout services: the account's list (`GET /payout-services`), one
 * service by ID, and the pre-request that gives a service's field rules. Operations, pickers, the
 * field mapper and the validation catalogue all read services through here.
 */

const SERVICES_PATH = '/payout-services';

/**
 * Most services one listing reads (20 pages of 100): a bound on the editor's wait, not a platform
 * limit.
 */
export const MAX_LISTED_SERVICES = 2_000;

/**
 * Why a service list could not be read, in words that say what to check (shown in the editor's
 * field).
 */
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

export interface ServiceListOptions {
	/** Most services to read; the editor's bound by default. */
	limit?: number;
	/** The error a failed page becomes; by default the editor's wording. */
	onFailure?: PageFailure;
	policy?: RetryPolicy;
}

/**
 * The account's payout services (JSON:API resources: `id` is the `comcpos_…` ID, the code is
 * `attributes.service`).
 */
export async function listServiceResources(
	ctx: PaymentsTrustFunctions,
	options: ServiceListOptions = {},
): Promise<IDataObject[]> {
	return await pageNumberPages(
		ctx,
		SERVICES_PATH,
		options.limit ?? MAX_LISTED_SERVICES,
		options.onFailure ?? serviceListFailure,
		options.policy,
	);
}

/** A service's attributes (`service` is its code, `currency`, `amount_min`…). */
export function serviceAttributes(resource: IDataObject): IDataObject {
	return (resource.attributes ?? {}) as IDataObject;
}

/**
 * The service a locator points at (by code or by `comcpos_…` ID), or undefined when the account has
 * none such.
 */
export async function findServiceResource(
	ctx: PaymentsTrustFunctions,
	located: Located,
	onFailure: PageFailure = serviceListFailure,
): Promise<IDataObject | undefined> {
	return (await listServiceResources(ctx, { onFailure })).find((resource) =>
		located.mode === 'id'
			? resource.id === located.value
			: serviceAttributes(resource).service === located.value,
	);
}

/** Service IDs (`comcpos_…`) to codes, for the payout operations, which send the code. */
export async function serviceCodesById(
	ctx: PaymentsTrustFunctions,
	onFailure?: PageFailure,
): Promise<Map<string, string>> {
	const byId = new Map<string, string>();
	for (const resource of await listServiceResources(ctx, { onFailure })) {
		const code = serviceAttributes(resource).service;
		if (typeof resource.id === 'string' && typeof code === 'string') byId.set(resource.id, code);
	}
	return byId;
}

/** One service by ID straight from the API (`GET /payout-services/{id}`). */
export async function getServiceById(ctx: PaymentsTrustFunctions, id: string): Promise<Outcome> {
	return await sendSafe(
		ctx,
		{ api: 'private', method: 'GET', path: `${SERVICES_PATH}/${encodeURIComponent(id)}` },
		undefined,
		hasResourceWithId(id),
	);
}

/**
 * The pre-request (Public API) that describes a service's recipient fields. It wants a currency and
 * an amount: the service's own currency and minimum, so one answer serves rows of any amount. A 200
 * that is not a pre-request's answer is unreadable (retried, then a failed outcome), never "no
 * field rules".
 */
export async function fieldRulesPrerequest(
	ctx: PaymentsTrustFunctions,
	service: IDataObject,
	publicKey: string,
	policy?: RetryPolicy,
): Promise<Outcome> {
	return await sendSafe(
		ctx,
		{
			api: 'public',
			method: 'POST',
			path: '/payout-prerequest',
			body: {
				currency: String(service.currency ?? ''),
				amount: Number(service.amount_min ?? 1) || 1,
				public_key: publicKey,
			},
		},
		policy,
		isPrerequestAnswer,
	);
}
