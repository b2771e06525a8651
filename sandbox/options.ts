import { ConfigError } from './faults';
import { SandboxConfig, SandboxOptions } from './types';

/**
 * Defaults of the sandbox options. Callback retries follow the platform's pattern (1 min, then +2, +3 … minutes)
 * scaled down to seconds, so a demo shows a retry without waiting minutes; tests pass a few milliseconds.
 */
export const DEFAULT_OPTIONS: SandboxOptions = {
	port: 0,
	host: '127.0.0.1',
	accountId: 'coma_sandbox',
	apiKey: 'sandbox_api_key',
	publicKey: 'pk_test_sandbox',
	testSecretKey: 'sk_test_sandbox',
	liveSecretKey: 'sk_live_sandbox',
	privateApiPath: '/api',
	latencyMs: 0,
	processDelayMs: 300,
	callbackRetryDelaysMs: [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000],
	callbackMaxAttempts: 10,
	callbackTimeoutMs: 10_000,
	callbackBatchMs: 0,
	autoProcessEnabled: true,
	seed: 1,
	faults: null,
};

const CONFIG_KEYS: (keyof SandboxConfig)[] = [
	'latencyMs',
	'processDelayMs',
	'callbackRetryDelaysMs',
	'callbackMaxAttempts',
	'callbackTimeoutMs',
	'callbackBatchMs',
	'autoProcessEnabled',
];

function nonNegative(value: unknown, name: string): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
		throw new ConfigError(`${name} must be a number >= 0`);
	}
	return value;
}

/** Applies a partial runtime configuration onto `base`; throws ConfigError on a bad value or unknown key. */
export function mergeConfig(
	base: SandboxConfig,
	partial: Partial<SandboxConfig> | null | undefined,
): SandboxConfig {
	const next: SandboxConfig = { ...base, callbackRetryDelaysMs: [...base.callbackRetryDelaysMs] };
	if (!partial) return next;
	if (typeof partial !== 'object' || Array.isArray(partial))
		throw new ConfigError('config must be an object');
	for (const key of Object.keys(partial)) {
		if (!CONFIG_KEYS.includes(key as keyof SandboxConfig)) {
			throw new ConfigError(`unknown setting "${key}" (${CONFIG_KEYS.join(', ')})`);
		}
	}
	if (partial.latencyMs !== undefined) next.latencyMs = nonNegative(partial.latencyMs, 'latencyMs');
	if (partial.processDelayMs !== undefined)
		next.processDelayMs = nonNegative(partial.processDelayMs, 'processDelayMs');
	if (partial.callbackTimeoutMs !== undefined) {
		next.callbackTimeoutMs = nonNegative(partial.callbackTimeoutMs, 'callbackTimeoutMs');
	}
	if (partial.callbackBatchMs !== undefined)
		next.callbackBatchMs = nonNegative(partial.callbackBatchMs, 'callbackBatchMs');
	if (partial.autoProcessEnabled !== undefined) {
		if (typeof partial.autoProcessEnabled !== 'boolean')
			throw new ConfigError('autoProcessEnabled must be true or false');
		next.autoProcessEnabled = partial.autoProcessEnabled;
	}
	if (partial.callbackMaxAttempts !== undefined) {
		const n = nonNegative(partial.callbackMaxAttempts, 'callbackMaxAttempts');
		if (!Number.isInteger(n) || n < 1)
			throw new ConfigError('callbackMaxAttempts must be an integer >= 1');
		next.callbackMaxAttempts = n;
	}
	if (partial.callbackRetryDelaysMs !== undefined) {
		const d = partial.callbackRetryDelaysMs;
		if (!Array.isArray(d) || d.length === 0)
			throw new ConfigError('callbackRetryDelaysMs must be a non-empty array');
		next.callbackRetryDelaysMs = d.map((v, i) => nonNegative(v, `callbackRetryDelaysMs[${i}]`));
	}
	return next;
}

export function resolveOptions(partial: Partial<SandboxOptions> = {}): SandboxOptions {
	const defined = Object.fromEntries(
		Object.entries(partial).filter(([, v]) => v !== undefined),
	) as Partial<SandboxOptions>;
	const merged: SandboxOptions = { ...DEFAULT_OPTIONS, ...defined };
	if (merged.privateApiPath !== '/api' && merged.privateApiPath !== '') {
		throw new ConfigError('privateApiPath must be "/api" or "" (the host root)');
	}
	// Validate the runtime part through the same path as configure(), so both refuse the same mistakes.
	const config = mergeConfig(pickConfig(DEFAULT_OPTIONS), pickConfig(merged));
	return { ...merged, ...config };
}

export function pickConfig(o: SandboxConfig): SandboxConfig {
	return {
		latencyMs: o.latencyMs,
		processDelayMs: o.processDelayMs,
		callbackRetryDelaysMs: [...o.callbackRetryDelaysMs],
		callbackMaxAttempts: o.callbackMaxAttempts,
		callbackTimeoutMs: o.callbackTimeoutMs,
		callbackBatchMs: o.callbackBatchMs,
		autoProcessEnabled: o.autoProcessEnabled,
	};
}
