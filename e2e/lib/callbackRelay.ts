/**
 * What stands between the platform and several n8n webhook processes in production, played on loopback:
 *
 *   POST /callback   the load balancer: each callback the sandbox sends goes, bytes and X-Signature
 *                    untouched, to the next webhook process in turn; the sandbox gets that process's answer.
 *                    Every delivery is recorded, so the suite can send the same signed bytes again (repeats
 *                    to the other processes, out of order).
 *   POST /sink       where the suite's copy of the callback workflow reports each item that got past
 *                    "Drop repeated callbacks" (invoice, status, update time, the process that ran it).
 *   POST /lb/<path>  the load balancer in front of the webhook processes for "Pay a chunk": each request goes to
 *                    `<next webhook process>/webhook/<path>` in turn; every answer (status, body, which process
 *                    took it) is recorded in `chunks`, so the suite sees what the parent saw.
 */
import http from 'node:http';

import { CHUNK_CALLER } from './callerAuth';
import { freePort } from './processes';

export interface RelayedCallback {
	body: string;
	signature: string;
	invoiceId: string;
	invoiceStatus: string;
	updated: number | null;
	target: string;
	httpStatus: number | null;
}

export interface ChunkCall {
	target: string;
	status: number | null;
	/** The answer, parsed when it is JSON. */
	body: unknown;
	ms: number;
}

export interface SinkRecord {
	invoiceId: string;
	status: string;
	updatedAt: string | null;
	process: string;
	executionId: string;
	/** The names of the fields the item carried: says what an item that is not an invoice status was. */
	fields?: string;
	/** Remove Duplicates' error when it failed and let the callback through (On Error → Continue), else null. */
	dedupError?: string | null;
}

function describe(body: string): {
	invoiceId: string;
	invoiceStatus: string;
	updated: number | null;
} {
	try {
		const data = (
			JSON.parse(body) as {
				data?: { id?: string; attributes?: { status?: string; updated?: number } };
			}
		).data;
		return {
			invoiceId: String(data?.id ?? ''),
			invoiceStatus: String(data?.attributes?.status ?? ''),
			updated: data?.attributes?.updated ?? null,
		};
	} catch {
		return { invoiceId: '', invoiceStatus: '', updated: null };
	}
}

export async function forward(
	url: string,
	body: string,
	signature: string,
	opts: { timeoutMs?: number; wholeAnswer?: boolean; headers?: Record<string, string> } = {},
): Promise<{ status: number | null; text: string }> {
	try {
		const res = await fetch(url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				...(signature ? { 'x-signature': signature } : {}),
				...opts.headers,
			},
			body,
			signal: AbortSignal.timeout(opts.timeoutMs ?? 20_000),
		});
		const text = await res.text();
		return { status: res.status, text: opts.wholeAnswer ? text : text.slice(0, 300) };
	} catch (error) {
		return { status: null, text: (error as Error).message };
	}
}

export class CallbackRelay {
	readonly relayed: RelayedCallback[] = [];
	readonly sink: SinkRecord[] = [];
	readonly chunks: ChunkCall[] = [];
	private next = 0;
	private nextChunk = 0;

	private constructor(
		private readonly server: http.Server,
		readonly baseUrl: string,
		private readonly targets: string[],
		private readonly webhookBases: string[],
	) {}

	/** The load balancer's URL for a webhook path: `<relay>/lb/<path>`. */
	balancerUrl(webhookPath: string): string {
		return `${this.baseUrl}/lb/${webhookPath}`;
	}

	get callbackUrl(): string {
		return `${this.baseUrl}/callback`;
	}

	get sinkUrl(): string {
		return `${this.baseUrl}/sink`;
	}

	/**
	 * `targets`: the callback URLs (one per webhook process) for /callback; `webhookBases`: the processes' base URLs
	 * for /lb/<path>.
	 */
	static async start(targets: string[], webhookBases: string[] = []): Promise<CallbackRelay> {
		const port = await freePort();
		let relay: CallbackRelay | undefined;
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				void relay!.handle(req, Buffer.concat(chunks).toString('utf8')).then(({ status, text }) => {
					res.writeHead(status, { 'content-type': 'application/json' });
					res.end(text);
				});
			});
		});
		await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
		relay = new CallbackRelay(server, `http://127.0.0.1:${port}`, targets, webhookBases);
		return relay;
	}

	private async handle(
		req: http.IncomingMessage,
		body: string,
	): Promise<{ status: number; text: string }> {
		if (req.method === 'POST' && req.url?.startsWith('/lb/') && this.webhookBases.length) {
			const target = `${this.webhookBases[this.nextChunk++ % this.webhookBases.length]}/webhook/${req.url.slice('/lb/'.length)}`;
			const t0 = Date.now();
			// A chunk waits in the queue for a free worker, then pays its rows: as long as the parent waits.
			// The parent's caller header goes through, as a load balancer passes it.
			const secret = req.headers[CHUNK_CALLER.data.name.toLowerCase()];
			const answer = await forward(target, body, '', {
				timeoutMs: 900_000,
				wholeAnswer: true,
				headers: typeof secret === 'string' ? { [CHUNK_CALLER.data.name]: secret } : {},
			});
			let parsed: unknown = answer.text;
			try {
				parsed = JSON.parse(answer.text);
			} catch {
				// not JSON: keep the text
			}
			this.chunks.push({ target, status: answer.status, body: parsed, ms: Date.now() - t0 });
			return { status: answer.status ?? 502, text: answer.text };
		}
		if (req.method === 'POST' && req.url === '/sink') {
			try {
				this.sink.push(JSON.parse(body) as SinkRecord);
				return { status: 200, text: '{"ok":true}' };
			} catch {
				return { status: 400, text: '{"ok":false}' };
			}
		}
		if (req.method === 'POST' && req.url === '/callback') {
			const target = this.targets[this.next++ % this.targets.length];
			const signature = String(req.headers['x-signature'] ?? '');
			const answer = await forward(target, body, signature);
			this.relayed.push({ body, signature, ...describe(body), target, httpStatus: answer.status });
			return { status: answer.status ?? 502, text: answer.text };
		}
		return { status: 404, text: '{}' };
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}
