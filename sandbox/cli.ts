import { startSandbox } from './index';
import { SandboxOptions } from './types';

/**
 * `npm run sandbox`: starts the sandbox on 127.0.0.1:4010 (or SANDBOX_PORT) and prints where it is and the test
 * credentials to paste into n8n. Every setting can come from the environment; SIGINT/SIGTERM stop it cleanly.
 */

function envNumber(name: string): number | undefined {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return undefined;
	const n = Number(raw);
	if (!Number.isFinite(n) || n < 0) {
		console.error(`${name} must be a number >= 0, got "${raw}"`);
		process.exit(2);
	}
	return n;
}

/** SANDBOX_PRIVATE_API_PATH: "/api" (default) or "/" / "" for the host root. */
function privateApiPathFromEnv(): '/api' | '' | undefined {
	const value = process.env.SANDBOX_PRIVATE_API_PATH;
	if (value === undefined) return undefined;
	return value.trim() === '' || value.trim() === '/' ? '' : '/api';
}

function envList(name: string): number[] | undefined {
	const raw = process.env[name];
	if (!raw) return undefined;
	return raw.split(',').map((s) => Number(s.trim()));
}

async function main(): Promise<void> {
	const options: Partial<SandboxOptions> = {
		port: envNumber('SANDBOX_PORT') ?? 4010,
		host: process.env.SANDBOX_HOST || undefined,
		accountId: process.env.SANDBOX_ACCOUNT_ID || undefined,
		apiKey: process.env.SANDBOX_API_KEY || undefined,
		publicKey: process.env.SANDBOX_PUBLIC_KEY || undefined,
		testSecretKey: process.env.SANDBOX_SECRET_KEY || undefined,
		liveSecretKey: process.env.SANDBOX_LIVE_SECRET_KEY || undefined,
		privateApiPath: privateApiPathFromEnv(),
		latencyMs: envNumber('SANDBOX_LATENCY_MS'),
		processDelayMs: envNumber('SANDBOX_PROCESS_DELAY_MS'),
		callbackRetryDelaysMs: envList('SANDBOX_CALLBACK_RETRY_DELAYS_MS'),
		callbackMaxAttempts: envNumber('SANDBOX_CALLBACK_MAX_ATTEMPTS'),
		callbackBatchMs: envNumber('SANDBOX_CALLBACK_BATCH_MS'),
		seed: envNumber('SANDBOX_SEED'),
	};
	const sandbox = await startSandbox(options);
	const c = sandbox.credentials;
	console.log(
		[
			'PaymentsTrust sandbox running',
			`  Base URL         ${c.baseUrl}`,
			`  Private API      ${sandbox.privateApiUrl}  (HTTP Basic: account ID / API key)`,
			`  Public API       ${sandbox.publicApiUrl}  (public_key in body or query)`,
			`  Control          ${c.baseUrl}/__sandbox/  (reset, ledger, config, faults, seed, health)`,
			'',
			'Test credentials (PaymentsTrust API credential in n8n):',
			`  Base URL         ${c.baseUrl}`,
			`  Private API Path (leave empty: automatic; the sandbox serves it at ${sandbox.privateApiUrl})`,
			`  Public API Path  ${c.publicApiPath}`,
			`  Account ID       ${c.accountId}`,
			`  API Key          ${c.apiKey}`,
			`  Public Key       ${c.publicKey}`,
			`  Environment      ${c.environment === 'test' ? 'Test' : 'Live'}`,
			`  Test Secret Key  ${c.testSecretKey}`,
			`  Live Secret Key  ${c.liveSecretKey}`,
			'',
			'Ctrl+C to stop.',
		].join('\n'),
	);

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal}: stopping the sandbox`);
		sandbox.close().then(
			() => process.exit(0),
			(err) => {
				console.error(err);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
	console.error(`Could not start the sandbox: ${err instanceof Error ? err.message : String(err)}`);
	process.exit(1);
});
