/**
 * The bench in a real n8n 2.41.1 (the e2e install, e2e/install-n8n.sh), started as an app: Create and Process
 * of N rows at concurrency 10 with 50 ms per API answer and with none,
 *
 *   single    one `n8n start` (SQLite, regular mode): one webhook call carries all N rows; one execution.
 *   queue-1w  queue mode (PostgreSQL, Redis): main, one webhook process, one worker (--concurrency=1); the
 *             rows go in chunks, one execution per chunk (docs/queue-mode.md).
 *   queue-2w  the same with two workers: twice the executions in flight, so twice the total concurrency.
 *   raw       bench/case.ts's axios loop with a new connection per request (n8n's own floor), concurrency 10.
 *
 * plus a large sheet (100,000 rows; --quick: 20,000) paid in chunks by queue-2w, for memory. Each n8n
 * process's CPU time and peak memory come from /proc (bench/procStats.ts). The sandbox's ledger checks every
 * run: N creates and N process calls accepted, no reference twice.
 *
 * The bench driver plays the parent workflow ("Pay a sheet in chunks"): it cuts the rows and POSTs the chunks,
 * all at once, to the webhook process; the queue and the workers' --concurrency decide what runs.
 */
/* eslint-disable no-console */
import http from 'http';
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import { join, resolve } from 'path';

import {
	activateWorkflow,
	communityNodesDir,
	createInstance,
	importCredentials,
	importWorkflow,
	isInstalled,
	n8nInstall,
	startServer,
} from '../e2e/lib/n8n';
import { buildAndPack, installPacked, PackedPackage } from '../e2e/lib/package';
import { killAllNow, sleep, Started, stopAll } from '../e2e/lib/processes';
import { QueueCluster } from '../e2e/lib/queueCluster';
import {
	configureSandbox,
	readLedger,
	RunningSandbox,
	sandboxCredentialData,
	startSandboxProcess,
} from '../e2e/lib/sandbox';
import { benchChunkWorkflow } from '../e2e/lib/sheetWorkflows';
import { createQueueServices, dropQueueServices } from '../e2e/lib/services';
import {
	CREDENTIAL_ID,
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	NODE_TYPE,
	type WorkflowJson,
} from '../e2e/lib/workflows';
import { mapWithConcurrency } from '../nodes/PaymentsTrust/helpers/concurrency';
import type { CaseResult, CaseSpec } from './case';
import { runChild } from './child';
import { GroupStats, ProcessGroupSampler } from './procStats';

const ROOT = resolve(__dirname, '..');
const WORKFLOW_ID = 'ptBenchPayChunk1';
const PATH = 'pt-bench-pay-chunk';
const CONCURRENCY = 10;
const WARMUP_ROWS = 20;

export type Setup = 'single' | 'queue-1w' | 'queue-2w' | 'raw';
/** How the payout node reads a row (issue 21): the bulk example's columns, or today's expression per field. */
export type RowsFrom = 'columns' | 'fields';
/**
 * How a payout is processed (issue 27): a separate Process request (two calls per row), or in the create
 * request itself (Processing "In the Create Request", `options.auto_process`: one call per row).
 */
export type Processing = 'separate' | 'auto';

/** The payout workflows every setup imports: rows from columns or fields, columns with Auto Process. */
const VARIANTS: Array<{ rowsFrom: RowsFrom; processing: Processing }> = [
	{ rowsFrom: 'columns', processing: 'separate' },
	{ rowsFrom: 'fields', processing: 'separate' },
	{ rowsFrom: 'columns', processing: 'auto' },
];
const variantKey = (rowsFrom: RowsFrom, processing: Processing) =>
	processing === 'auto' ? `${rowsFrom}-auto` : rowsFrom;

export interface RealN8nCase {
	setup: Setup;
	/** The payout node's Rows From (absent: the bulk example's, i.e. columns; raw: not applicable). */
	rowsFrom?: RowsFrom;
	/** N8N_EXPRESSION_ENGINE of the n8n processes (absent: n8n's default, `vm` in 2.x). */
	expressionEngine?: string;
	/** 'auto': one call per row (the create processes the invoice); absent: create, then process. */
	processing?: 'auto';
	latencyMs: number;
	rows: number;
	chunkSize: number;
	/** Requests in flight at once over the whole setup (node concurrency × executions in flight). */
	totalConcurrency: number;
	wallMs: number;
	lowerBoundMs: number;
	processes: GroupStats[];
	ledgerOk: boolean;
	ledgerNote: string;
	loadBefore: number;
	/** The 1-minute load average right after the case: other work on the machine shows here too. */
	loadAfter?: number;
	/**
	 * Two calls per row: the time from the sandbox taking a row's create to taking its process request, less
	 * the answer's latency, in ms: the client's turnaround (reading the answer, starting the next request, a new
	 * connection) plus the sandbox's own handling. Where issue 21's "2.7 ms more per request" would show.
	 */
	turnaroundMs?: { mean: number; p50: number; p90: number; p99: number };
	/**
	 * Where the wall time went, from the ledger's call times (the sandbox stamps a call once its latency has
	 * passed): from the first chunk posted to the first call taken (reading and checking the rows, the service
	 * look-ups), from the first call to the last (paying), and from the last call to the last chunk answered
	 * (the answer, the output, saving the execution).
	 */
	phasesMs?: { beforeFirstCall?: number; paying: number; afterLastCall?: number };
	error?: string;
}

export interface RealN8nRun {
	mode: 'full' | 'quick';
	date: string;
	durationMs: number;
	machine: { cpus: number; loadAtStart: number[]; loadAtEnd: number[] };
	n8nVersion: string;
	cases: RealN8nCase[];
}

function row(prefix: string, i: number): Record<string, string> {
	return {
		reference_id: `${prefix}-${i}`,
		service: 'test_usd',
		currency: 'USD',
		amount: (10 + (i % 90)).toFixed(2),
		account: String(300000 + i),
		note: 'bench',
	};
}

/** POST without undici's 300 s header timeout: a chunk may wait in the queue longer than that. */
async function post(url: string, body: unknown, timeoutMs: number): Promise<number> {
	const data = Buffer.from(JSON.stringify(body));
	return await new Promise((resolvePost, reject) => {
		const req = http.request(
			url,
			{
				method: 'POST',
				headers: { 'content-type': 'application/json', 'content-length': data.length },
				timeout: timeoutMs,
			},
			(res) => {
				res.resume();
				res.on('end', () => resolvePost(res.statusCode ?? 0));
			},
		);
		req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
		req.on('error', reject);
		req.end(data);
	});
}

/**
 * Posts the rows in chunks, at most `inFlight` at a time (the parent's HTTP Request with Batching,
 * docs/queue-mode.md); every chunk must be answered 200. Sent all at once, every waiting chunk is an open request the
 * webhook process holds until its execution ends, so its memory would grow with the sheet.
 */
async function payInChunks(
	url: string,
	prefix: string,
	rows: number,
	chunkSize: number,
	inFlight: number,
): Promise<void> {
	const starts: number[] = [];
	for (let first = 0; first < rows; first += chunkSize) starts.push(first);
	const answers = (await mapWithConcurrency(starts, inFlight, async (first, index) => {
		const chunk = Array.from({ length: Math.min(chunkSize, rows - first) }, (_, k) =>
			row(prefix, first + k + 1),
		);
		return await post(url, { chunk: index + 1, rows: chunk }, 3_600_000);
	})) as number[];
	const bad = answers.filter((s) => s !== 200);
	if (bad.length)
		throw new Error(
			`${bad.length} of ${answers.length} chunks answered ${[...new Set(bad)].join(', ')}`,
		);
}

/**
 * Chunks in flight per execution slot: one running and one waiting in the queue, so no worker waits for the next
 * chunk to arrive.
 */
const CHUNKS_IN_FLIGHT_PER_SLOT = 2;

/**
 * The V8 heap limit of each worker (MB). Left to itself V8 sizes the heap from the machine's memory and collects
 * lazily: a worker paying 1,000-row chunks one after the other reached ~1.1 GB of RSS, mostly garbage. n8n's own
 * Docker docs set NODE_OPTIONS=--max-old-space-size for the same reason; docs/queue-mode.md says so.
 */
const WORKER_HEAP_MB = Number(process.env.BENCH_WORKER_HEAP_MB || 640);

export interface Target {
	/** The webhook of each payout workflow (VARIANTS), by variantKey. */
	urls: Record<string, string>;
	leaders: Map<string, number>;
	executionsInFlight: number;
	stop(): Promise<void>;
}

/**
 * The chunk example's payout node as n8n runs it in each mode: as the example is (Rows From: Columns of Each
 * Input Item), or as the bulk example was before issue 21, an n8n expression per field and per row ("fields").
 */
function payoutParametersFor(
	rowsFrom: RowsFrom,
	example: Record<string, unknown>,
	processing: Processing,
): Record<string, unknown> {
	const options = { concurrency: CONCURRENCY, waitForFinalStatus: false };
	if (processing === 'auto')
		return { ...payoutParametersFor(rowsFrom, example, 'separate'), processing: 'autoProcess' };
	if (rowsFrom === 'columns') return { ...example, options };
	const { resource, operation, invoiceOptions } = example;
	return {
		resource,
		operation,
		rowsFrom: 'fields',
		service: { __rl: true, mode: 'code', value: '={{ $json.service }}' },
		currency: '={{ $json.currency }}',
		amount: '={{ $json.amount }}',
		referenceId: '={{ $json.reference_id }}',
		serviceFields: { mappingMode: 'autoMapInputData', value: {}, matchingColumns: [], schema: [] },
		additionalFields: {
			description: '={{ $json.note }}',
			metadata: "={{ JSON.stringify({ source: 'bulk-payouts.csv' }) }}",
		},
		invoiceOptions,
		options,
	};
}

/** The importable chunk example as the bench runs it, its payout node reading rows as `rowsFrom` says. */
export function benchWorkflowFor(
	rowsFrom: RowsFrom,
	ids: { id: string; webhookId: string; path: string },
	processing: Processing = 'separate',
): WorkflowJson {
	const workflow = benchChunkWorkflow(ROOT, {
		...ids,
		options: { concurrency: CONCURRENCY, waitForFinalStatus: false },
	});
	const pay = workflow.nodes.find((node) => node.type === NODE_TYPE);
	if (!pay) throw new Error('the chunk example has no PaymentsTrust node');
	pay.parameters = payoutParametersFor(rowsFrom, pay.parameters, processing);
	workflow.name = `Bench: pay a chunk (rows from ${rowsFrom}${processing === 'auto' ? ', auto process' : ''})`;
	return workflow;
}

const benchWorkflows = () =>
	VARIANTS.map(({ rowsFrom, processing }, index) =>
		benchWorkflowFor(
			rowsFrom,
			{
				id: `${WORKFLOW_ID.slice(0, -1)}${index + 1}`,
				webhookId: `be0c0000-0000-4000-8000-00000000b00${index + 1}`,
				path: `${PATH}-${variantKey(rowsFrom, processing)}`,
			},
			processing,
		),
	);

async function importBenchWorkflows(inst: Parameters<typeof importWorkflow>[0]): Promise<void> {
	for (const workflow of benchWorkflows()) {
		await importWorkflow(inst, workflow, `bench-${workflow.id}`);
		await activateWorkflow(inst, workflow.id as string);
	}
}

const urlsOf = (baseUrl: string): Record<string, string> =>
	Object.fromEntries(
		VARIANTS.map(({ rowsFrom, processing }) => {
			const key = variantKey(rowsFrom, processing);
			return [key, `${baseUrl}/webhook/${PATH}-${key}`];
		}),
	);

interface LedgerCallTimes {
	operation: string;
	referenceId: string | null;
	at: string;
	committed: boolean;
}

/** Per row with a committed create and process: process taken − create taken − latency (see turnaroundMs). */
function turnaround(calls: LedgerCallTimes[], latencyMs: number): RealN8nCase['turnaroundMs'] {
	const created = new Map<string, number>();
	const gaps: number[] = [];
	for (const call of calls) {
		if (!call.committed || call.referenceId === null) continue;
		const at = Date.parse(call.at);
		if (call.operation === 'create') created.set(call.referenceId, at);
		else if (created.has(call.referenceId))
			gaps.push(at - created.get(call.referenceId)! - latencyMs);
	}
	if (gaps.length === 0) return undefined;
	gaps.sort((a, b) => a - b);
	const at = (q: number) => gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))];
	const mean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
	return { mean: Math.round(mean * 100) / 100, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

/**
 * When the sandbox took the first and the last call of the measured rows (references starting with `prefix`,
 * the warm-up's, which contain `warmUp`, left out); see phasesMs.
 */
function callSpan(
	calls: LedgerCallTimes[],
	prefix: string,
	warmUp: string,
): { first: number; last: number } | undefined {
	let first = Infinity;
	let last = -Infinity;
	for (const call of calls) {
		if (!call.referenceId?.startsWith(prefix) || call.referenceId.includes(warmUp)) continue;
		const at = Date.parse(call.at);
		first = Math.min(first, at);
		last = Math.max(last, at);
	}
	return first === Infinity ? undefined : { first, last };
}

interface LedgerSummaryFields {
	createAttempts?: { accepted: number };
	processCalls?: { accepted: number; total: number };
	processedInvoices?: number;
	autoProcessed?: number;
	referencesWithMultipleInvoices: number;
	invoicesProcessedMoreThanOnce: number;
}

/**
 * Every row paid once, from the sandbox's ledger: `expected` creates accepted and invoices processed, none
 * twice, no reference twice; with two calls per row `expected` process calls accepted, with one none at all
 * (each invoice processed by its create's auto_process).
 */
async function ledgerCheck(
	sandbox: RunningSandbox,
	expected: number,
	callsPerRow: number,
	latencyMs: number,
): Promise<
	Pick<RealN8nCase, 'ledgerOk' | 'ledgerNote' | 'turnaroundMs'> & { callTimes: LedgerCallTimes[] }
> {
	const ledger = await readLedger(sandbox.baseUrl);
	const summary = ledger.summary as unknown as LedgerSummaryFields;
	const processCallsOk =
		callsPerRow === 1
			? summary.processCalls?.total === 0 && summary.autoProcessed === expected
			: summary.processCalls?.accepted === expected;
	const ledgerOk =
		summary.createAttempts?.accepted === expected &&
		summary.processedInvoices === expected &&
		processCallsOk &&
		summary.referencesWithMultipleInvoices === 0 &&
		summary.invoicesProcessedMoreThanOnce === 0;
	return {
		ledgerOk,
		turnaroundMs: turnaround(ledger.calls as unknown as LedgerCallTimes[], latencyMs),
		callTimes: ledger.calls as unknown as LedgerCallTimes[],
		ledgerNote: `${summary.createAttempts?.accepted} creates, ${summary.processCalls?.accepted} process calls accepted, ${summary.autoProcessed} invoices processed by their create, ${summary.processedInvoices} processed (expected ${expected}); ${summary.referencesWithMultipleInvoices} references twice`,
	};
}

const credential = (sandbox: RunningSandbox) => ({
	id: CREDENTIAL_ID,
	name: CREDENTIAL_NAME,
	type: CREDENTIAL_TYPE,
	data: sandboxCredentialData(sandbox.baseUrl),
});

const pidOf = (p?: Started) => p?.child.pid ?? 0;

/** One `n8n start`; `env` adds to its environment (e.g. N8N_EXPRESSION_ENGINE), `name` keeps its folders apart. */
export async function startSingle(
	dir: string,
	pkg: PackedPackage,
	sandbox: RunningSandbox,
	env: Record<string, string> = {},
	name = 'single',
): Promise<Target> {
	const install = n8nInstall(2);
	const inst = await createInstance(install, {
		userFolder: join(dir, name),
		logDir: join(dir, 'logs', name),
		filesDir: join(dir, 'files'),
	});
	await installPacked(pkg, communityNodesDir(inst.userFolder), inst.logDir);
	await importCredentials(inst, [credential(sandbox)]);
	await importBenchWorkflows(inst);
	Object.assign(inst.env, env);
	const server = await startServer(inst, 180_000);
	return {
		urls: urlsOf(inst.baseUrl),
		leaders: new Map([['n8n (single)', pidOf(server)]]),
		executionsInFlight: 1,
		stop: async () => await server.stop(),
	};
}

export async function startQueue(
	dir: string,
	pkg: PackedPackage,
	sandbox: RunningSandbox,
	workers: number,
): Promise<Target> {
	const install = n8nInstall(2);
	const logDir = join(dir, 'logs', `queue-${workers}w`);
	const services = await createQueueServices(logDir);
	const cluster = await QueueCluster.create({
		install,
		services,
		dir: join(dir, `queue-${workers}w`),
		filesDir: join(dir, 'files'),
		pkg,
		workers,
		webhooks: 1,
		workerConcurrency: 1,
		roleEnv:
			WORKER_HEAP_MB > 0
				? { worker: { NODE_OPTIONS: `--max-old-space-size=${WORKER_HEAP_MB}` } }
				: undefined,
	});
	const stop = async () => {
		await cluster.stop();
		await dropQueueServices(services, logDir).catch((error: Error) =>
			console.error(`cleanup: ${error.message}`),
		);
	};
	try {
		await importCredentials(cluster.main.inst, [credential(sandbox)]);
		await importBenchWorkflows(cluster.main.inst);
		await cluster.start(180_000);
	} catch (error) {
		await stop();
		throw error;
	}
	const web = cluster.byRole('webhook')[0];
	return {
		urls: urlsOf(web.inst.baseUrl),
		leaders: new Map(cluster.processes.map((p) => [p.tag, pidOf(p.proc)])),
		executionsInFlight: workers,
		stop,
	};
}

export async function measure(
	sandbox: RunningSandbox,
	target: Target,
	setup: Setup,
	latencyMs: number,
	rows: number,
	chunkSize: number,
	rowsFrom: RowsFrom = 'columns',
	expressionEngine?: string,
	processing: Processing = 'separate',
): Promise<RealN8nCase> {
	const loadBefore = loadavg()[0];
	await fetch(`${sandbox.baseUrl}/__sandbox/reset`, { method: 'POST' });
	await configureSandbox(sandbox.baseUrl, { latencyMs });
	const key = variantKey(rowsFrom, processing);
	const prefix = `bench-${setup}-${key}-${latencyMs}-${rows}`;
	const url = target.urls[key];
	const callsPerRow = processing === 'auto' ? 1 : 2;
	// Warm-up (also waits until the webhook is registered).
	for (let attempt = 0; ; attempt++) {
		const status = await post(
			url,
			{
				chunk: 0,
				rows: Array.from({ length: WARMUP_ROWS }, (_, i) => row(`${prefix}-warm`, i + 1)),
			},
			300_000,
		).catch(() => 0);
		if (status === 200) break;
		if (attempt > 60) throw new Error(`warm-up chunk answered ${status}`);
		await sleep(1_000);
	}
	const totalConcurrency =
		CONCURRENCY * Math.min(target.executionsInFlight, Math.ceil(rows / chunkSize));
	const sampler = new ProcessGroupSampler(target.leaders);
	sampler.start();
	const startedAt = Date.now();
	const t0 = performance.now();
	let error: string | undefined;
	try {
		await payInChunks(
			url,
			prefix,
			rows,
			chunkSize,
			target.executionsInFlight * CHUNKS_IN_FLIGHT_PER_SLOT,
		);
	} catch (caught) {
		error = (caught as Error).message;
	}
	const wallMs = performance.now() - t0;
	const endedAt = Date.now();
	const loadAfter = loadavg()[0];
	const processes = sampler.stop();
	const ledger = await ledgerCheck(sandbox, rows + WARMUP_ROWS, callsPerRow, latencyMs);
	const span = callSpan(ledger.callTimes, `${prefix}-`, `${prefix}-warm`);
	const phasesMs = span && {
		beforeFirstCall: span.first - startedAt,
		paying: span.last - span.first,
		afterLastCall: endedAt - span.last,
	};
	return {
		setup,
		rowsFrom,
		...(expressionEngine ? { expressionEngine } : {}),
		...(processing === 'auto' ? { processing } : {}),
		latencyMs,
		rows,
		chunkSize,
		totalConcurrency,
		wallMs,
		lowerBoundMs: (callsPerRow * rows * latencyMs) / totalConcurrency,
		processes,
		ledgerOk: ledger.ledgerOk,
		ledgerNote: ledger.ledgerNote,
		turnaroundMs: ledger.turnaroundMs,
		phasesMs,
		loadBefore,
		loadAfter,
		error,
	};
}

/** The raw client; `callsPerRow` 1 sends `options.auto_process` and no process request (issue 27). */
export async function measureRaw(
	sandbox: RunningSandbox,
	latencyMs: number,
	rows: number,
	callsPerRow: 1 | 2 = 2,
): Promise<RealN8nCase> {
	const loadBefore = loadavg()[0];
	await fetch(`${sandbox.baseUrl}/__sandbox/reset`, { method: 'POST' });
	await configureSandbox(sandbox.baseUrl, { latencyMs });
	const result: CaseResult = await runChild(
		{
			kind: 'raw',
			n: rows,
			concurrency: CONCURRENCY,
			keepAlive: false,
			warmup: WARMUP_ROWS,
			referencePrefix: `bench-raw-${callsPerRow}-${latencyMs}-${rows}`,
			autoProcess: callsPerRow === 1,
			credentials: sandboxCredentialData(sandbox.baseUrl) as unknown as CaseSpec['credentials'],
		},
		1_800_000,
	);
	const loadAfter = loadavg()[0];
	const ledger = await ledgerCheck(sandbox, rows + WARMUP_ROWS, callsPerRow, latencyMs);
	const span = callSpan(ledger.callTimes, 'bench-raw-', '-warm');
	return {
		setup: 'raw',
		...(callsPerRow === 1 ? { processing: 'auto' as const } : {}),
		latencyMs,
		rows,
		chunkSize: rows,
		totalConcurrency: CONCURRENCY,
		wallMs: result.wallMs,
		lowerBoundMs: (callsPerRow * rows * latencyMs) / CONCURRENCY,
		processes: [
			{
				name: 'raw axios',
				cpuSeconds: (result.cpuUserMs + result.cpuSystemMs) / 1000,
				peakRssMb: Math.round(result.peakRssMb),
				peakGroupRssMb: Math.round(result.peakRssMb),
			},
		],
		ledgerOk: result.ok && ledger.ledgerOk,
		turnaroundMs: ledger.turnaroundMs,
		// The raw client's wall clock runs in its child: only the paying span is read from the ledger.
		phasesMs: span && { paying: span.last - span.first },
		ledgerNote: result.ok ? ledger.ledgerNote : (result.error ?? ''),
		loadBefore,
		loadAfter,
		error: result.ok ? undefined : result.error,
	};
}

/** `onProgress` gets the run so far after every case, so that a run cut short still leaves its results. */
export async function runRealN8nBench(
	mode: 'full' | 'quick',
	onProgress?: (run: RealN8nRun) => void,
): Promise<RealN8nRun | undefined> {
	const install = n8nInstall(2);
	if (!isInstalled(install)) {
		console.log(
			`Real-n8n bench skipped: n8n ${install.version} is not installed (run bash e2e/install-n8n.sh v2)`,
		);
		return undefined;
	}
	const started = Date.now();
	const loadAtStart = loadavg();
	// Every n8n process runs in a process group of its own: kill them all if the bench is stopped or crashes.
	process.on('exit', killAllNow);
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.on(signal, () => {
			killAllNow();
			process.exit(130);
		});
	}
	const rows = mode === 'quick' ? 1_000 : 10_000;
	const chunk = mode === 'quick' ? 100 : 1_000;
	const largeRows = Number(process.env.BENCH_LARGE_ROWS || (mode === 'quick' ? 20_000 : 100_000));
	const dir = mkdtempSync(join(tmpdir(), 'pt-bench-n8n-'));
	mkdirSync(join(dir, 'files'), { recursive: true });
	console.log(
		`\nReal n8n ${install.version} bench (${mode}): ${rows} rows per case, concurrency ${CONCURRENCY}; work folder ${dir}`,
	);
	const cases: RealN8nCase[] = [];
	const snapshot = (): RealN8nRun => ({
		mode,
		date: new Date().toISOString(),
		durationMs: Date.now() - started,
		machine: { cpus: cpus().length, loadAtStart, loadAtEnd: loadavg() },
		n8nVersion: install.version,
		cases,
	});
	const log = (c: RealN8nCase) => {
		cases.push(c);
		onProgress?.(snapshot());
		const cpu = c.processes
			.map(
				(p) =>
					`${p.name} ${((p.cpuSeconds * 1000) / c.rows).toFixed(2)} ms/payout, ${p.peakRssMb} MB`,
			)
			.join('; ');
		console.log(
			`  ${c.setup} ${c.latencyMs} ms ${c.rows} rows: ${(c.wallMs / 1000).toFixed(1)} s (bound ${(c.lowerBoundMs / 1000).toFixed(1)} s)${c.error ? ` ERROR ${c.error}` : ''}${c.ledgerOk ? '' : ` LEDGER ${c.ledgerNote}`} | ${cpu}`,
		);
	};
	let sandbox: RunningSandbox | undefined;
	try {
		const pkg = await buildAndPack(ROOT, join(dir, 'pack'), join(dir, 'logs'));
		sandbox = await startSandboxProcess(ROOT, join(dir, 'logs'), 60_000);
		for (const latency of [50, 0]) log(await measureRaw(sandbox, latency, rows));
		const setups: Array<[Setup, () => Promise<Target>]> = [
			['single', async () => await startSingle(dir, pkg, sandbox!)],
			['queue-1w', async () => await startQueue(dir, pkg, sandbox!, 1)],
			['queue-2w', async () => await startQueue(dir, pkg, sandbox!, 2)],
		];
		// BENCH_SETUPS=queue-2w (comma-separated) runs only those setups: for trying a setting, not for results.
		const only = (process.env.BENCH_SETUPS ?? '').split(',').filter(Boolean);
		for (const [setup, start] of setups.filter(
			([name]) => only.length === 0 || only.includes(name),
		)) {
			let target: Target | undefined;
			try {
				target = await start();
				for (const latency of [50, 0])
					log(
						await measure(sandbox, target, setup, latency, rows, setup === 'single' ? rows : chunk),
					);
				if (setup === 'queue-2w') log(await measure(sandbox, target, setup, 0, largeRows, chunk));
			} catch (error) {
				console.error(`  ${setup}: ${(error as Error).message}`);
			} finally {
				await target?.stop();
			}
		}
	} finally {
		await sandbox?.process.stop();
		await stopAll();
	}
	rmSync(dir, { recursive: true, force: true });
	return snapshot();
}
