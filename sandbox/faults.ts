import { createRandom, deriveSeed, Random } from './prng';
import { FaultConfig, FaultKind, FaultOperation, FaultState } from './types';

/**
 * Fault injection. A seeded PRNG decides, per request of a targeted operation, whether it gets a fault and which;
 * the same seed, configuration and request sequence give the same faults, so a failing retry test replays.
 *
 * The point is the client's idempotency: a 5xx or a dropped connection can come *after* the invoice was created or
 * processed, and the client must then look it up by reference_id instead of blindly creating it again.
 */

export const FAULT_OPERATIONS: FaultOperation[] = [
	'create',
	'process',
	'get',
	'list',
	'prerequest',
	'services',
];
export const FAULT_KINDS: FaultKind[] = ['500', '502', '503', '504', 'drop', 'slow', '429'];

export interface FaultDecision {
	kind: FaultKind;
	/** before: the request is not handled at all; after: it is handled (and committed), then the answer is spoiled. */
	phase: 'before' | 'after';
}

export class ConfigError extends Error {}

const FAULT_STREAM = 1;

export function defaultFaultConfig(seed: number): FaultConfig {
	return {
		rate: 0,
		operations: [...FAULT_OPERATIONS],
		kinds: Object.fromEntries(FAULT_KINDS.map((k) => [k, 1])),
		afterCommitShare: 0.5,
		slowMs: 3000,
		retryAfterSeconds: 1,
		limit: null,
		seed,
	};
}

function num(value: unknown, name: string, min: number, max = Infinity): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
		throw new ConfigError(
			`${name} must be a number from ${min}${max === Infinity ? '' : ` to ${max}`}`,
		);
	}
	return value;
}

/** Full configuration from a partial one; throws ConfigError on anything it cannot use. */
export function normalizeFaults(
	partial: Partial<FaultConfig> | null | undefined,
	defaultSeed: number,
): FaultConfig {
	const cfg = defaultFaultConfig(defaultSeed);
	if (!partial) return cfg;
	if (typeof partial !== 'object' || Array.isArray(partial))
		throw new ConfigError('faults must be an object');
	const known = new Set(Object.keys(cfg));
	for (const key of Object.keys(partial))
		if (!known.has(key)) throw new ConfigError(`unknown fault setting "${key}"`);
	if (partial.rate !== undefined) cfg.rate = num(partial.rate, 'rate', 0, 1);
	if (partial.operations !== undefined) {
		if (!Array.isArray(partial.operations)) throw new ConfigError('operations must be an array');
		for (const op of partial.operations) {
			if (!FAULT_OPERATIONS.includes(op))
				throw new ConfigError(`unknown operation "${op}" (${FAULT_OPERATIONS.join(', ')})`);
		}
		cfg.operations = [...new Set(partial.operations)];
	}
	if (partial.kinds !== undefined) {
		if (!partial.kinds || typeof partial.kinds !== 'object')
			throw new ConfigError('kinds must be an object of weights');
		const kinds: Partial<Record<FaultKind, number>> = {};
		for (const [k, w] of Object.entries(partial.kinds)) {
			if (!FAULT_KINDS.includes(k as FaultKind))
				throw new ConfigError(`unknown fault kind "${k}" (${FAULT_KINDS.join(', ')})`);
			kinds[k as FaultKind] = num(w, `kinds.${k}`, 0);
		}
		if (cfg.rate > 0 && !Object.values(kinds).some((w) => (w ?? 0) > 0)) {
			throw new ConfigError('kinds needs at least one positive weight');
		}
		cfg.kinds = kinds;
	}
	if (partial.afterCommitShare !== undefined)
		cfg.afterCommitShare = num(partial.afterCommitShare, 'afterCommitShare', 0, 1);
	if (partial.slowMs !== undefined) cfg.slowMs = num(partial.slowMs, 'slowMs', 0);
	if (partial.retryAfterSeconds !== undefined) {
		cfg.retryAfterSeconds = Math.round(num(partial.retryAfterSeconds, 'retryAfterSeconds', 0));
	}
	if (partial.limit !== undefined && partial.limit !== null)
		cfg.limit = Math.floor(num(partial.limit, 'limit', 0));
	if (partial.seed !== undefined) cfg.seed = num(partial.seed, 'seed', -Infinity) >>> 0;
	return cfg;
}

export class FaultInjector {
	private config: FaultConfig;
	private random: Random;
	private injected = 0;
	/** Across configuration changes; only reset() clears it (the ledger's faultsInjected). */
	private injectedSinceReset = 0;
	private injectedByKind: Partial<Record<FaultKind, number>> = {};

	constructor(private readonly defaultSeed: number) {
		this.config = defaultFaultConfig(defaultSeed);
		this.random = createRandom(deriveSeed(this.config.seed, FAULT_STREAM));
	}

	/** Replaces the configuration and re-seeds; the counters start again. */
	set(partial: Partial<FaultConfig> | null | undefined): FaultState {
		this.config = normalizeFaults(partial, this.defaultSeed);
		this.random = createRandom(deriveSeed(this.config.seed, FAULT_STREAM));
		this.injected = 0;
		this.injectedByKind = {};
		return this.state();
	}

	state(): FaultState {
		return {
			active: this.isActive(),
			config: {
				...this.config,
				operations: [...this.config.operations],
				kinds: { ...this.config.kinds },
			},
			injected: this.injected,
			injectedByKind: { ...this.injectedByKind },
		};
	}

	private isActive(): boolean {
		return (
			this.config.rate > 0 && (this.config.limit === null || this.injected < this.config.limit)
		);
	}

	/** Whether this request of `op` gets a fault, and which. */
	decide(op: FaultOperation): FaultDecision | null {
		const cfg = this.config;
		if (!this.isActive() || !cfg.operations.includes(op)) return null;
		if (this.random() >= cfg.rate) return null;
		const weighted = FAULT_KINDS.map((k) => [k, cfg.kinds[k] ?? 0] as const).filter(
			([, w]) => w > 0,
		);
		const total = weighted.reduce((sum, [, w]) => sum + w, 0);
		if (total <= 0) return null;
		let pick = this.random() * total;
		let kind: FaultKind = weighted[weighted.length - 1][0];
		for (const [k, w] of weighted) {
			if (pick < w) {
				kind = k;
				break;
			}
			pick -= w;
		}
		// slow always answers (late) with the write done; 429 always refuses before doing anything.
		let phase: 'before' | 'after';
		if (kind === 'slow') phase = 'after';
		else if (kind === '429') phase = 'before';
		else phase = this.random() < cfg.afterCommitShare ? 'after' : 'before';
		this.injected++;
		this.injectedSinceReset++;
		this.injectedByKind[kind] = (this.injectedByKind[kind] ?? 0) + 1;
		return { kind, phase };
	}

	get slowMs(): number {
		return this.config.slowMs;
	}

	get retryAfterSeconds(): number {
		return this.config.retryAfterSeconds;
	}

	get totalInjected(): number {
		return this.injectedSinceReset;
	}

	clearTotal(): void {
		this.injectedSinceReset = 0;
	}
}

/** The HTTP status a client receives for a fault (null: no answer at all). */
export function faultHttpStatus(
	fault: FaultDecision | null,
	decidedStatus: number | null,
): number | null {
	if (!fault || fault.kind === 'slow') return decidedStatus;
	if (fault.kind === 'drop') return null;
	return Number(fault.kind);
}
