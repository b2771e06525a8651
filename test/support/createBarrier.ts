/**
 * A pass-through proxy in front of the sandbox that holds every invoice create until `count` of them have
 * arrived, then lets them through together: executions "at the same instant" made exact. Every one of them has
 * made all its checks before any create reaches the platform, so no test depends on how two runs happen to
 * interleave. A create waits at most `maxHoldMs` (then it goes on, and the test's own checks fail if the race
 * it wanted did not happen).
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'http';
import type { AddressInfo } from 'net';

export interface CreateBarrier {
	baseUrl: string;
	/** Hold the next `count` creates until all of them have arrived. */
	arm(count: number): void;
	close(): Promise<void>;
}

export async function startCreateBarrier(
	target: string,
	maxHoldMs = 10_000,
): Promise<CreateBarrier> {
	const upstream = new URL(target);
	let expected = 0;
	let waiting: Array<() => void> = [];
	const releaseAll = () => {
		const ready = waiting;
		waiting = [];
		expected = 0;
		for (const release of ready) release();
	};
	const held = async (req: IncomingMessage): Promise<void> => {
		const isCreate =
			req.method === 'POST' &&
			new URL(req.url ?? '/', 'http://x').pathname === '/api/payout-invoices';
		if (!isCreate || expected === 0) return;
		await new Promise<void>((resolve) => {
			waiting.push(resolve);
			if (waiting.length >= expected) releaseAll();
			else setTimeout(releaseAll, maxHoldMs).unref();
		});
	};
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			void held(req).then(() => {
				const outgoing = httpRequest(
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
				outgoing.on('error', () => res.destroy());
				outgoing.end(Buffer.concat(chunks));
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		arm: (count) => {
			expected = count;
		},
		close: async () =>
			await new Promise<void>((resolve) => {
				releaseAll();
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
