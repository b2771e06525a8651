/**
 * Finding the Private API (issue 11) under the answer rules of issue 12: the look-up is a read like any other.
 * A redirect is never followed by it (not to another origin, where the credentials would go, nor to its own, where
 * the path confirmed would not be the one that answered), and a garbled answer is retried, never "found" and never
 * "nothing here". Outcomes are checked on the sandbox's ledger and on what each server received.
 */
import { createServer, type Server } from 'http';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { forgetPrivateApiPaths } from '../../nodes/PaymentsTrust/transport/privateApiPath';
import { expectEveryInvoiceModeExplicit } from '../support/explicitMode';
import { closeServer, listen, startFront, type Front, type Intercept } from '../support/frontProxy';
import { payoutParameters } from '../support/payoutWorkflow';
import { runNode } from '../support/runNode';

const row = (reference: string) => ({ reference_id: reference, amount: '2.00', account: '12345' });

describe('the Private API look-up follows the answer rules of every read', () => {
	let rootSandbox: RunningSandbox;
	let apiSandbox: RunningSandbox;
	let elsewhere: Server;
	let elsewhereUrl: string;
	const elsewhereRequests: { path: string; authorization: boolean }[] = [];
	const fronts: Front[] = [];

	beforeAll(async () => {
		rootSandbox = await startSandbox({ port: 0, processDelayMs: 20, privateApiPath: '' });
		apiSandbox = await startSandbox({ port: 0, processDelayMs: 20, privateApiPath: '/api' });
		// Another origin that answers like the Private API and records every request it gets.
		elsewhere = createServer((req, res) => {
			elsewhereRequests.push({
				path: req.url ?? '',
				authorization: req.headers.authorization !== undefined,
			});
			res.writeHead(200, { 'content-type': 'application/vnd.api+json' });
			res.end(JSON.stringify({ data: [] }));
		});
		elsewhereUrl = await listen(elsewhere);
	});
	afterAll(async () => {
		await closeServer(elsewhere);
		await rootSandbox.close();
		await apiSandbox.close();
	});
	beforeEach(() => {
		rootSandbox.reset();
		apiSandbox.reset();
		elsewhereRequests.length = 0;
		forgetPrivateApiPaths();
	});
	afterEach(async () => {
		expectEveryInvoiceModeExplicit(rootSandbox, true);
		expectEveryInvoiceModeExplicit(apiSandbox, true);
		while (fronts.length) await fronts.pop()!.close();
	});

	async function frontFor(sandbox: RunningSandbox, intercept: Intercept): Promise<Front> {
		const front = await startFront(sandbox.baseUrl);
		front.intercept = intercept;
		fronts.push(front);
		return front;
	}

	it('a look-up redirected to another origin sends it nothing (no credentials), confirms nothing there, and the payout goes to the path that answered', async () => {
		const front = await frontFor(rootSandbox, (res, path) => {
			if (path !== '/api/payout-services') return false;
			res.writeHead(302, { location: `${elsewhereUrl}/api/payout-services` });
			res.end();
			return true;
		});
		const run = await runNode(
			{ ...rootSandbox.credentials, baseUrl: front.baseUrl },
			payoutParameters('create'),
			[row('redir-1')],
		);
		expect(elsewhereRequests).toEqual([]);
		expect(run.json()[0]).toMatchObject({ referenceId: 'redir-1', status: 'created' });
		expect(front.forwarded).toContain('POST /payout-invoices');
		expect(
			rootSandbox
				.ledger()
				.invoices.map((invoice) => [invoice.referenceId, invoice.createsCommitted]),
		).toEqual([['redir-1', 1]]);
	});

	it('a look-up redirected within its own origin is not followed: the path confirmed is the one that answered itself', async () => {
		// /api/payout-services redirects to the root's; following it would confirm /api and send every write there.
		const front = await frontFor(rootSandbox, (res, path) => {
			if (path !== '/api/payout-services') return false;
			res.writeHead(301, { location: '/payout-services?page%5Bnumber%5D=1&page%5Bsize%5D=1' });
			res.end();
			return true;
		});
		const run = await runNode(
			{ ...rootSandbox.credentials, baseUrl: front.baseUrl },
			payoutParameters('create'),
			[row('same-1')],
		);
		expect(run.json()[0]).toMatchObject({ referenceId: 'same-1', status: 'created' });
		expect(
			front.forwarded.filter(
				(request) => request.startsWith('POST ') && !request.includes('/public-api'),
			),
		).toEqual(['POST /payout-invoices']);
		expect(
			rootSandbox
				.ledger()
				.invoices.map((invoice) => [invoice.referenceId, invoice.createsCommitted]),
		).toEqual([['same-1', 1]]);
	});

	it('a garbled look-up answer is asked again, never taken as "not here" (which would move on to the wrong path)', async () => {
		let garbled = 0;
		const front = await frontFor(apiSandbox, (res, path) => {
			if (path !== '/api/payout-services' || garbled >= 1) return false;
			garbled++;
			res.writeHead(200, { 'content-type': 'application/vnd.api+json' });
			res.end('{"data": [{"type": "payout-ser');
			return true;
		});
		const run = await runNode(
			{ ...apiSandbox.credentials, baseUrl: front.baseUrl },
			payoutParameters('create'),
			[row('garbled-1')],
		);
		expect(run.json()[0]).toMatchObject({ referenceId: 'garbled-1', status: 'created' });
		expect(front.forwarded).not.toContain('GET /payout-services');
		expect(
			front.forwarded.filter(
				(request) => request.startsWith('POST ') && !request.includes('/public-api'),
			),
		).toEqual(['POST /api/payout-invoices']);
		expect(
			apiSandbox
				.ledger()
				.invoices.map((invoice) => [invoice.referenceId, invoice.createsCommitted]),
		).toEqual([['garbled-1', 1]]);
	});

	it('an HTML page where the API should be is not the API: the look-up goes on to the other path', async () => {
		const front = await frontFor(rootSandbox, (res, path) => {
			if (!path.startsWith('/api/')) return false;
			res.writeHead(200, { 'content-type': 'text/html' });
			res.end('<!doctype html><html><body>Welcome</body></html>');
			return true;
		});
		const run = await runNode(
			{ ...rootSandbox.credentials, baseUrl: front.baseUrl },
			payoutParameters('create'),
			[row('html-1')],
		);
		expect(run.json()[0]).toMatchObject({ referenceId: 'html-1', status: 'created' });
		expect(
			rootSandbox
				.ledger()
				.invoices.map((invoice) => [invoice.referenceId, invoice.createsCommitted]),
		).toEqual([['html-1', 1]]);
	});
});
