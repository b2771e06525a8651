/**
 * A seeded fault proxy in front of the sandbox (issue 12): a fault model the node's authors did not write into
 * the sandbox. Plain Node `http`. Every request of the money path (create, process, get, list) may meet one
 * fault, drawn from a seeded PRNG so a failing run can be replayed:
 *
 * - writes: a garbled 2xx before the write reaches the platform, or after it committed; the connection reset
 *   after the commit; the body cut mid-way; a 500 after the commit; the answer trickled in past the node's
 *   timeout (committed); a 3xx to a second origin; an error page echoing the request's headers; 429 with no
 *   Retry-After or with an HTTP date;
 * - reads: the same, plus a 200 that is not JSON, a "list" that is not a list, and a same-origin redirect;
 * - 409s the platform gives are passed on with an empty or a foreign body;
 * - read-after-write lag: after a write commits, the next `lagReads` reads about that payout still show the
 *   state before it (no invoice for the reference; status `created` for the invoice), and so does every read
 *   within `lagMs` of the commit (a read replica that lags in time: issue 30).
 *
 * The second origin records every request it receives: nothing (no credentials, no body) may ever reach it.
 */
import {
	createServer,
	request as httpRequest,
	type IncomingHttpHeaders,
	type IncomingMessage,
	type ServerResponse,
} from 'http';
import type { AddressInfo } from 'net';

import { createRandom } from '../../sandbox/prng';

export type MoneyOperation = 'create' | 'process' | 'get' | 'list';

export type ProxyFault =
	| 'garbled_before'
	| 'garbled_after'
	| 'reset_after'
	| 'cut_midway'
	| 'error500_after'
	| 'trickle'
	| 'redirect_foreign'
	| 'redirect_same_origin'
	| 'echo_headers'
	| 'too_many_no_retry_after'
	| 'too_many_http_date'
	| 'non_json_200'
	| 'not_a_list';

const WRITE_FAULTS: ProxyFault[] = [
	'garbled_before',
	'garbled_after',
	'reset_after',
	'cut_midway',
	'error500_after',
	'trickle',
	'redirect_foreign',
	'echo_headers',
	'too_many_no_retry_after',
	'too_many_http_date',
];
const READ_FAULTS: ProxyFault[] = [
	'non_json_200',
	'cut_midway',
	'trickle',
	'redirect_foreign',
	'redirect_same_origin',
	'echo_headers',
	'too_many_no_retry_after',
	'too_many_http_date',
];

export const ALL_PROXY_FAULTS: ProxyFault[] = [
	...new Set([...WRITE_FAULTS, ...READ_FAULTS, 'not_a_list' as const]),
];

export interface FaultProxyOptions {
	seed: number;
	/** Share of money-path requests that meet a fault (0 turns faults off; lag and 409 rewriting stay). */
	rate: number;
	/** Reads after a committed write that still show the state before it. */
	lagReads: number;
	/** Reads within this many milliseconds after a committed write still show the state before it (0: none). */
	lagMs: number;
	/** Share of the platform's 409s passed on with an empty or foreign body. */
	conflictBodyRate: number;
	/** A trickled answer takes at least this long (make it longer than the node's Request Timeout). */
	trickleMs: number;
	/** Only these fault kinds (default: all that fit the operation). */
	kinds?: ProxyFault[];
	/** Only requests of these operations meet faults (default: all four). */
	operations?: MoneyOperation[];
	/**
	 * A fault chosen by the test for one request (e.g. every read about one reference for a while), whatever
	 * `rate` draws: return a fault to apply it, undefined to leave the request to the seeded draw.
	 */
	force?: (
		request: Pick<ProxyRecord, 'operation' | 'referenceId' | 'invoiceId' | 'seq'>,
	) => ProxyFault | undefined;
}

export interface ProxyRecord {
	seq: number;
	/** When the request arrived (Date.now()). */
	at: number;
	operation: MoneyOperation | 'other';
	method: string;
	path: string;
	referenceId?: string;
	invoiceId?: string;
	fault?: ProxyFault;
	/** Whether the request was passed on to the sandbox. */
	forwarded: boolean;
	/** Status the sandbox answered (when forwarded). */
	upstreamStatus?: number;
	/** The client got a normal, complete, unaltered answer (lag rewriting aside). */
	clean: boolean;
	/** The answer was rewritten to show the state before a committed write. */
	lagged: boolean;
	conflictBody?: 'empty' | 'foreign';
	/** The request followed one of the proxy's same-origin redirects. */
	hop: boolean;
}

export interface SecondOriginRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
}

export interface FaultProxy {
	baseUrl: string;
	secondOrigin: string;
	records: ProxyRecord[];
	secondOriginRequests: SecondOriginRequest[];
	/** Change the fault mix between runs; the lag state is forgotten (a re-run comes long after). */
	configure(options: Partial<FaultProxyOptions>): void;
	faultCounts(): Record<string, number>;
	close(): Promise<void>;
}

interface Upstream {
	status: number;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

function classify(
	method: string,
	path: string,
): { operation: MoneyOperation | 'other'; invoiceId?: string } {
	const process = /^\/api\/payout-invoices\/([^/]+)\/process$/.exec(path);
	if (method === 'POST' && process)
		return { operation: 'process', invoiceId: decodeURIComponent(process[1]) };
	if (method === 'POST' && path === '/api/payout-invoices') return { operation: 'create' };
	const get = /^\/api\/payout-invoices\/([^/]+)$/.exec(path);
	if (method === 'GET' && get) return { operation: 'get', invoiceId: decodeURIComponent(get[1]) };
	if (method === 'GET' && path === '/api/payout-invoices') return { operation: 'list' };
	return { operation: 'other' };
}

const GARBAGE = [
	'',
	'<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>',
	'{"data":{"type":"payout-invoice","id":"cpoi_',
	'{"ok":true}',
	'null',
	'[]',
	// Valid JSON, but another payout's answer (a cache or a gateway mixing up responses).
	'{"data":{"type":"payout-invoice","id":"cpoi_someone_else","attributes":{"reference_id":"someone-else","status":"processed","amount":1,"currency":"USD"}}}',
];

function send(
	res: ServerResponse,
	status: number,
	body: string,
	headers: Record<string, string> = {},
): void {
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(body),
		...headers,
	});
	res.end(body);
}

export async function startFaultProxy(
	target: string,
	initial: Partial<FaultProxyOptions> = {},
): Promise<FaultProxy> {
	const upstreamUrl = new URL(target);
	let options: FaultProxyOptions = {
		seed: 1,
		rate: 0.25,
		lagReads: 3,
		lagMs: 0,
		conflictBodyRate: 0.5,
		trickleMs: 1500,
		...initial,
	};
	let random = createRandom(options.seed);
	const records: ProxyRecord[] = [];
	const secondOriginRequests: SecondOriginRequest[] = [];
	/** Reads left that must not see the invoice created for this reference / the processing of this invoice. */
	let createLag = new Map<string, number>();
	let processLag = new Map<string, number>();
	/** Until when reads must not see the invoice created for this reference / the processing of this invoice. */
	let createLagUntil = new Map<string, number>();
	let processLagUntil = new Map<string, number>();
	let seq = 0;

	const second = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
		req.on('end', () => {
			secondOriginRequests.push({
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				body,
			});
			send(
				res,
				200,
				JSON.stringify({ data: { id: 'cpoi_foreign', attributes: { status: 'processed' } } }),
			);
		});
	});
	await new Promise<void>((resolve) => second.listen(0, '127.0.0.1', resolve));
	const secondOrigin = `http://127.0.0.1:${(second.address() as AddressInfo).port}`;

	function forward(req: IncomingMessage, body: Buffer): Promise<Upstream | undefined> {
		return new Promise((resolve) => {
			const outgoing = httpRequest(
				{
					hostname: upstreamUrl.hostname,
					port: upstreamUrl.port,
					method: req.method,
					path: req.url,
					headers: { ...req.headers, host: upstreamUrl.host },
				},
				(answer) => {
					const chunks: Buffer[] = [];
					answer.on('data', (chunk: Buffer) => chunks.push(chunk));
					answer.on('end', () =>
						resolve({
							status: answer.statusCode ?? 502,
							headers: answer.headers,
							body: Buffer.concat(chunks),
						}),
					);
					answer.on('error', () => resolve(undefined));
				},
			);
			outgoing.on('error', () => resolve(undefined));
			outgoing.end(body);
		});
	}

	/** Rewrites a read so that it shows the state before a write committed less than `lagReads` reads ago. */
	function applyLag(
		record: ProxyRecord,
		upstream: Upstream,
		referenceId: string | undefined,
	): Upstream {
		if (upstream.status !== 200) return upstream;
		let json: { data?: unknown };
		try {
			json = JSON.parse(upstream.body.toString('utf8')) as { data?: unknown };
		} catch {
			return upstream;
		}
		const stillCreated = (resource: { id?: string; attributes?: { status?: string } }) => {
			const left = processLag.get(String(resource.id)) ?? 0;
			const inTime = (processLagUntil.get(String(resource.id)) ?? 0) > Date.now();
			if ((left <= 0 && !inTime) || !resource.attributes) return resource;
			if (left > 0) processLag.set(String(resource.id), left - 1);
			record.lagged = true;
			return { ...resource, attributes: { ...resource.attributes, status: 'created' } };
		};
		if (Array.isArray(json.data)) {
			const createLeft = referenceId ? (createLag.get(referenceId) ?? 0) : 0;
			const inTime = referenceId ? (createLagUntil.get(referenceId) ?? 0) > Date.now() : false;
			if (createLeft > 0 || inTime) {
				if (createLeft > 0) createLag.set(referenceId!, createLeft - 1);
				record.lagged = true;
				json.data = [];
			} else json.data = (json.data as Array<{ id?: string }>).map(stillCreated);
		} else if (json.data && typeof json.data === 'object') {
			json.data = stillCreated(json.data as { id?: string });
		}
		return { ...upstream, body: Buffer.from(JSON.stringify(json)) };
	}

	function noteCommit(
		operation: MoneyOperation,
		upstream: Upstream | undefined,
		referenceId?: string,
		invoiceId?: string,
	): void {
		if (!upstream || upstream.status < 200 || upstream.status >= 300) return;
		if (options.lagMs > 0) {
			const until = Date.now() + options.lagMs;
			if (operation === 'create' && referenceId) createLagUntil.set(referenceId, until);
			if (operation === 'process' && invoiceId) processLagUntil.set(invoiceId, until);
		}
		if (options.lagReads <= 0) return;
		if (operation === 'create' && referenceId) createLag.set(referenceId, options.lagReads);
		if (operation === 'process' && invoiceId) processLag.set(invoiceId, options.lagReads);
	}

	function answer(res: ServerResponse, upstream: Upstream): void {
		const headers = { ...upstream.headers };
		delete headers['content-length'];
		delete headers['transfer-encoding'];
		res.writeHead(upstream.status, { ...headers, 'content-length': upstream.body.length });
		res.end(upstream.body);
	}

	async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://proxy.invalid');
		const { operation, invoiceId } = classify(req.method ?? 'GET', url.pathname);
		let referenceId: string | undefined;
		if (operation === 'create') {
			try {
				referenceId = (
					JSON.parse(body.toString('utf8')) as { data?: { attributes?: { reference_id?: string } } }
				).data?.attributes?.reference_id;
			} catch {
				referenceId = undefined;
			}
		} else if (operation === 'list')
			referenceId = url.searchParams.get('filter[reference_id]') ?? undefined;
		const record: ProxyRecord = {
			seq: ++seq,
			at: Date.now(),
			operation,
			method: req.method ?? 'GET',
			path: url.pathname,
			referenceId,
			invoiceId,
			forwarded: false,
			clean: true,
			lagged: false,
			hop: url.searchParams.has('_hop'),
		};
		records.push(record);

		const isWrite = operation === 'create' || operation === 'process';
		const hop = record.hop;
		let fault: ProxyFault | undefined;
		const targeted =
			operation !== 'other' && (!options.operations || options.operations.includes(operation));
		const forced = !hop && targeted ? options.force?.(record) : undefined;
		if (forced) fault = forced;
		else if (targeted && !hop && random() < options.rate) {
			const fitting = isWrite
				? WRITE_FAULTS
				: operation === 'list'
					? [...READ_FAULTS, 'not_a_list' as const]
					: READ_FAULTS;
			const kinds = options.kinds
				? fitting.filter((kind) => options.kinds!.includes(kind))
				: fitting;
			if (kinds.length) fault = kinds[Math.floor(random() * kinds.length)];
		}
		record.fault = fault;
		if (fault) record.clean = false;

		// Faults answered without passing the request on: nothing reaches the platform.
		switch (fault) {
			case 'garbled_before':
			case 'non_json_200':
				return send(
					res,
					200,
					GARBAGE[Math.floor(random() * GARBAGE.length)],
					random() < 0.5 ? { 'content-type': 'text/html' } : {},
				);
			case 'redirect_foreign':
				return send(res, isWrite ? 307 : 302, '', { location: `${secondOrigin}${req.url ?? '/'}` });
			case 'redirect_same_origin':
				url.searchParams.set('_hop', '1');
				record.clean = true; // the node is expected to follow it
				return send(res, 302, '', { location: `${url.pathname}${url.search}` });
			case 'echo_headers': {
				const echoed = Object.entries(req.headers)
					.map(([name, value]) => `${name}: ${String(value)}`)
					.join('\n');
				return send(
					res,
					502,
					`<html><body><h1>Bad gateway</h1><pre>${echoed}</pre></body></html>`,
					{ 'content-type': 'text/html' },
				);
			}
			case 'too_many_no_retry_after':
				return send(res, 429, '');
			case 'too_many_http_date':
				return send(res, 429, '{"errors":[{"status":"Too Many Requests"}]}', {
					'retry-after': new Date(Date.now() + 1000).toUTCString(),
				});
			case 'not_a_list':
				return send(res, 200, random() < 0.5 ? '{"data":{}}' : '{"data":null,"meta":{}}');
		}

		let upstream = await forward(req, body);
		record.forwarded = true;
		record.upstreamStatus = upstream?.status;
		if (!upstream) return void res.destroy();
		if (isWrite) noteCommit(operation, upstream, referenceId, invoiceId);
		if (!isWrite && operation !== 'other') upstream = applyLag(record, upstream, referenceId);

		if (upstream.status === 409 && random() < options.conflictBodyRate) {
			record.conflictBody = random() < 0.5 ? 'empty' : 'foreign';
			return send(
				res,
				409,
				record.conflictBody === 'empty' ? '' : '<html><body>409 Conflict (cache)</body></html>',
				{ 'content-type': 'text/html' },
			);
		}

		switch (fault) {
			case 'garbled_after':
				return send(res, upstream.status, GARBAGE[Math.floor(random() * GARBAGE.length)]);
			case 'reset_after':
				return void res.socket?.destroy();
			case 'error500_after':
				return send(res, 500, '{"errors":[{"status":"Internal Server Error"}]}');
			case 'cut_midway':
				res.writeHead(upstream.status, {
					'content-type': 'application/json',
					'content-length': upstream.body.length,
				});
				res.write(upstream.body.subarray(0, Math.floor(upstream.body.length / 2)));
				return void setTimeout(() => res.socket?.destroy(), 20);
			case 'trickle': {
				res.writeHead(upstream.status, {
					'content-type': 'application/json',
					'content-length': upstream.body.length,
				});
				const pieces = 6;
				const size = Math.ceil(upstream.body.length / pieces);
				const full = upstream.body;
				let piece = 0;
				const drip = () => {
					if (res.destroyed) return;
					res.write(full.subarray(piece * size, (piece + 1) * size));
					piece++;
					if (piece < pieces) setTimeout(drip, options.trickleMs / (pieces - 1));
					else res.end();
				};
				return drip();
			}
		}
		answer(res, upstream);
	}

	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			handle(req, res, Buffer.concat(chunks)).catch(() => res.destroy());
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	const closeServer = (target: ReturnType<typeof createServer>) =>
		new Promise<void>((resolve) => {
			target.closeAllConnections();
			target.close(() => resolve());
		});
	return {
		baseUrl,
		secondOrigin,
		records,
		secondOriginRequests,
		configure(partial) {
			options = { ...options, ...partial };
			if (partial.seed !== undefined) random = createRandom(partial.seed);
			createLag = new Map();
			processLag = new Map();
			createLagUntil = new Map();
			processLagUntil = new Map();
		},
		faultCounts() {
			const counts: Record<string, number> = {};
			for (const record of records) {
				if (record.fault) {
					const key = `${record.operation} ${record.fault}`;
					counts[key] = (counts[key] ?? 0) + 1;
				}
			}
			return counts;
		},
		close: async () => {
			await closeServer(server);
			await closeServer(second);
		},
	};
}
