/**
 * The PaymentsTrust sandbox as its own process (`tsx sandbox/cli.ts`, what `npm run sandbox` runs) on a free
 * loopback port, and the control endpoints the end-to-end checks read.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import type { LedgerSnapshot } from '../../sandbox/types';

import { freePort, startProcess, Started, waitFor } from './processes';

export const SANDBOX_CREDENTIALS = {
	environment: 'test',
	accountId: 'coma_sandbox',
	apiKey: 'sandbox_api_key',
	publicKey: 'pk_test_sandbox',
	testSecretKey: 'sk_test_sandbox',
	liveSecretKey: 'sk_live_sandbox',
};

export interface RunningSandbox {
	baseUrl: string;
	process: Started;
}

export async function startSandboxProcess(
	root: string,
	logDir: string,
	timeoutMs: number,
): Promise<RunningSandbox> {
	const cliPath = path.join(root, 'sandbox', 'cli.ts');
	if (!existsSync(cliPath)) throw new Error(`${cliPath} does not exist (yet)`);
	const port = await freePort();
	const proc = startProcess('sandbox', path.join(root, 'node_modules', '.bin', 'tsx'), [cliPath], {
		cwd: root,
		env: {
			...process.env,
			SANDBOX_PORT: String(port),
			SANDBOX_HOST: '127.0.0.1',
		},
		logFile: path.join(logDir, 'sandbox.log'),
	});
	let exitedWith: number | string | undefined;
	void proc.exited.then((code) => (exitedWith = code));
	const baseUrl = `http://127.0.0.1:${port}`;
	await waitFor(
		`sandbox to answer on ${baseUrl}`,
		async () =>
			(await fetch(`${baseUrl}/__sandbox/health`, { signal: AbortSignal.timeout(2_000) })).ok
				? true
				: undefined,
		{
			timeoutMs,
			abort: () =>
				exitedWith !== undefined ? `it exited with ${exitedWith}; see ${proc.logFile}` : undefined,
		},
	);
	return { baseUrl, process: proc };
}

/** The ledger as `GET /__sandbox/ledger` answers it: the sandbox's own type, read over HTTP. */
export type LedgerLike = LedgerSnapshot;

export async function readLedger(baseUrl: string): Promise<LedgerLike> {
	const res = await fetch(`${baseUrl}/__sandbox/ledger`, { signal: AbortSignal.timeout(10_000) });
	if (!res.ok) throw new Error(`GET /__sandbox/ledger answered ${res.status}`);
	return (await res.json()) as LedgerLike;
}

/** Changes runtime settings (`POST /__sandbox/config`). */
export async function configureSandbox(
	baseUrl: string,
	config: Record<string, unknown>,
): Promise<void> {
	const res = await fetch(`${baseUrl}/__sandbox/config`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(config),
		signal: AbortSignal.timeout(10_000),
	});
	if (!res.ok)
		throw new Error(`POST /__sandbox/config answered ${res.status}: ${await res.text()}`);
}

/** Turns the sandbox's fault injection on (`faults`: rate, operations, kinds, seed) or off (`null`). */
export async function setSandboxFaults(baseUrl: string, faults: object | null): Promise<void> {
	const res = await fetch(`${baseUrl}/__sandbox/faults`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(faults),
		signal: AbortSignal.timeout(10_000),
	});
	if (!res.ok)
		throw new Error(`POST /__sandbox/faults answered ${res.status}: ${await res.text()}`);
}

/**
 * Waits until the sandbox has no callback left to deliver and no payout left processing; returns the ledger
 * as it then is.
 */
export async function waitUntilCallbacksDelivered(
	baseUrl: string,
	timeoutMs: number,
	what = 'the sandbox to finish delivering callbacks',
): Promise<LedgerLike> {
	return await waitFor(
		what,
		async () => {
			const l = await readLedger(baseUrl);
			return l.summary.callbacks.pending === 0 && l.summary.pendingProcessing === 0 ? l : undefined;
		},
		{ timeoutMs, intervalMs: 1_000 },
	);
}

export async function resetSandbox(baseUrl: string): Promise<void> {
	const res = await fetch(`${baseUrl}/__sandbox/reset`, {
		method: 'POST',
		signal: AbortSignal.timeout(10_000),
	});
	if (!res.ok) throw new Error(`POST /__sandbox/reset answered ${res.status}`);
}

/** The credential n8n imports: the `paymentsTrustApi` type's fields, pointing at the sandbox. */
export function sandboxCredentialData(baseUrl: string): Record<string, string> {
	// Private API Path empty: automatic, as a new credential has it; the node finds the sandbox's /api itself.
	return { baseUrl, privateApiPath: '', publicApiPath: '/public-api', ...SANDBOX_CREDENTIALS };
}
