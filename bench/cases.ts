/**
 * The bench matrix. Each case says what runs, against which sandbox latency, how long it should take
 * (for the run's time budget) and how long it may take before it is killed.
 */
import type { CaseSpec } from './case';

export type Mode = 'full' | 'quick';

export type Engine =
	| 'ours'
	| 'httpNode'
	| 'raw'
	| 'rawNoKeepAlive'
	| 'oursGenericAuth'
	| 'oursFunctionAuth'
	| 'getMany'
	| 'rawGetMany';

export interface BenchCase {
	id: string;
	engine: Engine;
	/** 'payout' rows go into the main tables; 'diagnostic' rows explain a finding; 'getMany' is the listing. */
	group: 'payout' | 'diagnostic' | 'getMany';
	latencyMs: number;
	/** Concurrency (ours, raw) or the HTTP Request node's setting, as shown in the table. */
	setting: string;
	concurrency?: number;
	spec: Omit<CaseSpec, 'credentials' | 'httpNodeCache'>;
	/** 2 × N × latency ÷ concurrency, for payout cases with a concurrency limit and latency > 0. */
	lowerBoundMs?: number;
	/** Invoices to seed before the case (Get Many). */
	seed?: number;
	expectedMs: number;
	timeoutMs: number;
	/** 1, 2, 3…: the same measurement again (interleaved with its counterpart); verdicts use the median. */
	repeat?: number;
	/** Not run, and why (e.g. it would take far too long); still listed in the results. */
	skipByDesign?: string;
	note?: string;
}

/** Rough CPU cost per payout (ms) on a busy 2-core machine, for the time budget only. */
const COST_MS = { ours: 8, httpNode: 6, raw: 3 };
const STARTUP_MS = { ours: 8000, httpNode: 10000, raw: 3000 };
const WARMUP = 50;

function payoutCase(
	engine: Engine,
	latencyMs: number,
	n: number,
	options: {
		concurrency?: number;
		batching?: CaseSpec['batching'];
		skipByDesign?: string;
		note?: string;
		repeat?: number;
	} = {},
): BenchCase {
	const { concurrency, batching } = options;
	const kind: CaseSpec['kind'] =
		engine === 'httpNode' ? 'httpNode' : engine.startsWith('raw') ? 'raw' : 'ours';
	const base = kind === 'httpNode' ? 'httpNode' : kind === 'raw' ? 'raw' : 'ours';
	const setting =
		kind === 'httpNode'
			? batching
				? `batching ${batching.batchSize} items / ${batching.batchIntervalMs} ms`
				: 'default (no batching)'
			: `concurrency ${concurrency}`;
	const lowerBoundMs = concurrency && latencyMs > 0 ? (2 * n * latencyMs) / concurrency : undefined;
	let expectedMs = Math.max(lowerBoundMs ?? 0, n * COST_MS[base]);
	if (batching)
		expectedMs = Math.max(
			expectedMs,
			2 * Math.ceil(n / Math.max(1, batching.batchSize)) * batching.batchIntervalMs,
		);
	// Warm-up rows pay the same latency as measured ones.
	const warmupMs =
		concurrency && latencyMs ? (2 * WARMUP * latencyMs) / Math.min(concurrency, WARMUP) : 2000;
	expectedMs = expectedMs * 1.1 + STARTUP_MS[base] + warmupMs;
	const slug =
		kind === 'httpNode'
			? batching
				? `batch${batching.batchSize}per${batching.batchIntervalMs}ms`
				: 'default'
			: `c${concurrency}`;
	const again = options.repeat && options.repeat > 1 ? `#${options.repeat}` : '';
	return {
		id: `lat${latencyMs}/n${n}/${engine}/${slug}${again}`,
		repeat: options.repeat,
		engine,
		group:
			engine === 'oursGenericAuth' || engine === 'oursFunctionAuth' || engine === 'rawNoKeepAlive'
				? 'diagnostic'
				: 'payout',
		latencyMs,
		setting,
		concurrency,
		spec: {
			kind,
			n,
			concurrency,
			batching,
			keepAlive: engine === 'rawNoKeepAlive' ? false : undefined,
			authStyle:
				engine === 'oursGenericAuth'
					? 'generic'
					: engine === 'oursFunctionAuth'
						? 'function'
						: undefined,
			warmup: WARMUP,
			referencePrefix: `bench-${engine}-${latencyMs}-${n}-${slug}${again ? `-r${options.repeat}` : ''}`,
		},
		lowerBoundMs,
		expectedMs,
		timeoutMs: Math.max(120_000, 3 * expectedMs + 60_000),
		skipByDesign: options.skipByDesign,
		note: options.note,
	};
}

function getManyCase(
	engine: 'getMany' | 'rawGetMany',
	latencyMs: number,
	invoices: number,
): BenchCase {
	const pages = Math.ceil(invoices / 100);
	const expectedMs = pages * latencyMs + invoices * (engine === 'getMany' ? 0.4 : 0.1) + 10_000;
	return {
		id: `lat${latencyMs}/getMany/${invoices}/${engine}`,
		engine,
		group: 'getMany',
		latencyMs,
		setting: 'Return All (pages of 100)',
		spec: { kind: engine, n: invoices, warmup: 0, referencePrefix: 'seed' },
		seed: invoices,
		expectedMs,
		timeoutMs: Math.max(180_000, 3 * expectedMs + 60_000),
	};
}

export function buildCases(mode: Mode): BenchCase[] {
	if (mode === 'quick') {
		const n = 200;
		return [
			payoutCase('ours', 50, n, { concurrency: 5 }),
			payoutCase('ours', 50, n, { concurrency: 10 }),
			payoutCase('raw', 50, n, { concurrency: 10 }),
			payoutCase('httpNode', 50, n),
			payoutCase('ours', 0, n, { concurrency: 10 }),
			payoutCase('raw', 0, n, { concurrency: 10 }),
			payoutCase('httpNode', 0, n),
			getManyCase('getMany', 0, 5_000),
			getManyCase('rawGetMany', 0, 5_000),
		];
	}

	// Ordered so that what the targets need runs first: if the run's budget runs out, the tail is listed as not run.
	const cases: BenchCase[] = [];
	const both = ['ours', 'raw'] as const;
	// 50 ms per request: latency-bound; concurrency decides.
	// The target pairs run three times, ours and raw interleaved, so that a noisy neighbour on this shared
	// machine moves both; the verdicts use the medians.
	for (const repeat of [1, 2, 3])
		for (const engine of both)
			cases.push(payoutCase(engine, 50, 1_000, { concurrency: 10, repeat }));
	for (const engine of both)
		for (const concurrency of [5, 50]) cases.push(payoutCase(engine, 50, 1_000, { concurrency }));
	cases.push(payoutCase('httpNode', 50, 1_000));
	cases.push(
		payoutCase('rawNoKeepAlive', 50, 1_000, {
			concurrency: 10,
			note: 'a new connection per request, as n8n’s request helper opens them',
		}),
	);
	// No added latency: CPU-bound; CPU time per payout is the figure that matters.
	for (const engine of both)
		for (const concurrency of [1, 5, 10, 50])
			cases.push(payoutCase(engine, 0, 1_000, { concurrency }));
	cases.push(payoutCase('httpNode', 0, 1_000));
	for (const engine of both) {
		for (const concurrency of [10, 50]) cases.push(payoutCase(engine, 50, 10_000, { concurrency }));
		cases.push(
			payoutCase(engine, 50, 10_000, {
				concurrency: 5,
				skipByDesign:
					'lower bound 2 × 10,000 × 50 ms ÷ 5 = 200 s; latency-bound like the 1,000-row run at concurrency 5, which shows the ratio to the bound',
			}),
		);
		cases.push(
			payoutCase(engine, 50, 10_000, {
				concurrency: 1,
				skipByDesign:
					'lower bound 2 × 10,000 × 50 ms = 1,000 s (17 min); the 300-row run at concurrency 1 gives the per-payout figure',
			}),
		);
	}
	cases.push(payoutCase('httpNode', 50, 10_000));
	for (const repeat of [1, 2, 3])
		for (const engine of both)
			cases.push(payoutCase(engine, 0, 10_000, { concurrency: 10, repeat }));
	cases.push(
		payoutCase('rawNoKeepAlive', 0, 10_000, {
			concurrency: 10,
			note: 'a new connection per request, as n8n’s request helper opens them',
		}),
	);
	cases.push(payoutCase('httpNode', 0, 10_000));
	cases.push(
		payoutCase('oursGenericAuth', 0, 10_000, {
			concurrency: 10,
			note: 'before commit 3074f5c: the credential’s Basic auth in declarative form, whose expressions n8n resolves on every request',
		}),
	);

	cases.push(getManyCase('getMany', 0, 100_000));
	cases.push(getManyCase('rawGetMany', 0, 100_000));
	cases.push(getManyCase('getMany', 50, 100_000));

	const capNote =
		'N capped at 300: at concurrency 1 and 50 ms every payout waits ≥ 100 ms, so 1,000 rows would only add 70 s of waiting';
	for (const engine of both)
		cases.push(payoutCase(engine, 50, 300, { concurrency: 1, note: capNote }));
	cases.push(
		payoutCase('httpNode', 50, 1_000, {
			batching: { batchSize: 50, batchIntervalMs: 1000 },
			note: "the values n8n's editor fills in when Batching is added",
		}),
	);
	cases.push(
		payoutCase('httpNode', 50, 1_000, {
			batching: { batchSize: 5, batchIntervalMs: 50 },
			note: 'paced to about what concurrency 5 achieves at 50 ms',
		}),
	);
	cases.push(
		payoutCase('httpNode', 50, 10_000, {
			batching: { batchSize: 50, batchIntervalMs: 1000 },
			skipByDesign:
				'paced by the node itself: 2 nodes × 10,000 ÷ 50 items per second = 400 s, whatever the API does',
		}),
	);
	return cases;
}
