/**
 * A tiny HTTP proxy between the node and the sandbox that records every request (method, path, query, status).
 *
 * The sandbox ledger records only create and process calls; tests that must see the GETs a node makes (how many
 * pages it asked for, with which page size) point the credential's Base URL at this proxy instead. Optionally it
 * caps `page[size]`, standing in for a server whose largest page is smaller than what the client asks for, and it
 * can answer some requests itself instead of passing them on (a 404 to a write, say): the sandbox never sees those.
 */
import { createServer, request as httpRequest } from 'http';
import type { AddressInfo } from 'net';

export interface RecordedRequest {
	method: string;
	/** Path without the query, e.g. `/api/payout-services`. */
	path: string;
	/** Decoded query parameters as the upstream server received them (after any page-size cap). */
	query: Record<string, string>;
	/** Whether the request carried an Authorization header (the Private API's Basic auth). */
	authorization: boolean;
	/** The request body as text ('' when none). */
	body: string;
	/** Status the upstream server answered. */
	status?: number;
}

export interface RecordingProxy {
	baseUrl: string;
	requests: RecordedRequest[];
	/** Recorded requests for one method and path. */
	requestsTo(method: string, path: string): RecordedRequest[];
	/** From now on, requests `answer` returns a reply for get that reply from the proxy and never reach the upstream. */
	answerItself(answer: ((request: RecordedRequest) => ProxyReply | undefined) | undefined): void;
	clear(): void;
	close(): Promise<void>;
}

/** An answer the proxy gives itself: status and a JSON body. */
export interface ProxyReply {
	status: number;
	body: unknown;
}

export interface RecordingProxyOptions {
	/** Largest `page[size]` passed on; bigger ones are lowered to it (the node's request is rewritten). */
	maxPageSize?: number;
}

export async function startRecordingProxy(
	target: string,
	options: RecordingProxyOptions = {},
): Promise<RecordingProxy> {
	const upstream = new URL(target);
	const requests: RecordedRequest[] = [];
	let answerItself: ((request: RecordedRequest) => ProxyReply | undefined) | undefined;
	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://proxy.invalid');
		if (options.maxPageSize !== undefined) {
			const size = Number(url.searchParams.get('page[size]'));
			if (size > options.maxPageSize)
				url.searchParams.set('page[size]', String(options.maxPageSize));
		}
		const record: RecordedRequest = {
			method: req.method ?? 'GET',
			path: url.pathname,
			query: Object.fromEntries(url.searchParams.entries()),
			authorization: req.headers.authorization !== undefined,
			body: '',
		};
		req.on('data', (chunk: Buffer) => {
			record.body += chunk.toString('utf8');
		});
		requests.push(record);
		const reply = answerItself?.(record);
		if (reply) {
			req.on('end', () => {
				record.status = reply.status;
				res.writeHead(reply.status, { 'Content-Type': 'application/vnd.api+json' });
				res.end(JSON.stringify(reply.body));
			});
			return;
		}
		const forward = httpRequest(
			{
				hostname: upstream.hostname,
				port: upstream.port,
				method: req.method,
				path: `${url.pathname}${url.search}`,
				headers: { ...req.headers, host: upstream.host },
			},
			(answer) => {
				record.status = answer.statusCode;
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		forward.on('error', () => res.destroy());
		req.pipe(forward);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}`,
		requests,
		requestsTo: (method, path) =>
			requests.filter((entry) => entry.method === method && entry.path === path),
		answerItself: (answer) => {
			answerItself = answer;
		},
		clear: () => {
			requests.length = 0;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
