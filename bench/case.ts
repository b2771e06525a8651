/**
 * One bench case, run by bench/run.ts in a fresh child process so that CPU time and peak memory belong to
 * this case alone (the sandbox runs in another process). Reads its spec as JSON from argv[2], prints one line
 * `BENCH_RESULT {json}` and exits.
 *
 * Kinds:
 *  - ours:        PaymentsTrust node, Create and Process, inside n8n-core's WorkflowExecute
 *  - httpNode:    two n8n-nodes-base HTTP Request nodes (create, then process) with a generic Basic-auth
 *                 credential, inside the same engine
 *  - raw:         axios, the same two calls per row (or one, with autoProcess), a plain concurrency-limited
 *                 loop, no n8n
 *  - getMany:     PaymentsTrust node, Payout Invoice → Get Many with Return All, inside the engine
 *  - rawGetMany:  axios following the same cursor links, no n8n
 *
 * Every case first runs a small warm-up (its own reference IDs) in the same process: a real n8n worker is warm.
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { monitorEventLoopDelay, performance } from 'perf_hooks';

import type { SandboxCredentials } from '../sandbox/types';

process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-pt-bench-'));

export type CaseKind = 'ours' | 'httpNode' | 'raw' | 'getMany' | 'rawGetMany';

export interface CaseSpec {
	kind: CaseKind;
	/** Payouts (or, for Get Many, the invoices expected in the list). */
	n: number;
	/** ours / raw: requests in flight at once. */
	concurrency?: number;
	/** httpNode: the node's Options → Batching (omitted = the node's default: no batching). */
	batching?: { batchSize: number; batchIntervalMs: number };
	/** raw: reuse connections (Node 20's global agent does by default). */
	keepAlive?: boolean;
	/** raw: one call per row, the create asking the platform to process (`options.auto_process`). */
	autoProcess?: boolean;
	/**
	 * ours, diagnostic only: 'function' swaps the credential's declarative (generic) Basic auth for an
	 * equivalent function, to show what n8n's per-request expression resolution of generic auth costs.
	 */
	authStyle?: 'generic' | 'function';
	warmup: number;
	referencePrefix: string;
	credentials: SandboxCredentials;
	/** httpNode: folder whose node_modules holds n8n-nodes-base (installed by bench/setup-http-node.sh). */
	httpNodeCache?: string;
}

export interface CaseResult {
	ok: boolean;
	error?: string;
	wallMs: number;
	cpuUserMs: number;
	cpuSystemMs: number;
	/** Peak resident set size of this process over its whole life (process.resourceUsage().maxRSS). */
	peakRssMb: number;
	/** RSS just before the measured run (modules loaded, warm-up done). */
	rssBeforeMb: number;
	heapUsedAfterMb: number;
	items: number;
	warmupMs: number;
	/** Event-loop delay during the measured run beyond the 10 ms sampling interval (ms): high values mean the process waited for a CPU or blocked. */
	eventLoopDelayMeanMs?: number;
	eventLoopDelayP99Ms?: number;
}

type Json = import('n8n-workflow').IDataObject;

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function rows(prefix: string, count: number): Json[] {
	return Array.from({ length: count }, (_, index) => ({
		reference_id: `${prefix}-${index + 1}`,
		amount: String(10 + (index % 90)) + '.25',
		account: String(100000 + index),
	}));
}

// ---------------------------------------------------------------------------------------------------------
// n8n engine cases

/* eslint-disable @typescript-eslint/no-require-imports */
function engine() {
	return {
		harness: require('../harness/runWorkflow') as typeof import('../harness/runWorkflow'),
		payout:
			require('../test/support/payoutWorkflow') as typeof import('../test/support/payoutWorkflow'),
	};
}

/**
 * Loads n8n-nodes-base's HTTP Request node and Basic-auth credential from the bench cache. n8n-nodes-base
 * brings its own copy of n8n-workflow; requests for it from inside the cache are sent to the repo's copy,
 * so the engine, our harness and the HTTP Request node share one n8n-workflow (one set of error classes),
 * as they would inside n8n.
 */
function loadHttpRequestNode(cache: string) {
	const Module = require('module') as {
		_resolveFilename: (
			request: string,
			parent: { filename?: string } | undefined,
			...rest: unknown[]
		) => string;
	};
	const sharedWorkflow = require.resolve('n8n-workflow');
	const original = Module._resolveFilename;
	Module._resolveFilename = function (request, parent, ...rest) {
		if (request === 'n8n-workflow' && parent?.filename?.startsWith(cache)) return sharedWorkflow;
		return original.call(this, request, parent, ...rest);
	};
	const base = join(cache, 'node_modules', 'n8n-nodes-base', 'dist');
	const { HttpRequest } = require(join(base, 'nodes', 'HttpRequest', 'HttpRequest.node.js'));
	const { HttpBasicAuth } = require(join(base, 'credentials', 'HttpBasicAuth.credentials.js'));
	return { HttpRequest, HttpBasicAuth };
}
/* eslint-enable @typescript-eslint/no-require-imports */

interface EngineRun {
	run: (prefix: string, count: number) => Promise<number>;
}

/**
 * Our credential type with its Basic auth forced to one style (diagnostic cases): 'generic' is the declarative
 * form n8n resolves through its expression engine on every request; 'function' hands n8n a function to call.
 */
function credentialWithAuth(style: 'generic' | 'function') {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { PaymentsTrustApi } =
		require('../credentials/PaymentsTrustApi.credentials') as typeof import('../credentials/PaymentsTrustApi.credentials');
	const type = new PaymentsTrustApi() as unknown as { authenticate: unknown };
	type.authenticate =
		style === 'generic'
			? {
					type: 'generic',
					properties: {
						auth: { username: '={{$credentials.accountId}}', password: '={{$credentials.apiKey}}' },
					},
				}
			: async (credentials: Json, requestOptions: Json) => ({
					...requestOptions,
					auth: { username: String(credentials.accountId), password: String(credentials.apiKey) },
				});
	return type as unknown as import('n8n-workflow').ICredentialType;
}

function oursCase(spec: CaseSpec): EngineRun {
	const { harness, payout } = engine();
	const nodeTypes = harness.resolveNodeTypes();
	// As a user sets it up for a sheet: service picked from the list, currency typed, amount and reference ID
	// from columns, recipient fields auto-mapped from columns (the `account` column).
	const workflow = payout.paymentsTrustWorkflow(
		payout.payoutParameters(
			'createAndProcess',
			{ concurrency: spec.concurrency ?? 5 },
			{ service: 'test_usd', currency: 'USD' },
		),
	);
	const credentialTypes = spec.authStyle ? [credentialWithAuth(spec.authStyle)] : undefined;
	return {
		async run(prefix, count) {
			const result = await harness.runWorkflow({
				workflow,
				nodeTypes,
				startNode: payout.PT_NODE,
				triggerItems: rows(prefix, count),
				credentials: { paymentsTrustApi: spec.credentials },
				credentialTypes,
			});
			if (result.executionError)
				throw new Error(`workflow failed: ${result.executionError.message}`);
			const out = result.outputOf(payout.PT_NODE);
			const bad = out.filter(
				(item) => item.json.error !== undefined || item.json.status !== 'processing',
			);
			if (out.length !== count || bad.length) {
				throw new Error(
					`${out.length} items for ${count} rows, ${bad.length} not processing: ${JSON.stringify(bad[0]?.json)}`,
				);
			}
			return out.length;
		},
	};
}

function httpNodeCase(spec: CaseSpec): EngineRun {
	const { harness } = engine();
	if (!spec.httpNodeCache) throw new Error('httpNodeCache is not set');
	const { HttpRequest, HttpBasicAuth } = loadHttpRequestNode(spec.httpNodeCache);
	const nodeTypes = harness.resolveNodeTypes({ 'n8n-nodes-base.httpRequest': HttpRequest });
	// The sandbox's credential leaves the Private API Path automatic (''); the bench's sandbox serves the default /api.
	const api = `${spec.credentials.baseUrl}${spec.credentials.privateApiPath || '/api'}`;
	const options = spec.batching
		? {
				batching: {
					batch: {
						batchSize: spec.batching.batchSize,
						batchInterval: spec.batching.batchIntervalMs,
					},
				},
			}
		: {};
	const credentials = { httpBasicAuth: { id: '2', name: 'PaymentsTrust Basic auth' } };
	// What a user builds from the API reference: a JSON body with expressions, then the process call on the id.
	const workflow = {
		nodes: [
			{
				name: 'Create invoice',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.4,
				parameters: {
					method: 'POST',
					url: `${api}/payout-invoices`,
					authentication: 'genericCredentialType',
					genericAuthType: 'httpBasicAuth',
					sendBody: true,
					specifyBody: 'json',
					jsonBody:
						'={ "data": { "type": "payout-invoice", "attributes": { "reference_id": "{{ $json.reference_id }}", "service": "test_usd", "currency": "USD", "amount": {{ $json.amount }}, "fields": { "account": "{{ $json.account }}" } } } }',
					options,
				},
				credentials,
			},
			{
				name: 'Process invoice',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.4,
				parameters: {
					method: 'POST',
					url: `=${api}/payout-invoices/{{ $json.data.id }}/process`,
					authentication: 'genericCredentialType',
					genericAuthType: 'httpBasicAuth',
					options,
				},
				credentials,
			},
		],
		connections: {
			'Create invoice': { main: [[{ node: 'Process invoice', type: 'main' as const, index: 0 }]] },
		},
	};
	return {
		async run(prefix, count) {
			const result = await harness.runWorkflow({
				workflow,
				nodeTypes,
				startNode: 'Create invoice',
				triggerItems: rows(prefix, count),
				credentials: {
					httpBasicAuth: { user: spec.credentials.accountId, password: spec.credentials.apiKey },
				},
				credentialTypes: [new HttpBasicAuth()],
			});
			if (result.executionError)
				throw new Error(`workflow failed: ${result.executionError.message}`);
			const out = result.outputOf('Process invoice');
			const bad = out.filter(
				(item) => ((item.json.data as Json)?.attributes as Json)?.status !== 'processing',
			);
			if (out.length !== count || bad.length) {
				throw new Error(
					`${out.length} items for ${count} rows, ${bad.length} not processing: ${JSON.stringify(bad[0]?.json)}`,
				);
			}
			return out.length;
		},
	};
}

function getManyCase(spec: CaseSpec): EngineRun {
	const { harness, payout } = engine();
	const nodeTypes = harness.resolveNodeTypes();
	const workflow = payout.paymentsTrustWorkflow({
		resource: 'payoutInvoice',
		operation: 'getMany',
		returnAll: true,
	});
	return {
		async run(_prefix, expected) {
			const result = await harness.runWorkflow({
				workflow,
				nodeTypes,
				startNode: payout.PT_NODE,
				credentials: { paymentsTrustApi: spec.credentials },
			});
			if (result.executionError)
				throw new Error(`workflow failed: ${result.executionError.message}`);
			const out = result.outputOf(payout.PT_NODE);
			if (out.length !== expected)
				throw new Error(`${out.length} invoices listed, ${expected} expected`);
			const ids = new Set(out.map((item) => item.json.id));
			if (ids.size !== expected)
				throw new Error(`${ids.size} distinct ids among ${out.length} items`);
			return out.length;
		},
	};
}

// ---------------------------------------------------------------------------------------------------------
// Raw client cases (no n8n loaded at all)

function rawClient(spec: CaseSpec) {
	/* eslint-disable @typescript-eslint/no-require-imports */
	const axios = (require('axios') as typeof import('axios')).default;
	const http = require('http') as typeof import('http');
	/* eslint-enable @typescript-eslint/no-require-imports */
	return axios.create({
		baseURL: `${spec.credentials.baseUrl}${spec.credentials.privateApiPath || '/api'}`,
		auth: { username: spec.credentials.accountId, password: spec.credentials.apiKey },
		headers: { Accept: 'application/json' },
		timeout: 30_000,
		// Node 20's global agent keeps connections alive; keepAlive:false opens one per request, as n8n's helpers do.
		httpAgent: spec.keepAlive === false ? new http.Agent({ keepAlive: false }) : undefined,
	});
}

function rawCase(spec: CaseSpec): EngineRun {
	const client = rawClient(spec);
	return {
		async run(prefix, count) {
			const input = rows(prefix, count);
			const out: Json[] = new Array(count);
			let next = 0;
			const worker = async () => {
				while (next < input.length) {
					const index = next++;
					const row = input[index];
					const created = await client.post('/payout-invoices', {
						data: {
							type: 'payout-invoice',
							attributes: {
								reference_id: row.reference_id,
								service: 'test_usd',
								currency: 'USD',
								amount: Number(row.amount),
								fields: { account: row.account },
								...(spec.autoProcess ? { options: { auto_process: true } } : {}),
							},
						},
					});
					if (spec.autoProcess) {
						out[index] = created.data.data;
						continue;
					}
					const id = created.data.data.id as string;
					const processed = await client.post(`/payout-invoices/${encodeURIComponent(id)}/process`);
					out[index] = processed.data.data;
				}
			};
			await Promise.all(Array.from({ length: Math.min(spec.concurrency ?? 5, count) }, worker));
			const bad = out.filter((invoice) => (invoice?.attributes as Json)?.status !== 'processing');
			if (bad.length) throw new Error(`${bad.length} rows not processing`);
			return out.length;
		},
	};
}

function rawGetManyCase(spec: CaseSpec): EngineRun {
	const client = rawClient(spec);
	const origin = spec.credentials.baseUrl;
	return {
		async run(_prefix, expected) {
			const all: Json[] = [];
			let url = `${origin}${spec.credentials.privateApiPath || '/api'}/payout-invoices?page[size]=100`;
			for (let page = 0; page < 10_000 && url; page++) {
				const body = (await client.get(url)).data as { data: Json[]; links?: { next?: string } };
				all.push(...body.data);
				const next = body.links?.next;
				url = next ? (next.startsWith('http') ? next : `${origin}${next}`) : '';
			}
			if (all.length !== expected)
				throw new Error(`${all.length} invoices listed, ${expected} expected`);
			return all.length;
		},
	};
}

// ---------------------------------------------------------------------------------------------------------

function build(spec: CaseSpec): EngineRun {
	switch (spec.kind) {
		case 'ours':
			return oursCase(spec);
		case 'httpNode':
			return httpNodeCase(spec);
		case 'raw':
			return rawCase(spec);
		case 'getMany':
			return getManyCase(spec);
		case 'rawGetMany':
			return rawGetManyCase(spec);
	}
}

async function main(): Promise<CaseResult> {
	const spec = JSON.parse(process.argv[2]) as CaseSpec;
	const runner = build(spec);
	const listing = spec.kind === 'getMany' || spec.kind === 'rawGetMany';

	// Warm-up: loads modules lazily required on first use and lets V8 optimise the hot path.
	const warmStart = performance.now();
	if (!listing && spec.warmup > 0) await runner.run(`${spec.referencePrefix}-warm`, spec.warmup);
	const warmupMs = performance.now() - warmStart;
	if (global.gc) global.gc();

	const rssBefore = process.memoryUsage().rss;
	const LOOP_RESOLUTION_MS = 10;
	const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
	loopDelay.enable();
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	let items = 0;
	let error: string | undefined;
	try {
		items = await runner.run(spec.referencePrefix, spec.n);
	} catch (caught) {
		error = String((caught as Error)?.message ?? caught).slice(0, 500);
	}
	const wallMs = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	loopDelay.disable();
	return {
		ok: error === undefined,
		error,
		wallMs,
		cpuUserMs: cpu.user / 1000,
		cpuSystemMs: cpu.system / 1000,
		peakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
		rssBeforeMb: mb(rssBefore),
		heapUsedAfterMb: mb(process.memoryUsage().heapUsed),
		items,
		warmupMs,
		eventLoopDelayMeanMs: Math.max(0, loopDelay.mean / 1e6 - LOOP_RESOLUTION_MS),
		eventLoopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
	};
}

main().then(
	(result) => {
		process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
		process.exit(0);
	},
	(error) => {
		process.stdout.write(
			`BENCH_RESULT ${JSON.stringify({ ok: false, error: String(error?.stack ?? error).slice(0, 1000) })}\n`,
		);
		process.exit(1);
	},
);
