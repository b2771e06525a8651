/**
 * A front for the sandbox (plain Node http) that passes requests through and records them, unless the test's
 * `intercept` answers one itself: a redirect, a garbled body, another invoice. Used where a test needs one
 * exact answer at one exact moment, which the seeded fault proxy (faultProxy.ts) does not promise.
 */
import { createServer, request as httpRequest, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

/** Answers a request itself (returns true) or lets it through to the sandbox (false). */
export type Intercept = (res: ServerResponse, path: string, method: string) => boolean;

export interface Front {
	baseUrl: string;
	/** Requests that reached the sandbox, as `METHOD path`. */
	forwarded: string[];
	/** Decides the answer to a request itself (true) or lets it through to the sandbox (false). */
	intercept: Intercept;
	/** Holds a request back until the promise it returns settles (undefined: pass it at once). */
	hold: (path: string, method: string) => Promise<void> | undefined;
	close(): Promise<void>;
}

export async function listen(server: Server): Promise<string> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: Server): Promise<void> {
	return new Promise((resolve) => {
		server.closeAllConnections();
		server.close(() => resolve());
	});
}

/** A front for the sandbox that can answer any request itself. */
export async function startFront(target: string): Promise<Front> {
	const upstream = new URL(target);
	const front: Front = {
		baseUrl: '',
		forwarded: [],
		intercept: () => false,
		hold: () => undefined,
		close: async () => undefined,
	};
	const server = createServer((req, res) => {
		const path = new URL(req.url ?? '/', 'http://front.invalid').pathname;
		if (front.intercept(res, path, req.method ?? 'GET')) return;
		const pass = () => {
			front.forwarded.push(`${req.method} ${path}`);
			const forward = httpRequest(
				{
					hostname: upstream.hostname,
					port: upstream.port,
					method: req.method,
					path: req.url,
					headers: { ...req.headers, host: upstream.host },
				},
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			forward.on('error', () => res.destroy());
			req.pipe(forward);
		};
		const held = front.hold(path, req.method ?? 'GET');
		if (held) void held.then(pass);
		else pass();
	});
	front.baseUrl = await listen(server);
	front.close = () => closeServer(server);
	return front;
}
