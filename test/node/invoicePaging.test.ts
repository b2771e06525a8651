/**
 * Get Many → Return All against list APIs that misbehave, and against the sandbox's cursors as the reference's
 * sample has them (`meta.after` = the FIRST, newest item of a page; `links.next`/`prev` empty strings at the end).
 * The node follows `links.next`; it never loops on a page that does not advance and never stops on a full page
 * without saying so.
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { failureText, runNode } from '../support/runNode';

const RETURN_ALL = { resource: 'payoutInvoice', operation: 'getMany', returnAll: true };

function invoice(id: string) {
	return {
		type: 'payout-invoices',
		id,
		attributes: { status: 'processed', reference_id: `ref-${id}`, test_mode: true },
	};
}

/** A list API whose answer per request is chosen by the test; it counts the requests it got. */
let answer: (url: URL) => object;
let requests: string[] = [];
let server: Server;
let credentials: Record<string, string>;
beforeAll(async () => {
	server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://list.invalid');
		requests.push(`${url.pathname}${url.search}`);
		res.setHeader('Content-Type', 'application/json');
		res.end(JSON.stringify(answer(url)));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	credentials = {
		environment: 'test',
		baseUrl,
		privateApiPath: '/api',
		publicApiPath: '/public-api',
		accountId: 'coma_x',
		apiKey: 'k',
	};
});
afterAll(async () => await new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
	requests = [];
});

const fullPage = (prefix: string) =>
	Array.from({ length: 100 }, (_, index) => invoice(`${prefix}${index}`));

it('a next link that serves the same page again: stops after the second request with an error, no loop', async () => {
	answer = () => ({
		meta: { count: 100, size: 100 },
		links: { prev: '', next: '/api/payout-invoices?page[size]=100&page[after]=a0' },
		data: fullPage('a'),
	});
	const run = await runNode(credentials, RETURN_ALL);
	expect(run.result.status).toBe('error');
	expect(failureText(run.result)).toMatch(
		/The invoice list stopped at page 2: the API sent the same invoices again \(its cursor did not advance\)\. 100 invoices read so far; the list may be incomplete\./,
	);
	expect(requests).toHaveLength(2);
});

it('a full page without any next link: an error says the list may be incomplete, rather than a silent stop', async () => {
	answer = () => ({
		meta: { count: 100, size: 100, after: 'b0', before: 'b99' },
		data: fullPage('b'),
	});
	const run = await runNode(credentials, RETURN_ALL);
	expect(run.result.status).toBe('error');
	expect(failureText(run.result)).toMatch(
		/stopped at page 1: the page was full \(100 invoices\) but the API gave no link to the next one\. 100 invoices read so far/,
	);
	// meta.after is the FIRST item of the page in the reference's sample: no cursor is built from it by hand.
	expect(requests).toHaveLength(1);
});

it('an empty next link on a full page is the API saying "last page": all invoices, no error', async () => {
	answer = () => ({
		meta: { count: 100, size: 100 },
		links: { prev: '', next: '' },
		data: fullPage('c'),
	});
	const run = await runNode(credentials, RETURN_ALL);
	expect(run.json()).toHaveLength(100);
	expect(requests).toHaveLength(1);
});

it('a page that repeats some invoices keeps each once and goes on while it brings new ones', async () => {
	answer = (url) =>
		url.searchParams.get('page[after]') === null
			? {
					links: { next: '/api/payout-invoices?page[size]=100&page[after]=d99' },
					data: fullPage('d'),
				}
			: { links: { next: '' }, data: [invoice('d99'), invoice('e1'), invoice('e2')] };
	const run = await runNode(credentials, RETURN_ALL);
	const ids = run.json().map((item) => item.id);
	expect(ids).toHaveLength(102);
	expect(new Set(ids).size).toBe(102);
});

it.each([
	['a 200 without "data"', {}],
	['"data" that is one object, not a list', { data: invoice('g1') }],
	['a list of things that are not invoices', { data: ['g1', 'g2'] }],
])(
	'a second page that is %s: an error, never a short list presented as the whole one',
	async (_what, garbled) => {
		answer = (url) =>
			url.searchParams.get('page[after]') === null
				? {
						links: { next: '/api/payout-invoices?page[size]=100&page[after]=f99' },
						data: fullPage('f'),
					}
				: garbled;
		const run = await runNode(credentials, RETURN_ALL);
		expect(run.result.status).toBe('error');
		expect(failureText(run.result)).toMatch(/page 2/);
		expect(failureText(run.result)).toMatch(/could not be read/);
		// Retried as an unreadable answer before giving up, never taken as "no more invoices".
		expect(requests.length).toBeGreaterThan(2);
	},
);

it('a service list page that is not a list: Payout Service → Get Many fails, it does not say "no services"', async () => {
	answer = () => ({ meta: { pages: 1 } });
	const run = await runNode(credentials, {
		resource: 'payoutService',
		operation: 'getMany',
		returnAll: true,
	});
	expect(run.result.status).toBe('error');
	expect(failureText(run.result)).toMatch(/could not be read/);
});

it.each([
	['{}', {}],
	[
		'another service',
		{ data: { type: 'payout-services', id: 'comcpos_other', attributes: { service: 'other' } } },
	],
])(
	'Payout Service → Get by ID answered 200 with %s: a failed read, never an empty or wrong service',
	async (_what, body) => {
		answer = () => body;
		const run = await runNode(credentials, {
			resource: 'payoutService',
			operation: 'get',
			serviceId: { __rl: true, mode: 'id', value: 'comcpos_wanted' },
		});
		expect(run.result.status).toBe('error');
		expect(failureText(run.result)).toMatch(/could not be read/);
	},
);

describe('the sandbox’s cursors, as in the reference sample', () => {
	let sandbox: RunningSandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0 });
		sandbox.seedInvoices(250);
	});
	afterAll(async () => sandbox.close());

	it('Return All gets all 250 once (three pages; the last one’s links are empty strings)', async () => {
		const run = await runNode(sandbox.credentials, RETURN_ALL);
		const ids = run.json().map((item) => item.id);
		expect(ids).toHaveLength(250);
		expect(new Set(ids).size).toBe(250);
		expect(ids).toEqual(
			sandbox
				.ledger()
				.invoices.map((entry) => entry.id)
				.reverse(),
		);
	});
});
