import { CallbackDispatcher } from './callbacks';
import { SandboxContext } from './context';
import { createControl, OUTCOME_STREAM } from './control';
import { FaultInjector } from './faults';
import { Ledger } from './ledger';
import { pickConfig, resolveOptions } from './options';
import { createRandom, deriveSeed } from './prng';
import { buildServer } from './server';
import { InvoiceStore } from './store';
import { Timers } from './timers';
import { RunningSandbox, SandboxOptions } from './types';

/**
 * The local PaymentsTrust sandbox: a stand-in for the Payouts API (Public and Private) with in-memory state,
 * status callbacks, fault injection and control endpoints. See sandbox/README.md.
 */
export * from './types';
export { signCallback } from './callbacks';
export { SERVICES, METHODS } from './catalogue';
export { MAGIC_ENDINGS, KNOWN_STATUSES } from './processing';
export { DEFAULT_OPTIONS } from './options';

function urlHost(host: string): string {
	if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
	return host.includes(':') ? `[${host}]` : host;
}

export async function startSandbox(options: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
	const opts = resolveOptions(options);
	const ctx = {
		options: opts,
		config: pickConfig(opts),
		baseUrl: '',
		testMode: !opts.publicKey.startsWith('pk_live_'),
		privatePrefix: opts.privateApiPath,
		store: new InvoiceStore(),
		ledger: new Ledger(),
		faults: new FaultInjector(opts.seed),
		timers: new Timers(),
		outcomeRandom: createRandom(deriveSeed(opts.seed, OUTCOME_STREAM)),
	} as SandboxContext;
	ctx.callbacks = new CallbackDispatcher(ctx);
	ctx.faults.set(opts.faults);

	const control = createControl(ctx);
	const app = buildServer(ctx, control);
	await app.listen({ port: opts.port, host: opts.host });
	const address = app.server.address();
	const port = typeof address === 'object' && address ? address.port : opts.port;
	const baseUrl = `http://${urlHost(opts.host)}:${port}`;
	ctx.baseUrl = baseUrl;

	let closing: Promise<void> | undefined;
	return {
		baseUrl,
		privateApiUrl: `${baseUrl}${opts.privateApiPath}`,
		publicApiUrl: `${baseUrl}/public-api`,
		credentials: {
			baseUrl,
			environment: ctx.testMode ? 'test' : 'live',
			privateApiPath: '',
			publicApiPath: '/public-api',
			accountId: opts.accountId,
			apiKey: opts.apiKey,
			publicKey: opts.publicKey,
			testSecretKey: opts.testSecretKey,
			liveSecretKey: opts.liveSecretKey,
		},
		port,
		close() {
			closing ??= (async () => {
				ctx.timers.cancelAll();
				ctx.callbacks.cancelAll();
				await app.close();
			})();
			return closing;
		},
		reset: () => control.reset(),
		configure: (partial) => control.configure(partial),
		ledger: () => control.ledger(),
		setFaults: (faults) => control.setFaults(faults),
		seedInvoices: (count, seedOptions) => control.seedInvoices(count, seedOptions),
	};
}
