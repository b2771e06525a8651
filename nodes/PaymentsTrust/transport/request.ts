import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestMethods,
	IHttpRequestOptions,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { scrubSecrets, secretsOf, type Secrets } from '../../shared/redact';
import {
	CREDENTIAL_TYPE,
	getEndpoints,
	type Endpoints,
	type PaymentsTrustFunctions,
} from './endpoints';
import type { ProbeResult } from './privateApiPath';
import {
	backoffDelayMs,
	DEFAULT_RETRY_POLICY,
	parseRetryAfter,
	type RetryPolicy,
} from './retryPolicy';

export type Api = 'private' | 'public';

/**
 * What one HTTP exchange ended in: an answer the node can read (any status), an answer it cannot
 * read, or no answer at all. `unreadable` is a 2xx whose body is not the JSON object the API sends
 * (cut off, empty, an HTML page from a proxy) or a redirect the node does not follow: the platform
 * may or may not have acted on the request, exactly as after a timeout, so callers treat it as an
 * unknown outcome and ask the platform.
 */
export type Outcome =
	| { kind: 'response'; statusCode: number; body: IDataObject; headers: IDataObject }
	| { kind: 'unreadable'; statusCode: number; reason: string; headers: IDataObject }
	| { kind: 'network'; code: string; message: string; timedOut: boolean };

export interface RequestSpec {
	api: Api;
	method: IHttpRequestMethods;
	/**
	 * Path under the API root (`/payout-invoices`) or a link the API returned
	 * (`/api/payout-invoices?...`).
	 */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	/** `path` is one of the API's own links, relative to the host rather than to the API root. */
	pathIsLink?: boolean;
}

/**
 * A value computed once per node run: n8n gives an operation one context object for the whole run,
 * so a value kept against it lives exactly as long as the run. A failure is not kept: the next call
 * tries again.
 */
function oncePerRun<T>(): (ctx: PaymentsTrustFunctions, make: () => Promise<T>) => Promise<T> {
	const cache = new WeakMap<object, Promise<T>>();
	return (ctx, make) => {
		let cached = cache.get(ctx);
		if (!cached) {
			cached = make();
			cache.set(ctx, cached);
			cached.catch(() => cache.delete(ctx));
		}
		return cached;
	};
}

const credentialsOfRun = oncePerRun<ICredentialDataDecryptedObject>();

/**
 * The credential, read once per node run. Every request hands this same read to n8n's
 * authenticated helper (see exchange): without it, n8n reads and decrypts the credential from its
 * database again for each request, which was the largest cost per payout left in a bulk run
 * (docs/columns-mode.md).
 */
export function credentialsFor(
	ctx: PaymentsTrustFunctions,
): Promise<ICredentialDataDecryptedObject> {
	return credentialsOfRun(ctx, async () => await ctx.getCredentials(CREDENTIAL_TYPE));
}

/**
 * The run's one credential read, as n8n's authenticated helper takes it. n8n still applies the
 * credential's own authentication (HTTP Basic) to every request, with its proxy and TLS settings;
 * only the database read is not repeated. A copy per request: n8n may add to the data it is given.
 */
async function authenticationFor(
	ctx: PaymentsTrustFunctions,
): Promise<IAdditionalCredentialOptions> {
	const credentials = await credentialsFor(ctx);
	const chosen = ctx.getNode().credentials?.[CREDENTIAL_TYPE];
	return {
		credentialsDecrypted: {
			id: chosen?.id ?? '',
			name: chosen?.name ?? '',
			type: CREDENTIAL_TYPE,
			data: { ...credentials },
		},
	};
}

const endpointsOfRun = oncePerRun<Endpoints>();

/**
 * The credential's endpoints, once per node run, not once per request: a bulk run makes thousands.
 * The first call also checks the keys against the Environment and finds the Private API
 * (transport/privateApiPath.ts), unless the first caller says the run needs only the Public API
 * (the pre-request), which then never touches the Private API.
 */
export function endpointsFor(
	ctx: PaymentsTrustFunctions,
	options: { privateApi?: boolean } = {},
): Promise<Endpoints> {
	return endpointsOfRun(
		ctx,
		async () =>
			await getEndpoints.call(
				ctx,
				await credentialsFor(ctx),
				options.privateApi !== false,
				async (url) => await probeOnce(ctx, url),
			),
	);
}

function resolveUrl(endpoints: Endpoints, spec: RequestSpec): string {
	// A write only ever goes to a Private API path a read confirmed (or the user set): never to a
	// guess.
	if (
		spec.api === 'private' &&
		spec.method !== 'GET' &&
		!endpoints.privateApiConfirmed &&
		endpoints.privateApiProblem
	) {
		throw endpoints.privateApiProblem;
	}
	if (/^https?:\/\//i.test(spec.path)) return spec.path;
	if (spec.pathIsLink)
		return `${endpoints.origin}${spec.path.startsWith('/') ? '' : '/'}${spec.path}`;
	const root = spec.api === 'private' ? endpoints.privateApiUrl : endpoints.publicApiUrl;
	return `${root}${spec.path.startsWith('/') ? '' : '/'}${spec.path}`;
}

/** How the answer's body arrived, before anyone trusts it. */
function describeBody(body: unknown): string {
	if (body === undefined || body === null || body === '') return 'an empty body';
	if (typeof body === 'string')
		return /^\s*</.test(body)
			? 'an HTML page, not JSON'
			: 'a body that is not JSON (cut off or garbled)';
	if (Array.isArray(body)) return 'a JSON list where an object was expected';
	return 'a body that is not a JSON object';
}

/**
 * The body of an answer as the API's JSON object, or undefined when it is not one. A non-JSON
 * string (n8n's helper hands it over as text) is never taken as an object: `{text}` of an HTML page
 * is not an invoice.
 */
function jsonObjectOf(body: unknown): IDataObject | undefined {
	if (body && typeof body === 'object' && !Array.isArray(body)) return body as IDataObject;
	if (typeof body === 'string' && body.trim()) {
		try {
			const parsed: unknown = JSON.parse(body);
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
				return parsed as IDataObject;
		} catch {
			// not JSON
		}
	}
	return undefined;
}

/**
 * Every string in an error body, scrubbed of secrets and card numbers (some gateways echo the
 * request).
 */
function scrubbedDeep(value: unknown, secrets: Secrets): unknown {
	if (typeof value === 'string') return scrubSecrets(value, secrets);
	if (Array.isArray(value)) return value.map((entry) => scrubbedDeep(entry, secrets));
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([key, entry]) => [key, scrubbedDeep(entry, secrets)]),
		);
	}
	return value;
}

/**
 * Reads an answer: a 2xx must be a JSON object, anything else is unreadable. An error status keeps
 * its JSON (field errors) or its text, both scrubbed, so the error can say what the server said
 * without leaking.
 */
function readAnswer(
	statusCode: number,
	body: unknown,
	headers: IDataObject,
	secrets: Secrets,
): Outcome {
	const object = jsonObjectOf(body);
	if (statusCode >= 200 && statusCode < 300) {
		if (!object) return { kind: 'unreadable', statusCode, reason: describeBody(body), headers };
		return { kind: 'response', statusCode, body: object, headers };
	}
	if (object)
		return {
			kind: 'response',
			statusCode,
			body: scrubbedDeep(object, secrets) as IDataObject,
			headers,
		};
	const text = typeof body === 'string' ? scrubSecrets(body, secrets).trim().slice(0, 500) : '';
	return { kind: 'response', statusCode, body: text ? { text } : {}, headers };
}

const TIMEOUT_CODES = ['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'];

/**
 * The only place that reads a network error. It keeps the code and message and drops everything
 * else: the HTTP client's error carries the request config, Authorization header included.
 */
function describeNetworkError(
	error: unknown,
	secrets: Secrets,
): Extract<Outcome, { kind: 'network' }> {
	const raw = (error ?? {}) as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
	const message = scrubSecrets(String(raw.message ?? 'Network error'), secrets).slice(0, 300);
	// n8n's authenticated helper rethrows without the code, keeping only its own wording of it
	// ("The connection was aborted…" for ECONNABORTED, the client's code for a timeout).
	const timedOut =
		TIMEOUT_CODES.includes(String(raw.code ?? raw.cause?.code)) ||
		/timeout|timed out|aborted/i.test(message);
	const code = String(raw.code ?? raw.cause?.code ?? (timedOut ? 'ETIMEDOUT' : 'ENETWORK'));
	return { kind: 'network', code, message, timedOut };
}

const secretsOfRun = oncePerRun<Secrets>();

/** The secrets of the credential, worked out once per node run like the endpoints. */
function secretsFor(ctx: PaymentsTrustFunctions): Promise<Secrets> {
	return secretsOfRun(ctx, async () => secretsOf(await credentialsFor(ctx)));
}

/** Most redirects a read follows (same origin only) before its answer counts as unreadable. */
const MAX_SAME_ORIGIN_REDIRECTS = 5;

/**
 * A promise that settles when the deadline passes. `AbortSignal.timeout` keeps no timer alive (and
 * is not one of the globals node code may not use); n8n's authenticated helper replaces a request's
 * own abort signal by the execution's, so the deadline is enforced by racing the request rather
 * than by aborting it.
 */
function deadline(signal: AbortSignal): Promise<'deadline'> {
	return new Promise((resolve) => {
		if (signal.aborted) resolve('deadline');
		else signal.addEventListener('abort', () => resolve('deadline'), { once: true });
	});
}

interface RawAnswer {
	statusCode: number;
	body: unknown;
	headers: IDataObject;
}

interface Exchange {
	api: Api;
	method: IHttpRequestMethods;
	url: string;
	qs?: IDataObject;
	body?: IDataObject;
}

/**
 * One HTTP exchange through n8n's request helpers (so proxies, TLS settings and credentials behave
 * as everywhere in n8n). Never throws for an HTTP status; the caller decides what a status means.
 * Private API calls are authenticated by the credential (HTTP Basic); public ones carry the public
 * key.
 *
 * `timeoutMs` is a deadline for the whole answer, redirects included: an answer still trickling in
 * when it passes is cut and counts as no answer. Redirects are never followed by n8n's client (it
 * would forward the Authorization header to any host): a write that is redirected is an unknown
 * outcome, a read follows only redirects to the same origin, at most `maxRedirects`.
 */
async function exchange(
	ctx: PaymentsTrustFunctions,
	request: Exchange,
	timeoutMs: number,
	secrets: Secrets,
	maxRedirects: number,
): Promise<Outcome> {
	const authentication = request.api === 'private' ? await authenticationFor(ctx) : undefined;
	const signal = AbortSignal.timeout(Math.max(1, timeoutMs));
	const timeUp = deadline(signal);
	let url = request.url;
	let qs = request.qs;
	for (let redirects = 0; ; redirects++) {
		const options: IHttpRequestOptions = {
			method: request.method,
			url,
			qs,
			body: request.body,
			json: true,
			timeout: timeoutMs,
			abortSignal: signal,
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			headers: { Accept: 'application/json' },
		};
		const sent = (
			request.api === 'private'
				? ctx.helpers.httpRequestWithAuthentication.call(
						ctx,
						CREDENTIAL_TYPE,
						options,
						authentication,
					)
				: ctx.helpers.httpRequest(options)
		).then(
			(response) => response as RawAnswer,
			(error: unknown) => describeNetworkError(error, secrets),
		);
		const answer = await Promise.race([sent, timeUp]);
		if (answer === 'deadline') {
			return {
				kind: 'network',
				code: 'ETIMEDOUT',
				message: `no complete answer within ${timeoutMs} ms`,
				timedOut: true,
			};
		}
		if ('kind' in answer) return answer;
		const statusCode = Number(answer.statusCode);
		const headers = answer.headers ?? {};
		if (statusCode < 300 || statusCode >= 400)
			return readAnswer(statusCode, answer.body, headers, secrets);

		const location = typeof headers.location === 'string' ? headers.location : '';
		let target: URL | undefined;
		try {
			target = location ? new URL(location, url) : undefined;
		} catch {
			target = undefined;
		}
		const sameOrigin = target !== undefined && target.origin === new URL(url).origin;
		if (request.method !== 'GET' || !sameOrigin || redirects >= maxRedirects) {
			const why =
				request.method !== 'GET'
					? 'a redirect answering a write is never followed'
					: !sameOrigin
						? 'a redirect to another origin is not followed'
						: maxRedirects === 0
							? 'a redirect is not followed here'
							: 'too many redirects';
			return { kind: 'unreadable', statusCode, reason: why, headers };
		}
		url = target!.href;
		qs = undefined; // the redirect's URL carries its own query
	}
}

export async function sendOnce(
	ctx: PaymentsTrustFunctions,
	spec: RequestSpec,
	timeoutMs: number,
): Promise<Outcome> {
	const endpoints = await endpointsFor(ctx);
	const secrets = await secretsFor(ctx);
	const url = resolveUrl(endpoints, spec);
	return await exchange(
		ctx,
		{ api: spec.api, method: spec.method, url, qs: spec.qs, body: spec.body },
		timeoutMs,
		secrets,
		MAX_SAME_ORIGIN_REDIRECTS,
	);
}

/** How long one look-up of the Private API may take, answer included. */
const PROBE_TIMEOUT_MS = 30_000;

/**
 * One look-up of where the Private API lives, under the rules of every other read: a deadline for
 * the whole answer, the credentials never sent to another origin, and a 2xx that is not JSON
 * (garbled, an HTML page) an unreadable answer, never "found". It follows no redirect at all, not
 * even to its own origin: the path that gets confirmed must be the one that answered, since every
 * write will go there.
 */
async function probeOnce(ctx: PaymentsTrustFunctions, url: string): Promise<ProbeResult> {
	const outcome = await exchange(
		ctx,
		{ api: 'private', method: 'GET', url },
		PROBE_TIMEOUT_MS,
		await secretsFor(ctx),
		0,
	);
	if (outcome.kind === 'response')
		return { kind: 'response', statusCode: outcome.statusCode, body: outcome.body };
	if (outcome.kind === 'unreadable')
		return { kind: 'unreadable', statusCode: outcome.statusCode, reason: outcome.reason };
	return { kind: 'network', code: outcome.code, message: outcome.message };
}

export function isTransient(outcome: Outcome): boolean {
	if (outcome.kind !== 'response') return true;
	return outcome.statusCode === 429 || outcome.statusCode >= 500;
}

export function retryAfterOf(outcome: Outcome): number | undefined {
	if (outcome.kind !== 'response' || outcome.statusCode !== 429) return undefined;
	return parseRetryAfter(outcome.headers['retry-after']);
}

/**
 * Whether a 2xx body has the shape the caller needs (an invoice, a list); anything else is a failed
 * read.
 */
export type BodyCheck = (body: IDataObject) => boolean;

/**
 * A request that changes nothing (GET, pre-request): safe to repeat, so transient failures are
 * retried with back-off up to the policy's attempts. A 2xx the caller cannot use (`accepts` says
 * no) is a failed read and retried like a 5xx: it is never taken as an empty answer. Returns the
 * last outcome; the caller turns a failure into an error. Tried `readAttempts` times when the
 * policy sets it, else Max Attempts.
 */
export async function sendSafe(
	ctx: PaymentsTrustFunctions,
	spec: RequestSpec,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
	accepts?: BodyCheck,
): Promise<Outcome> {
	const once = async (): Promise<Outcome> => {
		const outcome = await sendOnce(ctx, spec, policy.timeoutMs);
		if (
			accepts &&
			outcome.kind === 'response' &&
			outcome.statusCode >= 200 &&
			outcome.statusCode < 300 &&
			!accepts(outcome.body)
		) {
			return {
				kind: 'unreadable',
				statusCode: outcome.statusCode,
				reason: 'JSON without the expected data',
				headers: outcome.headers,
			};
		}
		return outcome;
	};
	let outcome = await once();
	const attempts = policy.readAttempts ?? policy.maxAttempts;
	for (let attempt = 1; attempt < attempts && isTransient(outcome); attempt++) {
		await sleep(backoffDelayMs(attempt, policy, retryAfterOf(outcome)));
		outcome = await once();
	}
	return outcome;
}
