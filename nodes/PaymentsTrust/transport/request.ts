import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { CREDENTIAL_TYPE, getEndpoints, type Endpoints, type PaymentsTrustFunctions } from './endpoints';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy } from './retryPolicy';

export type Api = 'private' | 'public';

/** What one HTTP exchange ended in: an answer (any status) or no answer at all. */
export type Outcome =
	| { kind: 'response'; statusCode: number; body: IDataObject; headers: IDataObject }
	| { kind: 'network'; code: string; message: string; timedOut: boolean };

export interface RequestSpec {
	api: Api;
	method: IHttpRequestMethods;
	/** Path under the API root (`/payout-invoices`) or a link the API returned (`/api/payout-invoices?...`). */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	/** `path` is one of the API's own links, relative to the host rather than to the API root. */
	pathIsLink?: boolean;
}

const endpointsCache = new WeakMap<object, Promise<Endpoints>>();

/**
 * Credentials are read once per node run, not once per request: a bulk run makes thousands. The first call also
 * checks the keys against the Environment and finds the Private API (transport/privateApiPath.ts), unless the first
 * caller says the run needs only the Public API (the pre-request), which then never touches the Private API.
 */
export function endpointsFor(ctx: PaymentsTrustFunctions, options: { privateApi?: boolean } = {}): Promise<Endpoints> {
	let cached = endpointsCache.get(ctx);
	if (!cached) {
		cached = getEndpoints.call(ctx, options.privateApi !== false);
		endpointsCache.set(ctx, cached);
		cached.catch(() => endpointsCache.delete(ctx));
	}
	return cached;
}

function resolveUrl(endpoints: Endpoints, spec: RequestSpec): string {
	// A write only ever goes to a Private API path a read confirmed (or the user set): never to a guess.
	if (spec.api === 'private' && spec.method !== 'GET' && !endpoints.privateApiConfirmed && endpoints.privateApiProblem) {
		throw endpoints.privateApiProblem;
	}
	if (/^https?:\/\//i.test(spec.path)) return spec.path;
	if (spec.pathIsLink) return `${endpoints.origin}${spec.path.startsWith('/') ? '' : '/'}${spec.path}`;
	const root = spec.api === 'private' ? endpoints.privateApiUrl : endpoints.publicApiUrl;
	return `${root}${spec.path.startsWith('/') ? '' : '/'}${spec.path}`;
}

function asObject(body: unknown): IDataObject {
	if (body && typeof body === 'object' && !Array.isArray(body)) return body as IDataObject;
	if (typeof body === 'string' && body.trim()) {
		try {
			const parsed = JSON.parse(body);
			if (parsed && typeof parsed === 'object') return parsed as IDataObject;
		} catch {
			// not JSON: keep the text (an HTML error page from a proxy, say) so the error can show it
		}
		return { text: body.slice(0, 500) };
	}
	return {};
}

const TIMEOUT_CODES = ['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'];

/**
 * The only place that reads a network error. It keeps the code and message and drops everything else:
 * the HTTP client's error carries the request config, Authorization header included.
 */
function describeNetworkError(error: unknown): Extract<Outcome, { kind: 'network' }> {
	const raw = (error ?? {}) as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
	const message = String(raw.message ?? 'Network error').slice(0, 300);
	// n8n's authenticated helper rethrows without the code, keeping only its own wording of it
	// ("The connection was aborted…" for ECONNABORTED, the client's code for a timeout).
	const timedOut = TIMEOUT_CODES.includes(String(raw.code ?? raw.cause?.code)) || /timeout|timed out|aborted/i.test(message);
	const code = String(raw.code ?? raw.cause?.code ?? (timedOut ? 'ETIMEDOUT' : 'ENETWORK'));
	return { kind: 'network', code, message, timedOut };
}

/**
 * One HTTP exchange through n8n's request helpers (so proxies, TLS settings and credentials behave as
 * everywhere in n8n). Never throws for an HTTP status; the caller decides what a status means.
 * Private API calls are authenticated by the credential (HTTP Basic); public ones carry the public key.
 */
export async function sendOnce(
	ctx: PaymentsTrustFunctions,
	spec: RequestSpec,
	timeoutMs: number,
): Promise<Outcome> {
	const endpoints = await endpointsFor(ctx);
	const options: IHttpRequestOptions = {
		method: spec.method,
		url: resolveUrl(endpoints, spec),
		qs: spec.qs,
		body: spec.body,
		json: true,
		timeout: timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		headers: { Accept: 'application/json' },
	};
	try {
		const response = (
			spec.api === 'private'
				? await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, options)
				: await ctx.helpers.httpRequest(options)
		) as { statusCode: number; body: unknown; headers: IDataObject };
		return {
			kind: 'response',
			statusCode: Number(response.statusCode),
			body: asObject(response.body),
			headers: response.headers ?? {},
		};
	} catch (error) {
		return describeNetworkError(error);
	}
}

export function isTransient(outcome: Outcome): boolean {
	if (outcome.kind === 'network') return true;
	return outcome.statusCode === 429 || outcome.statusCode >= 500;
}

export function retryAfterOf(outcome: Outcome): number | undefined {
	if (outcome.kind !== 'response' || outcome.statusCode !== 429) return undefined;
	return parseRetryAfter(outcome.headers['retry-after']);
}

/**
 * A request that changes nothing (GET, pre-request): safe to repeat, so transient failures are retried with
 * back-off up to the policy's attempts. Returns the last outcome; the caller turns a failure into an error.
 */
export async function sendSafe(
	ctx: PaymentsTrustFunctions,
	spec: RequestSpec,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<Outcome> {
	let outcome = await sendOnce(ctx, spec, policy.timeoutMs);
	for (let attempt = 1; attempt < policy.maxAttempts && isTransient(outcome); attempt++) {
		await sleep(backoffDelayMs(attempt, policy, retryAfterOf(outcome)));
		outcome = await sendOnce(ctx, spec, policy.timeoutMs);
	}
	return outcome;
}
