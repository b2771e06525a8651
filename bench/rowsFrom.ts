/**
 * Issue 21's bench, in a real n8n 2.41.1 (the e2e install), in one run on one machine, side by side: the payout
 * node reading each row from its columns (Rows From: Columns of Each Input Item, the bulk example as it is), the
 * same node with an n8n expression per field and per row (the example before issue 21), the raw client (an axios
 * loop opening a new connection per request) and the lower bound (2 calls per row × latency ÷ concurrency).
 * Create and Process, concurrency 10, at 50 ms and 0 ms per API answer, in:
 *
 *   single         one `n8n start` (SQLite), all rows in one execution
 *   single-legacy  the same with N8N_EXPRESSION_ENGINE=legacy (n8n 2.x's default is `vm`, an isolate)
 *   queue-1w       queue mode (PostgreSQL, Redis): main, one webhook process, one worker; chunks of rows
 *
 * The sandbox's ledger checks every case (every row created and processed once). CPU per payout is the CPU time
 * of each n8n process (its process group) ÷ rows; "the execution's process" is the single process or the worker.
 *
 *   npx tsx bench/rowsFrom.ts                 # 10,000 rows per case (about 35 min on an idle 2-core machine)
 *   npx tsx bench/rowsFrom.ts --rows=500      # a check that the bench works (about 6 min); numbers not valid
 *   BENCH_SETUPS=single,queue-1w npx tsx bench/rowsFrom.ts   # only those setups (raw always runs)
 *   BENCH_SETUPS=single BENCH_LATENCIES=50 BENCH_MODES=columns npx tsx bench/rowsFrom.ts   # one case
 *
 * Writes bench/out/rows-from.json and bench/out/rows-from.md (the tables and the targets, met or missed).
 * Where the CPU goes, by owner: `npx tsx bench/profile-n8n.ts 2000 columns` (and `fields`).
 *
 * Issue 27 (one call per payout, Processing "In the Create Request"): BENCH_PROCESSING=separate,auto adds the
 * node with Auto Process beside the separate Process request (rows from columns), BENCH_RAW_CALLS=2,1 the raw
 * client doing one call per row beside two, and BENCH_OUT names the output files:
 *
 *   BENCH_MODES=columns BENCH_PROCESSING=separate,auto BENCH_RAW_CALLS=2,1 BENCH_SETUPS=single,queue-1w \
 *     BENCH_OUT=auto-process npx tsx bench/rowsFrom.ts
 */
/* eslint-disable no-console */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import { join, resolve } from 'path';

import { isInstalled, n8nInstall } from '../e2e/lib/n8n';
import { buildAndPack } from '../e2e/lib/package';
import { killAllNow, stopAll } from '../e2e/lib/processes';
import { startSandboxProcess, type RunningSandbox } from '../e2e/lib/sandbox';
import {
	measure,
	measureRaw,
	startQueue,
	startSingle,
	type Processing,
	type RealN8nCase,
	type RowsFrom,
	type Target,
} from './realN8n';

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
/** BENCH_LATENCIES=50 and BENCH_MODES=columns narrow a run to those cases (an A/B of one case). */
const listFromEnv = (name: string) => (process.env[name] ?? '').split(',').filter(Boolean);
const LATENCIES = listFromEnv('BENCH_LATENCIES').map(Number);
if (LATENCIES.length === 0) LATENCIES.push(50, 0);
const MODES = listFromEnv('BENCH_MODES') as RowsFrom[];
if (MODES.length === 0) MODES.push('columns', 'fields');
/** Issue 27: how the node processes (auto: rows from columns only) and the raw client's calls per row. */
const PROCESSINGS = listFromEnv('BENCH_PROCESSING') as Processing[];
if (PROCESSINGS.length === 0) PROCESSINGS.push('separate');
/** BENCH_RAW_CALLS=none leaves the raw client out (an A/B of the node alone). */
const RAW_CALLS = listFromEnv('BENCH_RAW_CALLS')
	.filter((calls) => calls !== 'none')
	.map(Number) as Array<1 | 2>;
if (RAW_CALLS.length === 0 && process.env.BENCH_RAW_CALLS !== 'none') RAW_CALLS.push(2);
const OUT_NAME = process.env.BENCH_OUT || 'rows-from';
/**
 * BENCH_PROBE=1 preloads bench/loopProbe.cjs into the single n8n: event-loop delay and each HTTP request's
 * time, every 5 s, to bench/out/<BENCH_OUT>-probe.jsonl (a look at time that is not CPU; adds a little CPU).
 */
const probeEnv = (): Record<string, string> =>
	process.env.BENCH_PROBE
		? {
				NODE_OPTIONS: `--require ${join(ROOT, 'bench', 'loopProbe.cjs')}`,
				BENCH_PROBE_FILE: join(OUT, `${OUT_NAME}-probe.jsonl`),
			}
		: {};

interface SetupSpec {
	name: string;
	setup: 'single' | 'queue-1w';
	engine?: string;
	start(dir: string, sandbox: RunningSandbox): Promise<Target>;
}

const cpuMs = (c: RealN8nCase, process: string) =>
	((c.processes.find((p) => p.name.startsWith(process))?.cpuSeconds ?? NaN) * 1000) / c.rows;

/** The process that runs the execution: the single n8n, or the worker. */
const executionProcess = (c: RealN8nCase) => (c.setup === 'single' ? 'n8n' : 'worker');

/** phasesMs as "0.4 s / 59.1 s / 0.8 s"; the raw client has only the paying span. */
const phaseCells = (c: RealN8nCase) => {
	const p = c.phasesMs;
	const cell = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);
	return p ? `${cell(p.beforeFirstCall)} / ${cell(p.paying)} / ${cell(p.afterLastCall)}` : '–';
};

const label = (c: RealN8nCase) =>
	c.setup === 'raw'
		? `raw client (new connection per request${c.processing === 'auto' ? ', one call per row' : ''})`
		: `${c.setup}${c.expressionEngine ? ` (${c.expressionEngine} engine)` : ''}, rows from ${c.rowsFrom}${c.processing === 'auto' ? ', auto process' : ''}`;

function render(cases: RealN8nCase[], meta: Record<string, unknown>): string {
	const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
	const lines: string[] = [
		PROCESSINGS.includes('auto')
			? `# One call per payout (Auto Process) vs two, in a real n8n (${String(meta.n8nVersion)})`
			: `# Rows From: columns vs expressions in a real n8n (${String(meta.n8nVersion)})`,
		'',
		`Run ${String(meta.date)}, ${String(meta.rows)} rows per case, concurrency 10, ${String(meta.cpus)} cores, load ${String(meta.loadAtStart)} at the start and ${String(meta.loadAtEnd)} at the end.`,
		'',
	];
	for (const latency of LATENCIES) {
		lines.push(
			`## ${latency} ms per API answer`,
			'',
			'| Case | Wall | Lower bound | Wall ÷ bound | Wall ÷ raw | CPU per payout in the execution’s process | CPU per payout, every process | Ledger | Load before / after | Turnaround mean / p90 | Before first call / paying / after last call |',
			'|---|---|---|---|---|---|---|---|---|---|---|',
		);
		for (const c of cases.filter((entry) => entry.latencyMs === latency)) {
			// Beside the raw client making as many calls per row.
			const raw = cases.find(
				(r) => r.setup === 'raw' && r.latencyMs === latency && r.processing === c.processing,
			);
			const all = c.processes
				.map((p) => `${p.name} ${((p.cpuSeconds * 1000) / c.rows).toFixed(2)} ms`)
				.join('<br>');
			const own = c.setup === 'raw' ? '–' : `${cpuMs(c, executionProcess(c)).toFixed(2)} ms`;
			lines.push(
				`| ${label(c)} | ${c.error ? `error: ${c.error}` : s(c.wallMs)} | ${latency ? s(c.lowerBoundMs) : '–'} | ${latency ? (c.wallMs / c.lowerBoundMs).toFixed(2) + '×' : '–'} | ${raw ? (c.wallMs / raw.wallMs).toFixed(2) + '×' : '–'} | ${own} | ${all} | ${c.ledgerOk ? 'ok' : c.ledgerNote} | ${c.loadBefore.toFixed(1)} / ${c.loadAfter?.toFixed(1) ?? '?'} | ${c.turnaroundMs ? `${c.turnaroundMs.mean.toFixed(1)} / ${c.turnaroundMs.p90} ms` : '–'} | ${phaseCells(c)} |`,
			);
		}
		lines.push('');
	}
	lines.push('## Targets (issue 21)', '', '| Target | Verdict | Evidence |', '|---|---|---|');
	const find = (setup: string, rowsFrom: string | undefined, latency: number, engine?: string) =>
		cases.find(
			(c) =>
				c.setup === setup &&
				c.rowsFrom === rowsFrom &&
				c.latencyMs === latency &&
				c.expressionEngine === engine &&
				!c.processing &&
				!c.error,
		);
	const verdict = (ok: boolean | undefined) =>
		ok === undefined ? 'NOT RUN' : ok ? 'MET' : 'MISSED';
	for (const setup of ['single', 'queue-1w']) {
		for (const latency of MODES.includes('fields') ? LATENCIES : []) {
			const columns = find(setup, 'columns', latency);
			const fields = find(setup, 'fields', latency);
			const a = columns && cpuMs(columns, executionProcess(columns));
			const b = fields && cpuMs(fields, executionProcess(fields));
			lines.push(
				`| ${setup}, ${latency} ms: CPU per payout in the execution's process at most half of today's (expressions) | **${verdict(a !== undefined && b !== undefined ? a <= b / 2 : undefined)}** | ${a?.toFixed(2) ?? '?'} ms vs ${b?.toFixed(2) ?? '?'} ms = ${a && b ? (a / b).toFixed(2) : '?'}× |`,
			);
		}
		const columns = find(setup, 'columns', 50);
		const raw = find('raw', undefined, 50);
		if (columns && raw)
			lines.push(
				`| ${setup}, 50 ms: within 1.1× the raw client | **${verdict(columns.wallMs <= 1.1 * raw.wallMs)}** | ${s(columns.wallMs)} vs ${s(raw.wallMs)} = ${(columns.wallMs / raw.wallMs).toFixed(2)}× |`,
				`| ${setup}, 50 ms: within 1.2× the lower bound | **${verdict(columns.wallMs <= 1.2 * columns.lowerBoundMs)}** | ${s(columns.wallMs)} vs ${s(columns.lowerBoundMs)} = ${(columns.wallMs / columns.lowerBoundMs).toFixed(2)}× |`,
			);
	}
	lines.push(...autoProcessTargets(cases));
	lines.push('', '## The expression engine (single process)', '');
	for (const latency of LATENCIES)
		for (const rowsFrom of MODES) {
			const vm = find('single', rowsFrom, latency);
			const legacy = find('single', rowsFrom, latency, 'legacy');
			if (vm && legacy)
				lines.push(
					`- rows from ${rowsFrom}, ${latency} ms: CPU per payout ${cpuMs(vm, 'n8n').toFixed(2)} ms (vm) → ${cpuMs(legacy, 'n8n').toFixed(2)} ms (legacy); wall ${s(vm.wallMs)} → ${s(legacy.wallMs)}`,
				);
		}
	return lines.join('\n') + '\n';
}

/**
 * Issue 27's targets at 50 ms: the node with Auto Process at most 0.6× the two-call lower bound and within 1.1×
 * the one-call raw client; the node with a separate Process request beside issue 21's figures (single
 * 120.7–122.0 s, queue-1w 117.6 s on the quiet machine).
 */
function autoProcessTargets(cases: RealN8nCase[]): string[] {
	if (!cases.some((c) => c.processing === 'auto')) return [];
	const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
	const at50 = (setup: string, auto: boolean) =>
		cases.find(
			(c) =>
				c.setup === setup &&
				c.latencyMs === 50 &&
				(c.processing === 'auto') === auto &&
				(c.rowsFrom ?? 'columns') === 'columns' &&
				!c.expressionEngine &&
				!c.error,
		);
	const verdict = (ok: boolean) => (ok ? '**MET**' : '**MISSED**');
	const today: Record<string, number> = { single: 122_000, 'queue-1w': 117_600 };
	const lines = [
		'',
		'## Targets (issue 27, 50 ms per answer)',
		'',
		'| Target | Verdict | Evidence |',
	];
	lines.push('|---|---|---|');
	const rawOne = at50('raw', true);
	for (const setup of ['single', 'queue-1w']) {
		const auto = at50(setup, true);
		const separate = at50(setup, false);
		if (auto) {
			const twoCallBound = 2 * auto.lowerBoundMs;
			lines.push(
				`| ${setup}: node with Auto Process at most 0.6× the two-call lower bound | ${verdict(auto.wallMs <= 0.6 * twoCallBound)} | ${s(auto.wallMs)} vs ${s(twoCallBound)} = ${(auto.wallMs / twoCallBound).toFixed(2)}× |`,
			);
			if (rawOne)
				lines.push(
					`| ${setup}: node with Auto Process within 1.1× the one-call raw client | ${verdict(auto.wallMs <= 1.1 * rawOne.wallMs)} | ${s(auto.wallMs)} vs ${s(rawOne.wallMs)} = ${(auto.wallMs / rawOne.wallMs).toFixed(2)}× |`,
				);
		}
		if (separate)
			lines.push(
				`| ${setup}: the two-call path no slower than today (issue 21: at most ${s(today[setup])}) | ${verdict(separate.wallMs <= today[setup])} | ${s(separate.wallMs)}, load ${separate.loadBefore.toFixed(1)} before the case |`,
			);
	}
	return lines;
}

async function main(): Promise<void> {
	const rowsArg = process.argv.find((arg) => arg.startsWith('--rows='));
	const rows = rowsArg ? Number(rowsArg.slice('--rows='.length)) : 10_000;
	const chunk = Math.max(100, Math.min(1_000, Math.ceil(rows / 10)));
	const install = n8nInstall(2);
	if (!isInstalled(install))
		throw new Error(`n8n ${install.version} is not installed (bash e2e/install-n8n.sh v2)`);
	process.on('exit', killAllNow);
	for (const signal of ['SIGINT', 'SIGTERM'] as const)
		process.on(signal, () => {
			killAllNow();
			process.exit(130);
		});
	const started = Date.now();
	const loadAtStart = loadavg()
		.map((l) => l.toFixed(1))
		.join(' ');
	mkdirSync(OUT, { recursive: true });
	const dir = mkdtempSync(join(tmpdir(), 'pt-bench-rows-from-'));
	mkdirSync(join(dir, 'files'), { recursive: true });
	console.log(
		`Rows From bench: ${rows} rows per case, chunks of ${chunk} in queue mode; work folder ${dir}`,
	);
	const pkg = await buildAndPack(ROOT, join(dir, 'pack'), join(dir, 'logs'));
	const only = (process.env.BENCH_SETUPS ?? '').split(',').filter(Boolean);
	const allSetups: SetupSpec[] = [
		{ name: 'single', setup: 'single', start: (dir, sb) => startSingle(dir, pkg, sb, probeEnv()) },
		{
			name: 'single-legacy',
			setup: 'single',
			engine: 'legacy',
			start: (dir, sb) =>
				startSingle(dir, pkg, sb, { N8N_EXPRESSION_ENGINE: 'legacy' }, 'single-legacy'),
		},
		{ name: 'queue-1w', setup: 'queue-1w', start: (dir, sb) => startQueue(dir, pkg, sb, 1) },
	];
	const setups = allSetups.filter((spec) => only.length === 0 || only.includes(spec.name));
	const cases: RealN8nCase[] = [];
	const log = (c: RealN8nCase) => {
		cases.push(c);
		const own =
			c.setup === 'raw' ? '' : `, ${cpuMs(c, executionProcess(c)).toFixed(2)} ms CPU/payout`;
		console.log(
			`  ${label(c)}, ${c.latencyMs} ms: ${(c.wallMs / 1000).toFixed(1)} s (bound ${(c.lowerBoundMs / 1000).toFixed(1)} s)${own}${c.error ? ` ERROR ${c.error}` : ''}${c.ledgerOk ? '' : ` LEDGER ${c.ledgerNote}`}`,
		);
	};
	const sandbox = await startSandboxProcess(ROOT, join(dir, 'logs'), 60_000);
	try {
		for (const latency of LATENCIES)
			for (const calls of RAW_CALLS) log(await measureRaw(sandbox, latency, rows, calls));
		for (const spec of setups) {
			let target: Target | undefined;
			try {
				target = await spec.start(dir, sandbox);
				// Both modes on the same running n8n, one after the other at each latency, so they share its state.
				for (const latency of LATENCIES)
					for (const rowsFrom of MODES)
						for (const processing of PROCESSINGS) {
							// Auto Process is benched with rows from columns (the bulk example's mode) only.
							if (processing === 'auto' && rowsFrom !== 'columns') continue;
							log(
								await measure(
									sandbox,
									target,
									spec.setup,
									latency,
									rows,
									spec.setup === 'single' ? rows : chunk,
									rowsFrom,
									spec.engine,
									processing,
								),
							);
						}
			} catch (error) {
				console.error(`  ${spec.name}: ${(error as Error).message}`);
			} finally {
				await target?.stop();
			}
		}
	} finally {
		await sandbox.process.stop();
		await stopAll();
	}
	const meta = {
		n8nVersion: install.version,
		date: new Date().toISOString(),
		durationMs: Date.now() - started,
		rows,
		cpus: cpus().length,
		loadAtStart,
		loadAtEnd: loadavg()
			.map((l) => l.toFixed(1))
			.join(' '),
	};
	mkdirSync(OUT, { recursive: true });
	writeFileSync(join(OUT, `${OUT_NAME}.json`), JSON.stringify({ ...meta, cases }, null, 1));
	const markdown = render(cases, meta);
	writeFileSync(join(OUT, `${OUT_NAME}.md`), markdown);
	console.log(
		`\n${markdown}\nWritten: bench/out/${OUT_NAME}.md and .json (${((Date.now() - started) / 60000).toFixed(1)} min)`,
	);
	rmSync(dir, { recursive: true, force: true });
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
