/**
 * How hard one request is tried before its row is given up (node options "Max Attempts" and
 * "Request Timeout").
 */
export interface RetryPolicy {
	maxAttempts: number;
	timeoutMs: number;
	/** First back-off step; each next attempt doubles it, capped at maxDelayMs, with full jitter. */
	baseDelayMs: number;
	maxDelayMs: number;
	/**
	 * Longest Retry-After we honour; a server asking for more makes the row fail instead of stalling
	 * the run.
	 */
	maxRetryAfterMs: number;
	/**
	 * Read-after-write lag: right after an answer was lost, a look-up may not yet see a write
	 * committed a moment ago. "Not there" (or "still created") is believed only after this many
	 * readable answers in a row say so, spaced by settleDelayMs doubling (300 + 600 + 1200 ms: about
	 * two seconds).
	 */
	settleReads: number;
	settleDelayMs: number;
	/**
	 * Tries of one read (a GET, safe to repeat) when it fails or cannot be read; maxAttempts when
	 * unset. The end-of-run settling raises it: a read there is the row's last chance to be known.
	 */
	readAttempts?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 4,
	timeoutMs: 30_000,
	baseDelayMs: 500,
	maxDelayMs: 10_000,
	maxRetryAfterMs: 120_000,
	settleReads: 4,
	settleDelayMs: 300,
};

/** Pause before settling read `read + 1` (read counts from 1). */
export function settleDelayMs(read: number, policy: RetryPolicy): number {
	return Math.min(policy.maxDelayMs, policy.settleDelayMs * 2 ** Math.max(0, read - 1));
}

/** Parses Retry-After given as seconds or as an HTTP date. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = String(Array.isArray(value) ? value[0] : value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1). Full jitter keeps hundreds of rows
 * that failed together from coming back together; a server's Retry-After wins when it is longer.
 */
export function backoffDelayMs(
	attempt: number,
	policy: RetryPolicy,
	retryAfterMs?: number,
): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
	const jittered = Math.floor(Math.random() * ceiling);
	if (retryAfterMs !== undefined)
		return Math.min(Math.max(retryAfterMs, jittered), policy.maxRetryAfterMs);
	return jittered;
}

/** Longest back-off between two tries of one read under patientReads. */
const PATIENT_LONGEST_BACKOFF_MS = 2_000;

/**
 * A policy for reads that decide a row's fate: tried twice Max Attempts, the back-off capped at
 * 2 s; writes keep the run's Max Attempts. A read is safe to repeat. Under heavy faults (issue 30)
 * rows stayed unknown because a look-up gave up after Max Attempts failed tries, and a row whose
 * attempts (Retry Failed Rows) cannot be read is refused for the run. Used by the end-of-run
 * settling and by the look-up of each row's attempts before anything is sent.
 */
export function patientReads(policy: RetryPolicy): RetryPolicy {
	return {
		...policy,
		readAttempts: Math.max(policy.readAttempts ?? policy.maxAttempts, 2 * policy.maxAttempts),
		maxDelayMs: Math.min(policy.maxDelayMs, PATIENT_LONGEST_BACKOFF_MS),
	};
}
