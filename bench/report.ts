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
	machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string; loadAtEnd: number[] };
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

const num = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const secs = (ms: number) => (ms >= 100_000 ? `${num(ms / 1000)} s` : ms >= 10_000 ? `${num(ms / 1000, 1)} s` : `${num(ms / 1000, 2)} s`);

function ok(record: CaseRecord): record is CaseRecord & { result: CaseResult } {
	return record.result?.ok === true;
}
const wall = (record: CaseRecord & { result: CaseResult }) => record.result.wallMs;
const perSecond = (record: CaseRecord & { result: CaseResult }) => record.result.items / (record.result.wallMs / 1000);
const cpuPerItem = (record: CaseRecord & { result: CaseResult }) => (record.result.cpuUserMs + record.result.cpuSystemMs) / record.result.items;

function status(record: CaseRecord): string {
	if (record.skipped) return `not run: ${record.skipped}`;
	if (!record.result) return 'not run';
	if (!record.result.ok) return `**failed**: ${record.result.error}`;
	return record.note ?? '';
}

function payoutTable(records: CaseRecord[], latencyMs: number): string {
	const order: Engine[] = ['ours', 'oursGenericAuth', 'oursFunctionAuth', 'httpNode', 'raw', 'rawNoKeepAlive'];
	const rows = records
		.filter((record) => (record.group === 'payout' || record.group === 'diagnostic') && record.latencyMs === latencyMs)
		.sort((a, b) => a.spec.n - b.spec.n || order.indexOf(a.engine) - order.indexOf(b.engine) || (a.concurrency ?? 0) - (b.concurrency ?? 0));
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
		'Load (1 min)',
		'Notes',
	];
	const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
	for (const record of rows) {
		const n = num(record.spec.n);
		const bound = record.lowerBoundMs;
		if (!ok(record)) {
			lines.push(
				`| ${ENGINE_LABEL[record.engine]} | ${n} | ${record.setting} | – | – | ${withBound ? `${bound ? secs(bound) : '–'} | – | ` : ''}– | – | – | – | – | ${status(record)} |`,
			);
			continue;
		}
		const cells = [
			ENGINE_LABEL[record.engine],
			n,
			record.setting,
			secs(wall(record)),
			num(perSecond(record), 0),
			...(withBound ? [bound ? secs(bound) : '–', bound ? `${num(wall(record) / bound, 2)}×` : '–'] : []),
			num(cpuPerItem(record), 2),
			`${num(record.result.peakRssMb)} MB`,
			`${num(record.result.rssBeforeMb)} MB`,
			record.sandboxCpuMs !== undefined ? num(record.sandboxCpuMs / record.result.items, 2) : '–',
			`${num(record.loadBefore ?? 0, 1)}→${num(record.loadAfter ?? 0, 1)}`,
			status(record),
		];
		lines.push(`| ${cells.join(' | ')} |`);
	}
	return lines.join('\n');
}

function find(records: CaseRecord[], engine: Engine, latencyMs: number, n: number, setting?: string) {
	return records.find(
		(record) => record.engine === engine && record.latencyMs === latencyMs && record.spec.n === n && (setting === undefined || record.setting === setting),
	);
}

function ratioTables(records: CaseRecord[]): string {
	const out: string[] = [];
	out.push('#### Ours vs the raw client and vs the lower bound (same latency, N and concurrency)\n');
	out.push('| Latency | N | Concurrency | Ours wall | Raw wall | Ours ÷ raw (wall) | Ours ÷ raw (CPU / payout) | Ours ÷ lower bound | Raw ÷ lower bound |');
	out.push('|---|---|---|---|---|---|---|---|---|');
	for (const record of records) {
		if (record.engine !== 'ours' || !ok(record)) continue;
		const raw = find(records, 'raw', record.latencyMs, record.spec.n, record.setting);
		const bound = record.lowerBoundMs;
		const rawOk = raw && ok(raw);
		out.push(
			`| ${record.latencyMs} ms | ${num(record.spec.n)} | ${record.concurrency} | ${secs(wall(record))} | ${rawOk ? secs(wall(raw)) : '–'} | ${rawOk ? `${num(wall(record) / wall(raw), 2)}×` : '–'} | ${rawOk ? `${num(cpuPerItem(record) / cpuPerItem(raw), 2)}×` : '–'} | ${bound ? `${num(wall(record) / bound, 2)}×` : '–'} | ${bound && rawOk ? `${num(wall(raw) / bound, 2)}×` : '–'} |`,
		);
	}
	out.push('\n#### Ours vs the HTTP Request node (throughput, payouts per second; same latency and N)\n');
	out.push('| Latency | N | HTTP Request node setting | HTTP node payouts/s | Ours c5 (default) | Ours c10 | Ours c50 | Ours c5 ÷ HTTP | Ours best ÷ HTTP |');
	out.push('|---|---|---|---|---|---|---|---|---|');
	for (const record of records) {
		if (record.engine !== 'httpNode' || !ok(record)) continue;
		const ours = [5, 10, 50].map((c) => find(records, 'ours', record.latencyMs, record.spec.n, `concurrency ${c}`));
		const rates = ours.map((o) => (o && ok(o) ? perSecond(o) : undefined));
		const best = Math.max(...rates.map((rate) => rate ?? 0));
		const http = perSecond(record);
		out.push(
			`| ${record.latencyMs} ms | ${num(record.spec.n)} | ${record.setting} | ${num(http)} | ${rates.map((rate) => (rate ? num(rate) : '–')).join(' | ')} | ${rates[0] ? `${num(rates[0] / http, 2)}×` : '–'} | ${best ? `${num(best / http, 2)}×` : '–'} |`,
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
			lines.push(`| ${ENGINE_LABEL[record.engine]} | ${record.latencyMs} ms | ${num(record.spec.n)} | – | – | – | – | – | – | ${status(record)} |`);
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

	// 1. Within 1.2× of the lower bound at concurrency 10 with 50 ms latency.
	const atTen = records.filter((record) => record.engine === 'ours' && record.latencyMs === 50 && record.concurrency === 10 && ok(record)) as Array<CaseRecord & { result: CaseResult }>;
	result.push({
		target: 'Within 1.2× of the lower bound at concurrency 10 with 50 ms latency',
		verdict: atTen.length === 0 ? 'NOT MEASURED' : atTen.every((record) => wall(record) / record.lowerBoundMs! <= 1.2) ? 'PASS' : 'FAIL',
		evidence: atTen.map((record) => `N=${num(record.spec.n)}: ${secs(wall(record))} vs ${secs(record.lowerBoundMs!)} = ${num(wall(record) / record.lowerBoundMs!, 2)}×`).join('; ') || 'no successful run',
	});

	// 2. With no latency, no more than 2× the raw client's CPU time per payout.
	const pairs = records
		.filter((record) => record.engine === 'ours' && record.latencyMs === 0 && ok(record))
		.map((record) => ({ ours: record as CaseRecord & { result: CaseResult }, raw: find(records, 'raw', 0, record.spec.n, record.setting) }))
		.filter((pair): pair is { ours: CaseRecord & { result: CaseResult }; raw: CaseRecord & { result: CaseResult } } => !!pair.raw && ok(pair.raw));
	const worst = Math.max(...pairs.map((pair) => cpuPerItem(pair.ours) / cpuPerItem(pair.raw)));
	result.push({
		target: "With no latency, at most 2× the raw client's CPU time per payout",
		verdict: pairs.length === 0 ? 'NOT MEASURED' : worst <= 2 ? 'PASS' : 'FAIL',
		evidence:
			pairs
				.map((pair) => `N=${num(pair.ours.spec.n)} c${pair.ours.concurrency}: ${num(cpuPerItem(pair.ours), 2)} vs ${num(cpuPerItem(pair.raw), 2)} ms = ${num(cpuPerItem(pair.ours) / cpuPerItem(pair.raw), 2)}×`)
				.join('; ') || 'no successful pair',
	});

	// 3. At least 10× the throughput of the HTTP Request node's default setup.
	const defaults = records.filter((record) => record.engine === 'httpNode' && record.setting.startsWith('default') && ok(record)) as Array<CaseRecord & { result: CaseResult }>;
	const comparisons = defaults.flatMap((http) => {
		const ours = find(records, 'ours', http.latencyMs, http.spec.n, 'concurrency 5');
		return ours && ok(ours) ? [{ http, ours, ratio: perSecond(ours) / perSecond(http) }] : [];
	});
	result.push({
		target: "At least 10× the throughput of the HTTP Request node's default setup (ours at its default concurrency 5)",
		verdict: comparisons.length === 0 ? 'NOT MEASURED' : comparisons.every((c) => c.ratio >= 10) ? 'PASS' : 'FAIL',
		evidence:
			comparisons
				.map((c) => `${c.http.latencyMs} ms, N=${num(c.http.spec.n)}: ${num(perSecond(c.ours))} vs ${num(perSecond(c.http))} payouts/s = ${num(c.ratio, 2)}×`)
				.join('; ') || 'no successful pair',
	});
	return result;
}

export function renderReport(run: BenchRun): string {
	const records = run.cases;
	const latencies = [...new Set(records.filter((record) => record.group !== 'getMany').map((record) => record.latencyMs))].sort((a, b) => b - a);
	const analysisPath = join(__dirname, 'analysis.md');
	const analysis = existsSync(analysisPath) ? readFileSync(analysisPath, 'utf8').trim() : '';
	const failed = records.filter((record) => record.result && !record.result.ok);
	const notRun = records.filter((record) => record.skipped);

	const lines: string[] = [];
	lines.push('# Bench results: bulk payouts, PaymentsTrust node vs HTTP Request node vs raw client');
	lines.push('');
	lines.push(`Generated by \`npm run bench${run.mode === 'quick' ? ' -- --quick' : ''}\` on ${run.date.slice(0, 16).replace('T', ' ')} UTC; the whole run took ${secs(run.durationMs)}.`);
	if (run.mode !== 'full' || run.only) lines.push(`\n> **${run.mode} run${run.only ? `, only cases matching /${run.only}/` : ''}: a smoke check, not the reference numbers.**`);
	lines.push('');
	lines.push('## Verdicts');
	lines.push('');
	lines.push('| Target | Verdict | Evidence |');
	lines.push('|---|---|---|');
	for (const verdict of verdicts(records)) lines.push(`| ${verdict.target} | **${verdict.verdict}** | ${verdict.evidence} |`);
	lines.push('');
	if (failed.length) lines.push(`**${failed.length} case(s) failed**: ${failed.map((record) => `\`${record.id}\``).join(', ')} (see the tables).\n`);
	if (analysis) {
		lines.push(analysis);
		lines.push('');
	}
	lines.push('## Machine and versions');
	lines.push('');
	lines.push(`- ${run.machine.cpus} × ${run.machine.cpuModel}, ${run.machine.memoryGb} GB RAM, ${run.machine.platform}, Node ${run.machine.node}`);
	lines.push(`- Load average at the end: ${run.machine.loadAtEnd.map((l) => num(l, 2)).join(' / ')} (the machine is shared with other engineers' builds and test runs; each row shows the 1-minute load before → after it)`);
	lines.push(`- ${Object.entries(run.versions).map(([name, version]) => `${name} ${version}`).join(', ')}`);
	lines.push(
		`- HTTP Request node: ${run.httpNodeSetup.error ? `**not available**: ${run.httpNodeSetup.error}` : `n8n-nodes-base from \`${run.httpNodeSetup.cache}\` (bench/setup-http-node.sh, ${num(run.httpNodeSetup.seconds, 1)} s this run)`}`,
	);
	lines.push('');
	for (const latency of latencies) {
		lines.push(`## Create and Process — ${latency ? `${latency} ms added to every API answer` : 'no added latency'}`);
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
			"- **Ours**: workflow JSON with one PaymentsTrust node (Payout Invoice → Create and Process; service `test_usd` chosen from the list, currency `USD`, amount and reference ID as expressions on the row's columns, recipient field auto-mapped from the `account` column; option Concurrency), run by n8n-core's `WorkflowExecute` (test/harness). The N rows are handed to the node as its input items.",
			'- **HTTP Request node**: n8n-nodes-base\'s own HTTP Request node (v4.4), two in a row: POST /api/payout-invoices with a JSON body built by expressions, then POST /api/payout-invoices/{{ $json.data.id }}/process, both with a generic **Basic Auth** credential (`httpBasicAuth`), run by the same engine. "Default" = no batching option (the node then starts every item\'s request at once); "batching X / Y ms" = Options → Batching, X items then a Y ms pause.',
			'- **Raw client**: axios, the same two calls per row, N rows shared by `concurrency` workers; Node 20\'s default agent (keep-alive).',
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
	lines.push('npm run bench               # everything, ~15-20 min on 2 cores; rewrites bench/results.md and bench/results.json');
	lines.push('npm run bench -- --quick    # smoke check, ~2 min; writes bench/out/quick-results.md');
	lines.push("npm run bench -- --only='lat0/n1000/(ours|raw)/c10'   # a subset; writes bench/out/partial-results.md");
	lines.push('```');
	lines.push('');
	lines.push(
		'The first run installs n8n-nodes-base@2.11.2 into `~/.cache/n8n-nodes-paymentstrust-bench` (or `$N8N_PT_BENCH_CACHE`), outside the repo, with `xlsx` overridden to the registry\'s 0.18.5 and install scripts off; later runs reuse it. Raw numbers: bench/results.json.',
	);
	lines.push('');
	return lines.join('\n');
}
