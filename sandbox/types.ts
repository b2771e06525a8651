/**
 * Public types of the local PaymentsTrust sandbox. Other parts of the project (the node's workflow tests, the demo,
 * fault tests and benchmarks) code against these names, so they change only together with their users.
 */

/** Operations that fault injection can target; each API route belongs to exactly one. */
export type FaultOperation = 'create' | 'process' | 'get' | 'list' | 'prerequest' | 'services';

/**
 * What an injected fault does to a request:
 * - `500`/`502`/`503`/`504`: an error answer in the reference's 5xx shape, before or after the write is committed;
 * - `drop`: the socket is destroyed without an answer (the client sees "socket hang up"), before or after commit;
 * - `slow`: the real answer, committed, but only after `slowMs`;
 * - `429`: "Too Many Requests" with a `Retry-After` header, nothing committed.
 */
export type FaultKind = '500' | '502' | '503' | '504' | 'drop' | 'slow' | '429';

export interface FaultConfig {
	/** Chance (0–1) that a request of one of `operations` gets a fault. 0 disables injection. */
	rate: number;
	/** Operations the rate applies to. Default: all of them. */
	operations: FaultOperation[];
	/** Relative weights of the fault kinds; kinds left out are never chosen. Default: every kind weight 1. */
	kinds: Partial<Record<FaultKind, number>>;
	/** Share (0–1) of 5xx and drop faults injected after the write was committed. Default 0.5. */
	afterCommitShare: number;
	/** Delay of a `slow` answer in ms. Default 3000. */
	slowMs: number;
	/** Value of the `Retry-After` header of a 429, in seconds. Default 1. */
	retryAfterSeconds: number;
	/** Stop after this many injected faults (null: no limit). Handy for "the next create fails" tests. */
	limit: number | null;
	/** Seed of the fault PRNG; setting faults always re-seeds it (default: the sandbox's `seed`). */
	seed: number;
}

/** Settings that can change while the sandbox runs (`configure()`, `POST /__sandbox/config`). */
export interface SandboxConfig {
	/** Delay added before every API answer (not the control endpoints). */
	latencyMs: number;
	/** Time from `processing` to the final status. */
	processDelayMs: number;
	/** Waits before callback attempts 2, 3, …; the last value repeats when there are more attempts than values. */
	callbackRetryDelaysMs: number[];
	/** Attempts per status change, the first one included. */
	callbackMaxAttempts: number;
	/** How long one callback attempt may take (connect + answer) before it counts as failed. */
	callbackTimeoutMs: number;
	/**
	 * Status changes of one invoice closer together than this are sent as one callback with the newest status, as
	 * the platform batches them (a receiver may then never see `processing`). 0 (default): one callback per change.
	 */
	callbackBatchMs: number;
	/**
	 * Whether the account has the `auto_process` invoice option (account options are agreed with PaymentsTrust).
	 * true (default): a create asking for it moves the invoice to processing at once. false, an account without it:
	 * the create is accepted and the invoice stays `created` (a Process request can still pay it).
	 */
	autoProcessEnabled: boolean;
}

export interface SandboxOptions extends SandboxConfig {
	/** 0 = a random free port. The CLI defaults to 4010 (env SANDBOX_PORT). */
	port: number;
	host: string;
	accountId: string;
	apiKey: string;
	/** Mode of the pre-request and service list: a `pk_live_…` key makes them live. */
	publicKey: string;
	/** Test secret key: signs callbacks of test-mode invoices. */
	testSecretKey: string;
	/** Live secret key: signs callbacks of live invoices (those created with `test_mode: false` or without it). */
	liveSecretKey: string;
	/** Where the Private API answers: '/api' (default, as the reference's links) or '' (the host root, as PaymentsTrust's own docs). */
	privateApiPath: '/api' | '';
	/** Seed of the deterministic PRNGs (fault injection, test_usd success rate). */
	seed: number;
	/** Fault injection active from the start; null = none. */
	faults: Partial<FaultConfig> | null;
}

/**
 * Exactly the field names of the `paymentsTrustApi` credential, so a test can hand it to the node as is
 * (a type, not an interface, so that it fits n8n's index-signature credential data).
 */
export type SandboxCredentials = {
	baseUrl: string;
	/** Environment of the sandbox's public key ('test' unless it is a pk_live_… key). */
	environment: 'test' | 'live';
	/** '' = automatic: the node finds the Private API itself, as with a new credential. */
	privateApiPath: string;
	publicApiPath: string;
	accountId: string;
	apiKey: string;
	publicKey: string;
	testSecretKey: string;
	liveSecretKey: string;
};

export interface FaultState {
	active: boolean;
	config: FaultConfig;
	/** Faults injected since the configuration was last set. */
	injected: number;
	/** Injected faults per kind since the configuration was last set. */
	injectedByKind: Partial<Record<FaultKind, number>>;
}

export interface SeedOptions {
	count: number;
	/** Service code of the seeded invoices (default test_usd). */
	service?: string;
	/** Status of every seeded invoice; default a fixed mix (mostly processed, some created and process_failed). */
	status?: string;
	/** Amount of every seeded invoice (default: a spread within the service's range). */
	amount?: number;
	/** Metadata of every seeded invoice (default none): e.g. an agent budget's tag. */
	metadata?: Record<string, unknown>;
	/** `created` of the newest seeded invoice, Unix seconds (default now); each older one a second before. */
	created?: number;
}

export interface SeedResult {
	inserted: number;
	total: number;
}

export type LedgerOutcome = 'accepted' | 'rejected' | 'faulted';

/** One create or process request as the sandbox saw it. */
export interface LedgerCall {
	seq: number;
	operation: 'create' | 'process';
	/** ISO time the request was handled. */
	at: string;
	/** reference_id sent with a create, or the reference of the processed invoice. */
	referenceId: string | null;
	invoiceId: string | null;
	/** accepted (2xx), rejected (401/404/409/422: nothing written) or faulted (a fault was injected). */
	outcome: LedgerOutcome;
	/** Whether this request wrote something (created the invoice / moved it to processing). */
	committed: boolean;
	/** The status the client received; null when the connection was dropped. */
	httpStatus: number | null;
	/** The status the sandbox itself decided; null when a fault hit before the request was handled. */
	decidedStatus: number | null;
	/** Short reason of a rejection: duplicated_reference_id, invalid_status, not_found, unauthorized, or the 422 fields. */
	error: string | null;
	fault: { kind: FaultKind; phase: 'before' | 'after' } | null;
}

export interface LedgerCallback {
	invoiceId: string;
	invoiceStatus: string;
	/** Mode of the invoice, i.e. which secret key signed the callback. */
	testMode: boolean;
	url: string;
	attempt: number;
	/** HTTP status of the receiver's answer; null on a connection error or timeout. */
	httpStatus: number | null;
	delivered: boolean;
	error: string | null;
	at: string;
}

export interface LedgerInvoice {
	id: string;
	referenceId: string;
	/** The invoice's mode: the create request's `test_mode`, or false (live) when the request left it out. */
	testMode: boolean;
	/** Whether the create request said `test_mode` itself (true or false). Every invoice the node creates must. */
	testModeExplicit: boolean;
	amount: number;
	currency: string;
	service: string;
	status: string;
	resolution: string;
	created: number;
	updated: number;
	seeded: boolean;
	/** Create requests for this reference that committed (must be 1). */
	createsCommitted: number;
	/** Process requests (or auto_process) that moved this invoice to processing (0 or 1). */
	processCommitted: number;
}

export interface LedgerCounts {
	total: number;
	accepted: number;
	rejected: number;
	faulted: number;
	/** Requests that wrote something, whatever the client saw. */
	committed: number;
	faultedCommitted: number;
	faultedNotCommitted: number;
	/** Rejections by HTTP status, e.g. {"409": 2, "422": 1}. */
	rejectedByStatus: Record<string, number>;
}

export interface LedgerSummary {
	invoices: number;
	seededInvoices: number;
	invoicesByStatus: Record<string, number>;
	createAttempts: LedgerCounts;
	processCalls: LedgerCounts;
	/** reference_ids with more than one committed create (the sandbox refuses them, so this proves it: 0). */
	referencesWithMultipleInvoices: number;
	/** Invoices moved to processing more than once (0). */
	invoicesProcessedMoreThanOnce: number;
	/** Invoices moved to processing at least once, by a process call or by their create's auto_process. */
	processedInvoices: number;
	/** Invoices moved to processing by their create request's auto_process (no process call). */
	autoProcessed: number;
	/** Invoices whose create request left `test_mode` out (recorded as live, the unsafe reading). */
	invoicesWithoutExplicitTestMode: number;
	/** Invoices still in created / processing / process_error (timers pending). */
	pendingProcessing: number;
	callbacks: { attempts: number; delivered: number; failed: number; pending: number };
	/** Faults injected since the last reset, across fault configuration changes. */
	faultsInjected: number;
}

export interface LedgerSnapshot {
	summary: LedgerSummary;
	invoices: LedgerInvoice[];
	calls: LedgerCall[];
	callbacks: LedgerCallback[];
}

export interface RunningSandbox {
	/** 'http://127.0.0.1:PORT' */
	baseUrl: string;
	/** baseUrl + the Private API path ('/api' or nothing) */
	privateApiUrl: string;
	/** baseUrl + '/public-api' */
	publicApiUrl: string;
	credentials: SandboxCredentials;
	port: number;
	close(): Promise<void>;
	/** Forget every invoice, call, callback and timer; faults and config return to the start options; PRNGs re-seeded. */
	reset(): void;
	/** Change runtime settings; returns the settings now in force. */
	configure(partial: Partial<SandboxConfig>): SandboxConfig;
	ledger(): LedgerSnapshot;
	/** Replace the fault configuration (missing keys take defaults); null, {} or {rate:0} clears it. */
	setFaults(faults: Partial<FaultConfig> | null): FaultState;
	/** Insert invoices directly (no validation, no callbacks): for list benchmarks. */
	seedInvoices(count: number, options?: Omit<SeedOptions, 'count'>): SeedResult;
}
