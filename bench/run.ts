/**
 * `npm run bench` — throughput, CPU and memory of bulk payouts, side by side:
 *   ours (PaymentsTrust node, Create and Process, in n8n-core's WorkflowExecute) · n8n's HTTP Request node
 *   (n8n-nodes-base, two nodes: create, then process) · a raw axios loop · the lower bound 2·N·latency/concurrency
 * plus Get Many with Return All over 100,000 seeded invoices.
 *
 * The sandbox runs in its own process (bench/sandboxProcess.ts); every case runs in a fresh child process
 * (bench/case.ts) so CPU time and peak RSS are that case's alone. Only loopback traffic; every case has a
 * time limit and the whole run a budget.
 *
 *   npm run bench                  full run (~15-20 min), writes bench/results.md and bench/results.json
 *   npm run bench -- --quick       smoke run (~2 min), writes bench/out/quick-results.md
 *   npm run bench -- --only=REGEX  only the cases whose id matches (writes bench/out/partial-results.md)
 *   npm run bench -- --no-http-node   skip installing/running n8n-nodes-base's HTTP Request node
 *   npm run bench -- --report-only    rebuild bench/results.md from bench/results.json (after editing bench/analysis.md)
 *   npm run bench -- --real-n8n-only  only the real-n8n part (bench/realN8n.ts: n8n 2.41.1 as an app, single
 *                                     process and queue mode; ~25 min full, ~8 min with --quick)
 *   npm run bench -- --no-real-n8n    skip the real-n8n part
 */
import { ChildProcess, execFileSync, fork } from 'child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { cpus, loadavg, totalmem } from 'os';
import { join, resolve } from 'path';

import type { CaseSpec } from './case';
import { runChild } from './child';
import { buildCases, type BenchCase, type Mode } from './cases';
import { type RealN8nRun, runRealN8nBench } from './realN8n';
import { renderRealN8n, withRealN8nBlock } from './realN8nReport';
import { renderReport, type CaseRecord, type BenchRun } from './report';

const ROOT = resolve(__dirname, '..');
const OUT = join(__dirname, 'out');

// ---------------------------------------------------------------------------------------------------------
// The sandbox process

class SandboxProcess {
	private nextId = 1;

	private readonly pending = new Map<
		number,
		{ resolve: (value: unknown) => void; reject: (error: Error) => void }
	>();

	credentials!: CaseSpec['credentials'];

	private constructor(private readonly child: ChildProcess) {
		child.on('message', (message: { id: number; ok: boolean; value?: unknown; error?: string }) => {
			const waiter = this.pending.get(message.id);
			if (!waiter) return;
			this.pending.delete(message.id);
			if (message.ok) waiter.resolve(message.value);
			else waiter.reject(new Error(message.error));
		});
		child.on('exit', (code) => {
			for (const waiter of this.pending.values())
				waiter.reject(new Error(`sandbox exited (${code})`));
			this.pending.clear();
		});
	}

	static async start(): Promise<SandboxProcess> {
		const child = fork(join(__dirname, 'sandboxProcess.ts'), [], {
			cwd: ROOT,
			execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=4096'],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		const sandbox = new SandboxProcess(child);
		const ready = await new Promise<{ credentials: CaseSpec['credentials'] }>(
			(resolveReady, reject) => {
				const timer = setTimeout(
					() => reject(new Error('sandbox did not start within 60 s')),
					60_000,
				);
				sandbox.pending.set(0, {
					resolve: (value) => {
						clearTimeout(timer);
						resolveReady(value as { credentials: CaseSpec['credentials'] });
					},
					reject,
				});
			},
		);
		sandbox.credentials = ready.credentials;
		return sandbox;
	}

	call<T>(cmd: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
		const id = this.nextId++;
		return new Promise<T>((resolveCall, reject) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new Error(`sandbox ${cmd} timed out`));
			}, timeoutMs);
			this.pending.set(id, {
				resolve: (value) => {
					clearTimeout(timer);
					resolveCall(value as T);
				},
				reject: (error) => {
					clearTimeout(timer);
					reject(error);
				},
			});
			this.child.send({ id, cmd, args });
		});
	}

	async stop(): Promise<void> {
		try {
			await this.call('close', undefined, 10_000);
		} catch {
			// fall through to the kill below
		}
		if (this.child.exitCode === null && this.child.pid) this.child.kill('SIGKILL');
	}
}

interface SandboxSummary {
	invoices?: number;
	byStatus?: Record<string, number>;
	createAttempts?: { total: number; accepted: number };
	processCalls?: { total: number; accepted: number };
	referencesWithMultipleInvoices?: number;
	invoicesProcessedMoreThanOnce?: number;
	[key: string]: unknown;
}

/** Independent check from the sandbox's ledger: every payout created and processed once, nothing twice. */
function ledgerProblems(benchCase: BenchCase, summary: SandboxSummary): string[] {
	if (benchCase.spec.kind === 'getMany' || benchCase.spec.kind === 'rawGetMany') return [];
	const expected = benchCase.spec.n + benchCase.spec.warmup;
	const problems: string[] = [];
	if (summary.createAttempts?.accepted !== expected)
		problems.push(`${summary.createAttempts?.accepted} creates accepted, ${expected} expected`);
	if (summary.processCalls?.accepted !== expected)
		problems.push(`${summary.processCalls?.accepted} process calls accepted, ${expected} expected`);
	if (summary.referencesWithMultipleInvoices)
		problems.push(`${summary.referencesWithMultipleInvoices} references with several invoices`);
	if (summary.invoicesProcessedMoreThanOnce)
		problems.push(`${summary.invoicesProcessedMoreThanOnce} invoices processed more than once`);
	return problems;
}

// ---------------------------------------------------------------------------------------------------------

function parseArgs(argv: string[]) {
	const args = {
		mode: 'full' as Mode,
		only: undefined as RegExp | undefined,
		httpNode: true,
		budgetMin: 0,
		reportOnly: false,
		realN8n: true,
		realN8nOnly: false,
	};
	for (const arg of argv) {
		if (arg === '--quick') args.mode = 'quick';
		else if (arg === '--report-only') args.reportOnly = true;
		else if (arg.startsWith('--only=')) args.only = new RegExp(arg.slice('--only='.length));
		else if (arg === '--no-http-node') args.httpNode = false;
		else if (arg === '--no-real-n8n') args.realN8n = false;
		else if (arg === '--real-n8n-only') args.realN8nOnly = true;
		else if (arg.startsWith('--budget-min='))
			args.budgetMin = Number(arg.slice('--budget-min='.length));
		else if (arg === '--help' || arg === '-h') {
			console.log(readFileSync(__filename, 'utf8').split('*/')[0]);
			process.exit(0);
		} else {
			console.error(`Unknown argument ${arg} (try --help)`);
			process.exit(2);
		}
	}
	return args;
}

function setupHttpNode(): { cache?: string; error?: string; seconds: number } {
	const started = Date.now();
	try {
		const out = execFileSync('bash', [join(__dirname, 'setup-http-node.sh')], {
			cwd: ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'],
			timeout: 1_000_000,
		});
		const cache = out.trim().split('\n').pop();
		return { cache, seconds: (Date.now() - started) / 1000 };
	} catch (error) {
		return {
			error: String((error as Error).message).slice(0, 500),
			seconds: (Date.now() - started) / 1000,
		};
	}
}

function packageVersion(name: string, from = ROOT): string {
	try {
		const path = require.resolve(`${name}/package.json`, { paths: [from] });
		return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
	} catch {
		return 'not installed';
	}
}

function gitCommit(): string {
	try {
		const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
			cwd: ROOT,
			encoding: 'utf8',
		}).trim();
		const dirty = execFileSync('git', ['status', '--porcelain', '--', 'nodes', 'credentials'], {
			cwd: ROOT,
			encoding: 'utf8',
		}).trim();
		return dirty ? `${head} (+ uncommitted changes in nodes/ or credentials/)` : head;
	} catch {
		return 'unknown';
	}
}

function fmtSeconds(ms: number): string {
	return ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`;
}

async function main(): Promise<number> {
	const args = parseArgs(process.argv.slice(2));
	mkdirSync(OUT, { recursive: true });
	if (args.reportOnly) {
		const saved = JSON.parse(readFileSync(join(__dirname, 'results.json'), 'utf8')) as BenchRun;
		writeFileSync(join(__dirname, 'results.md'), withSavedRealN8n(renderReport(saved)));
		console.log('Rebuilt bench/results.md from bench/results.json (and results-real-n8n.json)');
		return 0;
	}
	if (args.realN8nOnly) return await realN8nPart(args.mode);
	const benchStart = Date.now();
	const budgetMs = (args.budgetMin || (args.mode === 'quick' ? 6 : 24)) * 60_000;

	console.log(
		`PaymentsTrust bench (${args.mode}${args.only ? `, only ${args.only}` : ''}) — ${cpus().length} cores, load ${loadavg()
			.map((l) => l.toFixed(1))
			.join(' ')}`,
	);

	const http = args.httpNode ? setupHttpNode() : { error: 'skipped (--no-http-node)', seconds: 0 };
	if (http.error) console.log(`HTTP Request node unavailable: ${http.error}`);

	let cases = buildCases(args.mode);
	if (args.only) cases = cases.filter((benchCase) => args.only!.test(benchCase.id));

	const sandbox = await SandboxProcess.start();
	console.log(`Sandbox (own process) on ${sandbox.credentials.baseUrl}\n`);

	const records: CaseRecord[] = [];
	try {
		for (const [index, benchCase] of cases.entries()) {
			const label = `[${index + 1}/${cases.length}] ${benchCase.id}`;
			const record: CaseRecord = { ...benchCase, loadBefore: loadavg()[0] };
			records.push(record);
			if (benchCase.skipByDesign) {
				record.skipped = benchCase.skipByDesign;
				console.log(`${label}: not run (${record.skipped})`);
				continue;
			}
			if (benchCase.spec.kind === 'httpNode' && http.error) {
				record.skipped = `HTTP Request node not available: ${http.error}`;
				console.log(`${label}: skipped (${record.skipped})`);
				continue;
			}
			const elapsed = Date.now() - benchStart;
			if (elapsed + benchCase.expectedMs > budgetMs) {
				record.skipped = `over the run's time budget (${Math.round(budgetMs / 60_000)} min): ${Math.round(elapsed / 1000)} s spent, this case needs ~${Math.round(benchCase.expectedMs / 1000)} s`;
				console.log(`${label}: skipped (${record.skipped})`);
				continue;
			}

			await sandbox.call('reset');
			await sandbox.call('configure', { latencyMs: benchCase.latencyMs });
			if (benchCase.seed) await sandbox.call('seed', { count: benchCase.seed }, 300_000);
			const usageBefore = await sandbox.call<{ cpu: NodeJS.CpuUsage }>('usage');

			const spec: CaseSpec = {
				...benchCase.spec,
				credentials: sandbox.credentials,
				httpNodeCache: http.cache,
			};
			process.stdout.write(`${label} … `);
			const result = await runChild(spec, benchCase.timeoutMs);
			const usageAfter = await sandbox.call<{ cpu: NodeJS.CpuUsage }>('usage');
			const summary = await sandbox.call<SandboxSummary>('summary');
			record.result = result;
			record.sandboxCpuMs =
				(usageAfter.cpu.user +
					usageAfter.cpu.system -
					usageBefore.cpu.user -
					usageBefore.cpu.system) /
				1000;
			record.loadAfter = loadavg()[0];
			const problems = result.ok ? ledgerProblems(benchCase, summary) : [];
			if (problems.length) {
				result.ok = false;
				result.error = `ledger check: ${problems.join('; ')}`;
			}
			console.log(
				result.ok
					? `${fmtSeconds(result.wallMs)}, ${((result.cpuUserMs + result.cpuSystemMs) / Math.max(1, result.items)).toFixed(2)} ms CPU/item, peak RSS ${result.peakRssMb} MB`
					: `FAILED: ${result.error}`,
			);
		}
	} finally {
		await sandbox.stop();
	}

	const run: BenchRun = {
		mode: args.mode,
		only: args.only?.source,
		date: new Date().toISOString(),
		durationMs: Date.now() - benchStart,
		machine: {
			cpus: cpus().length,
			cpuModel: cpus()[0]?.model ?? 'unknown',
			memoryGb: Math.round(totalmem() / 1024 ** 3),
			node: process.version,
			platform: `${process.platform} ${process.arch}`,
			loadAtEnd: loadavg(),
		},
		versions: {
			'n8n-core': packageVersion('n8n-core'),
			'n8n-workflow': packageVersion('n8n-workflow'),
			'n8n-nodes-base': http.cache
				? packageVersion('n8n-nodes-base', http.cache)
				: `not available (${http.error})`,
			axios: packageVersion('axios'),
			fastify: packageVersion('fastify'),
			'n8n-nodes-paymentstrust': (
				JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
			).version,
			commit: gitCommit(),
		},
		httpNodeSetup: http,
		cases: records,
	};
	const markdown = withSavedRealN8n(renderReport(run));
	const name = args.only ? 'partial' : args.mode;
	writeFileSync(join(OUT, `${name}-results.json`), JSON.stringify(run, null, 2));
	if (args.mode === 'full' && !args.only) {
		writeFileSync(join(__dirname, 'results.json'), JSON.stringify(run, null, 2) + '\n');
		writeFileSync(join(__dirname, 'results.md'), markdown);
		console.log(
			`\nWrote bench/results.md and bench/results.json (${fmtSeconds(run.durationMs)} in all)`,
		);
	} else {
		writeFileSync(join(OUT, `${name}-results.md`), markdown);
		console.log(`\nWrote bench/out/${name}-results.md (${fmtSeconds(run.durationMs)} in all)`);
	}
	const failed = records.filter((record) => record.result && !record.result.ok);
	if (failed.length)
		console.log(`${failed.length} case(s) failed: ${failed.map((record) => record.id).join(', ')}`);
	const realFailed = args.realN8n && !args.only ? await realN8nPart(args.mode) : 0;
	return failed.length || realFailed ? 1 : 0;
}

const REAL_N8N_JSON = join(__dirname, 'results-real-n8n.json');

/** The harness report plus the last full real-n8n run's block, if one was recorded. */
function withSavedRealN8n(markdown: string): string {
	try {
		return withRealN8nBlock(
			markdown,
			renderRealN8n(JSON.parse(readFileSync(REAL_N8N_JSON, 'utf8')) as RealN8nRun),
		);
	} catch {
		return markdown;
	}
}

/** Runs bench/realN8n.ts; a full run is recorded in bench/results-real-n8n.json and bench/results.md (after every case). */
async function realN8nPart(mode: Mode): Promise<number> {
	const record = (run: RealN8nRun) => {
		const block = renderRealN8n(run);
		if (mode === 'full') {
			writeFileSync(REAL_N8N_JSON, JSON.stringify(run, null, 2) + '\n');
			const resultsMd = join(__dirname, 'results.md');
			writeFileSync(resultsMd, withRealN8nBlock(readFileSync(resultsMd, 'utf8'), block));
		} else {
			writeFileSync(join(OUT, 'quick-real-n8n-results.md'), block + '\n');
			writeFileSync(join(OUT, 'quick-real-n8n-results.json'), JSON.stringify(run, null, 2));
		}
	};
	const run = await runRealN8nBench(mode === 'quick' ? 'quick' : 'full', record);
	if (!run) return 0;
	record(run);
	console.log(
		mode === 'full'
			? 'Wrote bench/results-real-n8n.json and the real-n8n section of bench/results.md'
			: 'Wrote bench/out/quick-real-n8n-results.md',
	);
	return run.cases.some((c) => c.error || !c.ledgerOk) ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
