import axios, { AxiosInstance } from 'axios';
import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import type { RunningSandbox } from '../../sandbox';

/** Shared helpers of the sandbox tests (not a test file itself). */

export function basicAuth(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Private API client: Basic auth from the sandbox's credentials, every status resolved (tests check them). */
export function privateClient(
	sb: RunningSandbox,
	auth = basicAuth(sb.credentials.accountId, sb.credentials.apiKey),
): AxiosInstance {
	return axios.create({
		baseURL: sb.privateApiUrl,
		headers: auth ? { Authorization: auth } : {},
		validateStatus: () => true,
	});
}

export function publicClient(sb: RunningSandbox): AxiosInstance {
	return axios.create({ baseURL: sb.publicApiUrl, validateStatus: () => true });
}

export function controlClient(sb: RunningSandbox): AxiosInstance {
	return axios.create({ baseURL: `${sb.baseUrl}/__sandbox`, validateStatus: () => true });
}

let refCounter = 0;
export const uniqueRef = (prefix = 'ref'): string =>
	`${prefix}-${process.pid}-${Date.now()}-${++refCounter}`;

type Attrs = Record<string, unknown>;

/** A valid create body for test_usd; `attrs` override or add attributes (undefined removes one). */
export function testUsdBody(attrs: Attrs = {}): { data: { type: string; attributes: Attrs } } {
	const base: Attrs = {
		reference_id: uniqueRef(),
		service: 'test_usd',
		currency: 'USD',
		amount: 10,
		fields: { account: '1234567890' },
		test_mode: true,
	};
	const merged: Attrs = { ...base, ...attrs };
	for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
	return { data: { type: 'payout-invoice', attributes: merged } };
}

export function cardBody(cardNumber: string, attrs: Attrs = {}) {
	return testUsdBody({
		service: 'payment_card_usd',
		fields: { card_number: cardNumber },
		...attrs,
	});
}

export async function waitFor<T>(
	fn: () => T | undefined | false | Promise<T | undefined | false>,
	timeoutMs = 5000,
	stepMs = 10,
): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, stepMs));
	}
}

export interface ReceivedCallback {
	headers: IncomingHttpHeaders;
	raw: Buffer;
	json: any;
	answeredWith: number;
}

/** A tiny callback receiver: records each POST and answers with the next status of `statuses` (then 200). */
export async function startReceiver(statuses: number[] = []): Promise<{
	url: string;
	received: ReceivedCallback[];
	close(): Promise<void>;
	server: Server;
}> {
	const received: ReceivedCallback[] = [];
	const queue = [...statuses];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			const status = queue.length ? queue.shift()! : 200;
			let json: unknown;
			try {
				json = JSON.parse(raw.toString('utf8'));
			} catch {
				json = undefined;
			}
			received.push({ headers: req.headers, raw, json, answeredWith: status });
			res.statusCode = status;
			res.end(status === 200 ? 'OK' : 'nope');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/callback`,
		received,
		server,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

export const sortedKeys = (o: object): string[] => Object.keys(o).sort();
