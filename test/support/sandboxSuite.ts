/**
 * The sandbox fixtures the node suites share, registered as jest hooks of the calling file: one
 * sandbox per file on a free port (20 ms per processing step), the ledger's test-mode check after
 * each test, and, with proxies, a recording proxy in front of it plus one that serves small pages.
 *
 * Each returns handles that read through to what the hooks started, so a suite writes
 * `sandbox.credentials` as it would with a variable of its own.
 */
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../sandbox';
import { checkModeAfterEachTest } from './explicitMode';
import { startRecordingProxy, type RecordingProxy } from './recordingProxy';

/** An object whose properties are those of whatever `current()` is when they are read. */
function liveHandle<T extends object>(what: string, current: () => T | undefined): T {
	return new Proxy({} as T, {
		get(_target, property) {
			const value = current();
			if (!value) throw new Error(`${what} is not running (read outside the suite's tests)`);
			const member = Reflect.get(value, property, value) as unknown;
			return typeof member === 'function' ? member.bind(value) : member;
		},
	});
}

export interface SandboxSuiteOptions {
	sandbox?: Partial<SandboxOptions>;
	/** Start each test on an empty ledger (default). */
	resetBeforeEach?: boolean;
}

/** One sandbox for the file, its ledger checked after each test for invoices of the wrong mode. */
export function useSandbox(options: SandboxSuiteOptions = {}): RunningSandbox {
	let sandbox: RunningSandbox | undefined;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, processDelayMs: 20, ...options.sandbox });
	});
	afterAll(async () => sandbox?.close());
	checkModeAfterEachTest(() => sandbox);
	if (options.resetBeforeEach !== false) beforeEach(() => sandbox?.reset());
	return liveHandle('the sandbox', () => sandbox);
}

export interface ProxiedSandbox {
	sandbox: RunningSandbox;
	/** Records every request the node sends, passed on unchanged. */
	proxy: RecordingProxy;
	/** Records too, and lowers every `page[size]` to `smallPageSize`, as a server with a small maximum would. */
	smallPages: RecordingProxy;
}

/**
 * A sandbox with two recording proxies in front of it, their records cleared before each test (the
 * ledger is not reset: suites that read seed it once). The proxies close before the sandbox.
 */
export function useSandboxBehindProxies(smallPageSize: number): ProxiedSandbox {
	let sandbox: RunningSandbox | undefined;
	let proxy: RecordingProxy | undefined;
	let smallPages: RecordingProxy | undefined;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
		proxy = await startRecordingProxy(sandbox.baseUrl);
		smallPages = await startRecordingProxy(sandbox.baseUrl, { maxPageSize: smallPageSize });
	});
	afterAll(async () => {
		await proxy?.close();
		await smallPages?.close();
		await sandbox?.close();
	});
	checkModeAfterEachTest(() => sandbox);
	beforeEach(() => {
		proxy?.clear();
		smallPages?.clear();
	});
	return {
		sandbox: liveHandle('the sandbox', () => sandbox),
		proxy: liveHandle('the recording proxy', () => proxy),
		smallPages: liveHandle('the small-page proxy', () => smallPages),
	};
}
