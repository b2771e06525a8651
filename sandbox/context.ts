import type { CallbackDispatcher } from './callbacks';
import { FaultInjector } from './faults';
import { Ledger } from './ledger';
import { Random } from './prng';
import { InvoiceStore } from './store';
import { Timers } from './timers';
import { SandboxConfig, SandboxOptions } from './types';

/** Everything a route needs, in one object: the sandbox has no module-level state, so several can run at once. */
export interface SandboxContext {
	/** Options given at start (after defaults); reset() returns config and faults to these. */
	readonly options: SandboxOptions;
	/** Runtime settings, changed by configure(). */
	config: SandboxConfig;
	/** Known once listening; used for absolute URLs in answers (method logos, the account's website). */
	baseUrl: string;
	/**
	 * Mode of the pre-request and the service list, from the public key's prefix as on the platform (pk_live_… is
	 * live, anything else test). Invoices take their own mode from the create request's `test_mode`.
	 */
	readonly testMode: boolean;
	/** Where the Private API is served: '/api' or '' (the host root). */
	readonly privatePrefix: string;
	readonly store: InvoiceStore;
	readonly ledger: Ledger;
	readonly faults: FaultInjector;
	readonly timers: Timers;
	callbacks: CallbackDispatcher;
	/** Draws test_usd successes (separate from the fault stream). */
	outcomeRandom: Random;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
