import { serviceByCode } from './catalogue';
import { SandboxContext } from './context';
import { ConfigError } from './faults';
import { seedInvoices } from './invoices';
import { mergeConfig, pickConfig } from './options';
import { KNOWN_STATUSES } from './processing';
import { createRandom, deriveSeed } from './prng';
import {
	FaultConfig,
	FaultState,
	LedgerSnapshot,
	SandboxConfig,
	SeedOptions,
	SeedResult,
} from './types';

/**
 * The sandbox's control surface, shared by the in-process shortcuts of RunningSandbox and the HTTP endpoints under
 * /__sandbox/, so both behave identically.
 */
export const OUTCOME_STREAM = 2;
export const MAX_SEED = 1_000_000;

export interface Control {
	reset(): void;
	configure(partial: Partial<SandboxConfig>): SandboxConfig;
	config(): SandboxConfig;
	ledger(summaryOnly?: boolean): LedgerSnapshot;
	setFaults(faults: Partial<FaultConfig> | null): FaultState;
	faults(): FaultState;
	seedInvoices(count: number, options?: Omit<SeedOptions, 'count'>): SeedResult;
}

export function createControl(ctx: SandboxContext): Control {
	return {
		reset() {
			// Timers first: no process timer or callback retry of the old state may fire into the new one.
			ctx.timers.cancelAll();
			ctx.callbacks.cancelAll();
			ctx.store.clear();
			ctx.ledger.clear();
			ctx.config = pickConfig(ctx.options);
			ctx.faults.set(ctx.options.faults);
			ctx.faults.clearTotal();
			ctx.outcomeRandom = createRandom(deriveSeed(ctx.options.seed, OUTCOME_STREAM));
		},
		configure(partial) {
			ctx.config = mergeConfig(ctx.config, partial);
			return pickConfig(ctx.config);
		},
		config: () => pickConfig(ctx.config),
		ledger: (summaryOnly = false) =>
			ctx.ledger.snapshot(ctx.store, ctx.faults.totalInjected, summaryOnly),
		setFaults: (faults) => ctx.faults.set(faults),
		faults: () => ctx.faults.state(),
		seedInvoices(count, options = {}) {
			if (!Number.isInteger(count) || count < 1 || count > MAX_SEED) {
				throw new ConfigError(`count must be an integer from 1 to ${MAX_SEED}`);
			}
			if (options.service !== undefined && !serviceByCode(options.service)) {
				throw new ConfigError(`unknown service "${options.service}"`);
			}
			if (options.status !== undefined && !KNOWN_STATUSES.includes(options.status)) {
				throw new ConfigError(`unknown status "${options.status}"`);
			}
			if (
				options.amount !== undefined &&
				!(
					typeof options.amount === 'number' &&
					Number.isFinite(options.amount) &&
					options.amount > 0
				)
			) {
				throw new ConfigError('amount must be a positive number');
			}
			if (options.created !== undefined && !Number.isInteger(options.created)) {
				throw new ConfigError('created must be whole Unix seconds');
			}
			if (
				options.metadata !== undefined &&
				(typeof options.metadata !== 'object' ||
					options.metadata === null ||
					Array.isArray(options.metadata))
			) {
				throw new ConfigError('metadata must be an object');
			}
			return seedInvoices(ctx, { ...options, count });
		},
	};
}
