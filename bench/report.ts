/**
 * Turns one bench run into bench/results.md: machine, versions, the tables, the ratios, the target
 * verdicts (computed from the numbers, never typed in), what was not run and why, and how to reproduce.
 * The hand-written reading of the numbers lives in bench/analysis.md and is appended as it is.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import type { CaseResult } from './case';
import type { BenchCase, Engine } from './cases';

export interface CaseRecord extends BenchCase {
	result?: CaseResult;
	skipped?: string;
	sandboxCpuMs?: number;
	loadBefore?: number;
	loadAfter?: number;
}

export interface BenchRun {
	mode: string;
	only?: string;
	date: string;
	durationMs: number;
	machine: {
		cpus: number;
		cpuModel: string;
		memoryGb: number;
		node: string;
		platform: string;
		loadAtEnd: number[];
	};
	versions: Record<string, string>;
	httpNodeSetup: { cache?: string; error?: string; seconds: number };
	cases: CaseRecord[];
}

const ENGINE_LABEL: Record<Engine, string> = {
	ours: '**PaymentsTrust node** (ours)',
	httpNode: 'HTTP Request node ×2',
	raw: 'raw axios loop',
	rawNoKeepAlive: 'raw axios, new connection per request',
	oursGenericAuth: 'ours, former declarative credential auth',
	oursFunctionAuth: 'ours, credential auth as a function',
	getMany: '**PaymentsTrust Get Many**, Return All',
	rawGetMany: 'raw axios following links.next',
};

const num = (value: number, digits = 0) =>
	value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const secs = (ms: number) =>
	ms >= 100_000
		? `${num(ms / 1000)} s`
		: ms >= 10_000
			? `${num(ms / 1000, 1)} s`
			: `${num(ms / 1000, 2)} s`;

function ok(record: CaseRecord): record is CaseRecord & { result: CaseResult } {
	return record.result?.ok === true;
}
const wall = (record: CaseRecord & { result: CaseResult }) => record.result.wallMs;
const perSecond = (record: CaseRecord & { result: CaseResult }) =>
	record.result.items / (record.result.wallMs / 1000);
const cpuPerItem = (record: CaseRecord & { result: CaseResult }) =>
	(record.result.cpuUserMs + record.result.cpuSystemMs) / record.result.items;

function status(record: CaseRecord): string {
	if (record.skipped) return `not run: ${record.skipped}`;
	if (!record.result) return 'not run';
	if (!record.result.ok) return `**failed**: ${record.result.error}`;
	const repeat = record.repeat
		? `run ${record.repeat} of a repeated pair (ratios and verdicts use the median)`
		: '';
	return [record.note, repeat].filter(Boolean).join('; ');
}

interface Aggregate {
	engine: Engine;
	latencyMs: number;
	n: number;
	setting: string;
	concurrency?: number;
	lowerBoundMs?: number;
	runs: number;
	/** Medians over the successful runs of this measurement. */
	wallMs: number;
	cpuPerItem: number;
	perSecond: number;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const keyOf = (record: CaseRecord) =>
	`${record.engine}|${record.latencyMs}|${record.spec.n}|${record.setting}`;

/** One measurement (engine, latency, N, setting) over its repeats: medians of the successful runs. */
function aggregate(
	records: CaseRecord[],
	engine: Engine,
	latencyMs: number,
	n: number,
	setting: string,
): Aggregate | undefined {
	const runs = records.filter(
		(record): record is CaseRecord & { result: CaseResult } =>
			record.engine === engine &&
			record.latencyMs === latencyMs &&
			record.spec.n === n &&
			record.setting === setting &&
			ok(record),
	);
	if (runs.length === 0) return undefined;
	const wallMs = median(runs.map(wall));
	return {
		engine,
		latencyMs,
		n,
		setting,
		concurrency: runs[0].concurrency,
		lowerBoundMs: runs[0].lowerBoundMs,
		runs: runs.length,
		wallMs,
		cpuPerItem: median(runs.map(cpuPerItem)),
		perSecond: n / (wallMs / 1000),
	};
}

/** Every distinct measurement of an engine, in the order the cases ran. */
function aggregates(records: CaseRecord[], engine: Engine): Aggregate[] {
	const seen = new Set<string>();
	const result: Aggregate[] = [];
	for (const record of records) {
		if (record.engine !== engine || seen.has(keyOf(record))) continue;
		seen.add(keyOf(record));
		const value = aggregate(records, engine, record.latencyMs, record.spec.n, record.setting);
		if (value) result.push(value);
	}
	return result;
}

const runsNote = (value: Aggregate) => (value.runs > 1 ? ` (median of ${value.runs})` : '');

function payoutTable(records: CaseRecord[], latencyMs: number): string {
	const order: Engine[] = [
		'ours',
		'oursGenericAuth',
		'oursFunctionAuth',
		'httpNode',
		'raw',
		'rawNoKeepAlive',
	];
	const rows = records
		.filter(
			(record) =>
				(record.group === 'payout' || record.group === 'diagnostic') &&
				record.latencyMs === latencyMs,
		)
		.sort(
			(a, b) =>
				a.spec.n - b.spec.n ||
				order.indexOf(a.engine) - order.indexOf(b.engine) ||
				(a.concurrency ?? 0) - (b.concurrency ?? 0),
		);
	const withBound = latencyMs > 0;
	const header = [
		'Engine',
		'N',
		'Setting',
		'Wall time',
		'Payouts/s',
		...(withBound ? ['Lower bound', '× bound'] : []),
		'CPU ms / payout',
		'Peak RSS',
		'RSS before run',
		'Sandbox CPU ms / payout',
		'Event-loop delay mean / p99',
		'Load (1 min)',
		'Notes',
	];
	const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
	for (const record of rows) {
		const n = num(record.spec.n);
		const bound = record.lowerBoundMs;
		if (!ok(record)) {
			lines.push(
				`| ${ENGINE_LABEL[record.engine]} | ${n} | ${record.setting} | – | – | ${withBound ? `${bound ? secs(bound) : '–'} | – | ` : ''}– | – | – | – | – | – | ${status(record)} |`,
			);
			continue;
		}
		const cells = [
			ENGINE_LABEL[record.engine],
			n,
			record.setting,
			secs(wall(record)),
			num(perSecond(record), 0),
			...(withBound
				? [bound ? secs(bound) : '–', bound ? `${num(wall(record) / bound, 2)}×` : '–']
				: []),
			num(cpuPerItem(record), 2),
			`${num(record.result.peakRssMb)} MB`,
			`${num(record.result.rssBeforeMb)} MB`,
			record.sandboxCpuMs !== undefined ? num(record.sandboxCpuMs / record.result.items, 2) : '–',
			record.result.eventLoopDelayMeanMs !== undefined
				? `${num(record.result.eventLoopDelayMeanMs, 1)} / ${num(record.result.eventLoopDelayP99Ms ?? 0, 1)} ms`
				: '–',
			`${num(record.loadBefore ?? 0, 1)}→${num(record.loadAfter ?? 0, 1)}`,
			status(record),
		];
		lines.push(`| ${cells.join(' | ')} |`);
	}
	return lines.join('\n');
}

function ratioTables(records: CaseRecord[]): string {
	const out: string[] = [];
	out.push(
		'#### Ours vs the raw client and vs the lower bound (same latency, N and concurrency; medians where repeated)\n',
	);
	out.push(
		'| Latency | N | Concurrency | Ours wall | Raw wall | Ours ÷ raw (wall) | Ours ÷ raw (CPU / payout) | Ours ÷ lower bound | Raw ÷ lower bound |',
	);
	out.push('|---|---|---|---|---|---|---|---|---|');
	for (const ours of aggregates(records, 'ours')) {
		const raw = aggregate(records, 'raw', ours.latencyMs, ours.n, ours.setting);
		const bound = ours.lowerBoundMs;
		out.push(
			`| ${ours.latencyMs} ms | ${num(ours.n)} | ${ours.concurrency}${runsNote(ours)} | ${secs(ours.wallMs)} | ${raw ? secs(raw.wallMs) : '–'} | ${raw ? `${num(ours.wallMs / raw.wallMs, 2)}×` : '–'} | ${raw ? `${num(ours.cpuPerItem / raw.cpuPerItem, 2)}×` : '–'} | ${bound ? `${num(ours.wallMs / bound, 2)}×` : '–'} | ${bound && raw ? `${num(raw.wallMs / bound, 2)}×` : '–'} |`,
		);
	}
	out.push(
		'\n#### Ours vs the HTTP Request node (throughput, payouts per second; same latency and N)\n',
	);
	out.push(
		'| Latency | N | HTTP Request node setting | HTTP node payouts/s | Ours c5 (default) | Ours c10 | Ours c50 | Ours c5 ÷ HTTP | Ours best ÷ HTTP |',
	);
	out.push('|---|---|---|---|---|---|---|---|---|');
	for (const http of aggregates(records, 'httpNode')) {
		const rates = [5, 10, 50].map(
			(c) => aggregate(records, 'ours', http.latencyMs, http.n, `concurrency ${c}`)?.perSecond,
		);
		const best = Math.max(...rates.map((rate) => rate ?? 0));
		out.push(
			`| ${http.latencyMs} ms | ${num(http.n)} | ${http.setting} | ${num(http.perSecond)} | ${rates.map((rate) => (rate ? num(rate) : '–')).join(' | ')} | ${rates[0] ? `${num(rates[0] / http.perSecond, 2)}×` : '–'} | ${best ? `${num(best / http.perSecond, 2)}×` : '–'} |`,
		);
	}
	return out.join('\n');
}

function getManyTable(records: CaseRecord[]): string {
	const rows = records.filter((record) => record.group === 'getMany');
	const lines = [
		'| Engine | Latency | Invoices | Wall time | Invoices/s | CPU time | Peak RSS | RSS before run | Heap after | Notes |',
		'|---|---|---|---|---|---|---|---|---|---|',
	];
	for (const record of rows) {
		if (!ok(record)) {
			lines.push(
				`| ${ENGINE_LABEL[record.engine]} | ${record.latencyMs} ms | ${num(record.spec.n)} | – | – | – | – | – | – | ${status(record)} |`,
			);
			continue;
		}
		const r = record.result;
		lines.push(
			`| ${ENGINE_LABEL[record.engine]} | ${record.latencyMs} ms | ${num(r.items)} | ${secs(r.wallMs)} | ${num(perSecond(record))} | ${secs(r.cpuUserMs + r.cpuSystemMs)} | ${num(r.peakRssMb)} MB | ${num(r.rssBeforeMb)} MB | ${num(r.heapUsedAfterMb)} MB | ${status(record)} |`,
		);
	}
	return lines.join('\n');
}

interface Verdict {
	target: string;
	verdict: 'PASS' | 'FAIL' | 'NOT MEASURED';
	evidence: string;
}

function verdicts(records: CaseRecord[]): Verdict[] {
	const result: Verdict[] = [];
	const ours = aggregates(records, 'ours');

	// 1. Within 1.2× of the lower bound at concurrency 10 with 50 ms latency.
	const atTen = ours.filter(
		(value) => value.latencyMs === 50 && value.concurrency === 10 && value.lowerBoundMs,
	);
	result.push({
		target: 'Within 1.2× of the lower bound at concurrency 10 with 50 ms latency',
		verdict:
			atTen.length === 0
				? 'NOT MEASURED'
				: atTen.every((value) => value.wallMs / value.lowerBoundMs! <= 1.2)
					? 'PASS'
					: 'FAIL',
		evidence:
			atTen
				.map(
					(value) =>
						`N=${num(value.n)}: ${secs(value.wallMs)}${runsNote(value)} vs ${secs(value.lowerBoundMs!)} = ${num(value.wallMs / value.lowerBoundMs!, 2)}×`,
				)
				.join('; ') || 'no successful run',
	});

	// 2. With no latency, no more than 2× the raw client's CPU time per payout.
	const pairs = ours
		.filter((value) => value.latencyMs === 0)
		.map((value) => ({ ours: value, raw: aggregate(records, 'raw', 0, value.n, value.setting) }))
		.filter((pair): pair is { ours: Aggregate; raw: Aggregate } => pair.raw !== undefined);
	const worst = Math.max(...pairs.map((pair) => pair.ours.cpuPerItem / pair.raw.cpuPerItem));
	result.push({
		target: "With no latency, at most 2× the raw client's CPU time per payout",
		verdict: pairs.length === 0 ? 'NOT MEASURED' : worst <= 2 ? 'PASS' : 'FAIL',
		evidence:
			pairs
				.map(
					(pair) =>
						`N=${num(pair.ours.n)} c${pair.ours.concurrency}${runsNote(pair.ours)}: ${num(pair.ours.cpuPerItem, 2)} vs ${num(pair.raw.cpuPerItem, 2)} ms = ${num(pair.ours.cpuPerItem / pair.raw.cpuPerItem, 2)}×`,
				)
				.join('; ') || 'no successful pair',
	});

	// 3. At least 10× the throughput of the HTTP Request node's default setup.
	const comparisons = aggregates(records, 'httpNode')
		.filter((http) => http.setting.startsWith('default'))
		.flatMap((http) => {
			const mine = aggregate(records, 'ours', http.latencyMs, http.n, 'concurrency 5');
			return mine ? [{ http, mine, ratio: mine.perSecond / http.perSecond }] : [];
		});
	result.push({
		target:
			"At least 10× the throughput of the HTTP Request node's default setup (ours at its default concurrency 5)",
		verdict:
			comparisons.length === 0
				? 'NOT MEASURED'
				: comparisons.every((c) => c.ratio >= 10)
					? 'PASS'
					: 'FAIL',
		evidence:
			comparisons
				.map(
					(c) =>
						`${c.http.latencyMs} ms, N=${num(c.http.n)}: ${num(c.mine.perSecond)} vs ${num(c.http.perSecond)} payouts/s = ${num(c.ratio, 2)}×`,
				)
				.join('; ') || 'no successful pair',
	});
	return result;
}

export function renderReport(run: BenchRun): string {
	const records = run.cases;
	const latencies = [
		...new Set(
			records.filter((record) => record.group !== 'getMany').map((record) => record.latencyMs),
		),
	].sort((a, b) => b - a);
	const analysisPath = join(__dirname, 'analysis.md');
	// The hand-written reading is about the full run's numbers: a quick or partial run does not get it.
	const full = run.mode === 'full' && !run.only;
	const analysis =
		full && existsSync(analysisPath) ? readFileSync(analysisPath, 'utf8').trim() : '';
	const failed = records.filter((record) => record.result && !record.result.ok);
	const notRun = records.filter((record) => record.skipped);

	const lines: string[] = [];
	lines.push(
		'# Bench results: bulk payouts, PaymentsTrust node vs HTTP Request node vs raw client',
	);
	lines.push('');
	lines.push(
		`Generated by \`npm run bench${run.mode === 'quick' ? ' -- --quick' : ''}\` on ${run.date.slice(0, 16).replace('T', ' ')} UTC; the whole run took ${secs(run.durationMs)}.`,
	);
	if (run.mode !== 'full' || run.only)
		lines.push(
			`\n> **${run.mode} run${run.only ? `, only cases matching /${run.only}/` : ''}: a smoke check, not the reference numbers.**`,
		);
	lines.push('');
	lines.push('## Verdicts');
	lines.push('');
	lines.push('| Target | Verdict | Evidence |');
	lines.push('|---|---|---|');
	for (const verdict of verdicts(records))
		lines.push(`| ${verdict.target} | **${verdict.verdict}** | ${verdict.evidence} |`);
	lines.push('');
	if (failed.length)
		lines.push(
			`**${failed.length} case(s) failed**: ${failed.map((record) => `\`${record.id}\``).join(', ')} (see the tables).\n`,
		);
	if (analysis) {
		lines.push(analysis);
		lines.push('');
	}
	lines.push('## Machine and versions');
	lines.push('');
	lines.push(
		`- ${run.machine.cpus} × ${run.machine.cpuModel}, ${run.machine.memoryGb} GB RAM, ${run.machine.platform}, Node ${run.machine.node}`,
	);
	lines.push(
		`- Load average at the end: ${run.machine.loadAtEnd.map((l) => num(l, 2)).join(' / ')} (the machine is shared with other engineers' builds and test runs; each row shows the 1-minute load before → after it)`,
	);
	lines.push(
		`- ${Object.entries(run.versions)
			.map(([name, version]) => `${name} ${version}`)
			.join(', ')}`,
	);
	lines.push(
		`- HTTP Request node: ${run.httpNodeSetup.error ? `**not available**: ${run.httpNodeSetup.error}` : `n8n-nodes-base from \`${run.httpNodeSetup.cache}\` (bench/setup-http-node.sh, ${num(run.httpNodeSetup.seconds, 1)} s this run)`}`,
	);
	lines.push('');
	for (const latency of latencies) {
		lines.push(
			`## Create and Process — ${latency ? `${latency} ms added to every API answer` : 'no added latency'}`,
		);
		lines.push('');
		lines.push(payoutTable(records, latency));
		lines.push('');
	}
	lines.push('## Ratios');
	lines.push('');
	lines.push(ratioTables(records));
	lines.push('');
	if (records.some((record) => record.group === 'getMany')) {
		lines.push('## Get Many, Return All, over seeded invoices');
		lines.push('');
		lines.push(getManyTable(records));
		lines.push('');
	}
	if (notRun.length) {
		lines.push('## Not run');
		lines.push('');
		for (const record of notRun) lines.push(`- \`${record.id}\`: ${record.skipped}`);
		lines.push('');
	}
	lines.push('## How it was measured');
	lines.push('');
	lines.push(
		[
			'- **Sandbox**: `startSandbox()` in its own process (bench/sandboxProcess.ts), reset before every case, `latencyMs` set per case; its CPU never counts against a case (shown separately as "Sandbox CPU").',
			'- **Each case in a fresh child process** (bench/case.ts): wall time with `performance.now()`, CPU with `process.cpuUsage()` around the measured run only, peak RSS with `process.resourceUsage().maxRSS` (whole process life, so it includes loading n8n; "RSS before run" is the level after loading and warm-up).',
			'- **Warm-up**: each case first runs 50 rows (its own reference IDs) in the same process, as a long-running n8n worker would be warm. Not counted.',
			"- **Ours**: workflow JSON with one PaymentsTrust node (Payout Invoice → Create and Process; service `test_usd` chosen from the list, currency `USD`, amount and reference ID as expressions on the row's columns, recipient field auto-mapped from the `account` column; option Concurrency), run by n8n-core's `WorkflowExecute` (harness/). The N rows are handed to the node as its input items.",
			'- **HTTP Request node**: n8n-nodes-base\'s own HTTP Request node (v4.4), two in a row: POST /api/payout-invoices with a JSON body built by expressions, then POST /api/payout-invoices/{{ $json.data.id }}/process, both with a generic **Basic Auth** credential (`httpBasicAuth`), run by the same engine. "Default" = no batching option (the node then starts every item\'s request at once); "batching X / Y ms" = Options → Batching, X items then a Y ms pause.',
			"- **Raw client**: axios, the same two calls per row, N rows shared by `concurrency` workers; Node 20's default agent (keep-alive).",
			'- **Lower bound**: 2 × N × latency ÷ concurrency (two requests per payout, each at least `latency`).',
			'- **Correctness** of every case is checked twice: the outputs (N items, every invoice in `processing`) and the sandbox ledger (N + warm-up creates and process calls accepted, no reference with two invoices, no invoice processed twice). A case that fails either is reported as failed.',
			'- Every request goes to 127.0.0.1; every case has a time limit (killed past it) and the run has a budget; cases over it are listed as not run.',
		].join('\n'),
	);
	lines.push('');
	lines.push('## How to reproduce');
	lines.push('');
	lines.push('```sh');
	lines.push('npm ci');
	lines.push(
		'npm run bench               # everything, ~15-20 min on 2 cores; rewrites bench/results.md and bench/results.json',
	);
	lines.push(
		'npm run bench -- --quick    # smoke check, ~2 min; writes bench/out/quick-results.md',
	);
	lines.push(
		"npm run bench -- --only='lat0/n1000/(ours|raw)/c10'   # a subset; writes bench/out/partial-results.md",
	);
	lines.push('```');
	lines.push('');
	lines.push(
		"The first run installs n8n-nodes-base@2.11.2 into `~/.cache/n8n-nodes-paymentstrust-bench` (or `$N8N_PT_BENCH_CACHE`), outside the repo, with `xlsx` overridden to the registry's 0.18.5 and install scripts off; later runs reuse it. Raw numbers: bench/results.json.",
	);
	lines.push('');
	return lines.join('\n');
}
