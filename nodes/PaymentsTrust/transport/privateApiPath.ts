import { sleep } from 'n8n-workflow';

/**
 * Where the Private API lives. PaymentsTrust's own docs give it at the host root
 * (`<host>/payout-invoices`), the API reference's `links.self` values and older platform docs under
 * `/api`: the sources disagree. Rather than guess, the node asks: a safe GET of one payout service
 * at each candidate, and the one that answers JSON:API is the Private API. The answer is remembered
 * per credential (base URL + account ID) for the life of the n8n process.
 *
 * A write is only ever sent to a path a read confirmed; a path the user sets in the credential is
 * used as given.
 */

/**
 * What one probe got back: an answer (any status), an answer that could not be read (a 2xx that is
 * not JSON, a redirect: never taken as the Private API, retried like a failure), or no answer at
 * all.
 */
export type ProbeResult =
	| { kind: 'response'; statusCode: number; body: unknown }
	| { kind: 'unreadable'; statusCode: number; reason: string }
	| { kind: 'network'; code: string; message: string };

/** One authenticated GET of an absolute URL; never throws for an HTTP status. */
export type ProbeGet = (url: string) => Promise<ProbeResult>;

export interface ProbeRecord {
	/** The Private API root probed (`https://host/api` or `https://host`). */
	apiUrl: string;
	result: ProbeResult;
}

export interface Discovery {
	/** The Private API root that answered JSON:API, or null when none did. */
	found: string | null;
	/** Known from an earlier probe in this process. */
	remembered: boolean;
	probes: ProbeRecord[];
}

const PROBE_PATH = '/payout-services?page%5Bnumber%5D=1&page%5Bsize%5D=1';
const PROBE_ATTEMPTS = 3;

/** Confirmed Private API roots, by credential: lives as long as the n8n process. */
const confirmed = new Map<string, string>();

function cacheKey(baseUrl: string, accountId: string): string {
	return `${baseUrl.replace(/\/+$/, '')}\n${accountId}`;
}

/** `<base>/api` first (the reference's links), then the host root (PaymentsTrust's own docs). */
export function candidateRoots(baseUrl: string): string[] {
	const base = baseUrl.trim().replace(/\/+$/, '');
	return [`${base}/api`, base];
}

function parsed(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return undefined;
	}
}

/**
 * A JSON:API answer to the probe: 200 with a `data` list or object. An HTML page or a 404 is not
 * one.
 */
export function isJsonApiAnswer(result: ProbeResult): boolean {
	if (result.kind !== 'response' || result.statusCode !== 200) return false;
	const body = parsed(result.body);
	if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
	const data = (body as { data?: unknown }).data;
	return Array.isArray(data) || (typeof data === 'object' && data !== null);
}

function isTransient(result: ProbeResult): boolean {
	return result.kind !== 'response' || result.statusCode === 429 || result.statusCode >= 500;
}

async function probe(get: ProbeGet, apiUrl: string, attempts: number): Promise<ProbeResult> {
	let result = await get(`${apiUrl}${PROBE_PATH}`);
	for (let attempt = 1; attempt < attempts && isTransient(result); attempt++) {
		await sleep(300 * attempt);
		result = await get(`${apiUrl}${PROBE_PATH}`);
	}
	return result;
}

/**
 * Finds the Private API of this credential, or says what each candidate answered. Probes one
 * candidate after the other and stops at the first JSON:API answer; only a confirmed root is
 * remembered.
 */
export async function findPrivateApi(
	baseUrl: string,
	accountId: string,
	get: ProbeGet,
	options: { useMemory?: boolean; attempts?: number } = {},
): Promise<Discovery> {
	const key = cacheKey(baseUrl, accountId);
	const known = confirmed.get(key);
	if (known && options.useMemory !== false) return { found: known, remembered: true, probes: [] };
	const probes: ProbeRecord[] = [];
	for (const apiUrl of candidateRoots(baseUrl)) {
		const result = await probe(get, apiUrl, options.attempts ?? PROBE_ATTEMPTS);
		probes.push({ apiUrl, result });
		if (isJsonApiAnswer(result)) {
			confirmed.set(key, apiUrl);
			return { found: apiUrl, remembered: false, probes };
		}
		// A host that cannot be reached at all will not be reachable under the other path either.
		if (result.kind === 'network') break;
	}
	return { found: null, remembered: false, probes };
}

/**
 * Where reads go while the path is unconfirmed, so that their own answer (401, 403, a timeout…)
 * reaches the user with the usual advice: the candidate that did not answer 404, else `/api`.
 * Writes never go there.
 */
export function bestGuess(baseUrl: string, discovery: Discovery): string {
	const answered = discovery.probes.find(
		(record) => record.result.kind === 'response' && record.result.statusCode !== 404,
	);
	return answered?.apiUrl ?? candidateRoots(baseUrl)[0];
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

/**
 * One probe in words: "https://host/api answered HTTP 404", "could not reach host (ECONNREFUSED)".
 */
export function describeProbe(record: ProbeRecord): string {
	const { result, apiUrl } = record;
	if (result.kind === 'network') {
		if (
			['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(
				result.code,
			)
		) {
			return (
				`the host ${hostOf(apiUrl)} could not be reached (${result.code}): check the Base ` +
				`URL, and that this n8n can reach it`
			);
		}
		return `${apiUrl} gave no answer (${result.code})`;
	}
	if (result.kind === 'unreadable')
		return (
			`${apiUrl} answered HTTP ${result.statusCode} that could not be read ` +
			`(${result.reason}), so it is not taken as the Private API`
		);
	const advice: Record<number, string> = {
		401: 'the Account ID or API key is wrong',
		403:
			'access denied: the Private API may only accept whitelisted IPs, ask PaymentsTrust to ' +
			'whitelist this n8n',
		404: 'nothing there',
	};
	const fallback =
		result.statusCode >= 500 || result.statusCode === 429
			? 'the platform failed to answer, try again later'
			: 'no JSON:API answer, so not the Private API';
	const reason = isJsonApiAnswer(result)
		? 'the Private API'
		: (advice[result.statusCode] ?? fallback);
	return `${apiUrl} answered HTTP ${result.statusCode} (${reason})`;
}

/** Why no path was confirmed, as one sentence for the error a write stops with. */
export function describeDiscoveryFailure(discovery: Discovery): string {
	return `The Private API was not found: ${discovery.probes.map(describeProbe).join('; ')}.`;
}

/** Forget every remembered path (tests start each sandbox afresh). */
export function forgetPrivateApiPaths(): void {
	confirmed.clear();
}
