/**
 * Payout Invoice → Get (by ID and by reference ID) and Get Many (cursor pages), run as workflows against the sandbox.
 * Invoices are seeded straight into the sandbox store; a recording proxy shows which pages the node asked for.
 */
import type { RecordingProxy } from '../support/recordingProxy';
import { useSandboxBehindProxies } from '../support/sandboxSuite';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

const { sandbox, proxy, smallPages } = useSandboxBehindProxies(40);
/** Seeded invoice ids, newest first (the order the list answers in). */
let newestFirst: string[];

const SEEDED = 250;

beforeAll(() => {
	sandbox.seedInvoices(SEEDED);
	newestFirst = sandbox
		.ledger()
		.invoices.map((invoice) => invoice.id)
		.reverse();
});

const via = (target: RecordingProxy) => ({ ...sandbox.credentials, baseUrl: target.baseUrl });
const getMany = (extra: Record<string, unknown>) => ({
	resource: 'payoutInvoice',
	operation: 'getMany',
	...extra,
});
const listPages = (target: RecordingProxy) => target.requestsTo('GET', '/api/payout-invoices');
const seeded = (n: number) =>
	sandbox.ledger().invoices.find((invoice) => invoice.referenceId === `seed-${n}`)!;

describe('Get Many', () => {
	it('Return All gets every invoice once, newest first, following links.next over three pages of 100', async () => {
		const run = await runNode(via(proxy), getMany({ returnAll: true }));
		const ids = run.json().map((invoice) => invoice.id);
		expect(ids).toHaveLength(SEEDED);
		expect(new Set(ids).size).toBe(SEEDED);
		expect(ids).toEqual(newestFirst);
		const pages = listPages(proxy);
		expect(pages.map((page) => page.query['page[size]'])).toEqual(['100', '100', '100']);
		// The first page has no cursor; the next ones follow the API's links (page[after] = last id of the page before).
		expect(pages.map((page) => page.query['page[after]'])).toEqual([
			undefined,
			newestFirst[99],
			newestFirst[199],
		]);
	});

	it('Return All over a server serving 40 per page walks all 7 pages without duplicates', async () => {
		const run = await runNode(via(smallPages), getMany({ returnAll: true }));
		const ids = run.json().map((invoice) => invoice.id);
		expect(ids).toEqual(newestFirst);
		expect(listPages(smallPages)).toHaveLength(7);
	});

	it('Limit 30 returns exactly the 30 newest, from one page of 30', async () => {
		const run = await runNode(via(proxy), getMany({ returnAll: false, limit: 30 }));
		expect(run.json().map((invoice) => invoice.id)).toEqual(newestFirst.slice(0, 30));
		expect(listPages(proxy).map((page) => page.query['page[size]'])).toEqual(['30']);
	});

	it('Limit 130 takes two pages and cuts the second', async () => {
		const run = await runNode(via(proxy), getMany({ returnAll: false, limit: 130 }));
		expect(run.json().map((invoice) => invoice.id)).toEqual(newestFirst.slice(0, 130));
		expect(listPages(proxy)).toHaveLength(2);
	});

	it('filter by reference ID returns that invoice only', async () => {
		const run = await runNode(
			via(proxy),
			getMany({ returnAll: true, filters: { referenceId: 'seed-7' } }),
		);
		expect(run.json()).toEqual([
			expect.objectContaining({ id: seeded(7).id, referenceId: 'seed-7' }),
		]);
		expect(listPages(proxy)[0].query['filter[reference_id]']).toBe('seed-7');
	});

	it('filter by status returns every invoice in that status and no other', async () => {
		const expected = sandbox
			.ledger()
			.invoices.filter((invoice) => invoice.status === 'process_failed')
			.map((invoice) => invoice.id)
			.reverse();
		expect(expected.length).toBeGreaterThan(0);
		const run = await runNode(
			via(proxy),
			getMany({ returnAll: true, filters: { status: 'process_failed' } }),
		);
		expect(run.json().map((invoice) => invoice.id)).toEqual(expected);
		expect(run.json().every((invoice) => invoice.status === 'process_failed')).toBe(true);
		expect(
			listPages(proxy).every((page) => page.query['filter[status]'] === 'process_failed'),
		).toBe(true);
	});

	it('a filter nothing matches returns no items', async () => {
		const run = await runNode(
			sandbox.credentials,
			getMany({ returnAll: true, filters: { referenceId: 'no-such-reference' } }),
		);
		expect(run.json()).toEqual([]);
	});

	it('a failing list fails the node; with Continue On Fail it is one error item per input item', async () => {
		const wrongKey = { ...sandbox.credentials, apiKey: 'wrong' };
		const off = await runNode(wrongKey, getMany({ returnAll: true }));
		expect(off.result.executionError?.message).toBe(
			'Row 1 (item 0): List payout-invoices (page 1) failed with HTTP 401: Unauthorized',
		);

		const on = await runNode(wrongKey, getMany({ returnAll: true }), [{}, {}], CONTINUE_ON_FAIL);
		expect(on.items().map((item) => [item.json.row, item.json.httpCode, item.pairedItem])).toEqual([
			[1, '401', { item: 0 }],
			[2, '401', { item: 1 }],
		]);
	});

	it('Include Raw Response adds the API resource', async () => {
		const run = await runNode(
			sandbox.credentials,
			getMany({ returnAll: false, limit: 1, options: { includeRaw: true } }),
		);
		expect(run.json()[0].raw).toMatchObject({ type: 'payout-invoices', id: newestFirst[0] });
	});
});

describe('Get', () => {
	it('returns the invoice in the friendly shape, per row, paired with its row', async () => {
		const rows = [{ id: seeded(1).id }, { id: seeded(2).id }];
		const run = await runNode(
			sandbox.credentials,
			{
				resource: 'payoutInvoice',
				operation: 'get',
				invoiceId: '={{ $json.id }}',
				simplify: false,
			},
			rows,
		);
		expect(run.json().map((invoice) => [invoice.id, invoice.referenceId])).toEqual([
			[seeded(1).id, 'seed-1'],
			[seeded(2).id, 'seed-2'],
		]);
		expect(run.json()[0]).toMatchObject({
			status: seeded(1).status,
			service: 'test_usd',
			createdAt: expect.stringMatching(/Z$/),
		});
		expect(run.items().map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('Include Raw Response adds the API resource with its callback logs', async () => {
		const run = await runNode(sandbox.credentials, {
			resource: 'payoutInvoice',
			operation: 'get',
			invoiceId: seeded(3).id,
			options: { includeRaw: true },
		});
		expect(run.json()[0].raw).toMatchObject({
			id: seeded(3).id,
			attributes: { reference_id: 'seed-3', callback_logs: [] },
		});
	});

	it('an unknown ID fails with the 404; with Continue On Fail it is an error item and the other rows go on', async () => {
		const parameters = {
			resource: 'payoutInvoice',
			operation: 'get',
			invoiceId: '={{ $json.id }}',
		};
		const off = await runNode(sandbox.credentials, parameters, [{ id: 'cpoi_unknown' }]);
		expect(off.result.executionError?.message).toBe(
			'Row 1 (item 0): Get payout invoice "cpoi_unknown" failed with HTTP 404: Not Found',
		);
		expect(off.result.executionError?.description).toMatch(/^Not found: check the ID/);

		const on = await runNode(
			sandbox.credentials,
			parameters,
			[{ id: 'cpoi_unknown' }, { id: seeded(4).id }],
			CONTINUE_ON_FAIL,
		);
		const [failed, found] = on.items();
		expect(failed.json).toMatchObject({
			row: 1,
			httpCode: '404',
			stage: 'api',
			error: expect.stringMatching(/HTTP 404/),
		});
		expect(failed.pairedItem).toEqual({ item: 0 });
		expect(found.json.referenceId).toBe('seed-4');
	});

	it('an empty ID is refused without reading the invoice list', async () => {
		const run = await runNode(
			via(proxy),
			{ resource: 'payoutInvoice', operation: 'get', invoiceId: '={{ $json.id }}' },
			[{ id: '  ' }],
		);
		expect(failureText(run.result)).toMatch(/^Row 1 \(item 0\): no payout invoice chosen/);
		expect(proxy.requests).toEqual([]);
	});
});

describe('Get by reference ID (the By Ref ID mode)', () => {
	const byReference = {
		resource: 'payoutInvoice',
		operation: 'get',
		invoiceId: { __rl: true, mode: 'referenceId', value: '={{ $json.ref }}' },
	};

	it('finds the invoice with that reference ID', async () => {
		const run = await runNode(via(proxy), byReference, [{ ref: 'seed-9' }, { ref: 'seed-10' }]);
		expect(run.json().map((invoice) => [invoice.id, invoice.referenceId])).toEqual([
			[seeded(9).id, 'seed-9'],
			[seeded(10).id, 'seed-10'],
		]);
		expect(listPages(proxy).map((page) => page.query['filter[reference_id]'])).toEqual([
			'seed-9',
			'seed-10',
		]);
	});

	it('a reference ID nothing has fails naming the row', async () => {
		const run = await runNode(sandbox.credentials, byReference, [
			{ ref: 'seed-1' },
			{ ref: 'never-created' },
		]);
		expect(run.result.status).toBe('error');
		expect(run.result.executionError?.message).toBe(
			'Row 2 (item 1): no payout invoice has reference ID "never-created"',
		);
		expect(run.result.executionError?.description).toMatch(
			/Nothing was created with this reference ID/,
		);
	});

	it('with Continue On Fail the missing reference is an error item; found ones are output', async () => {
		const run = await runNode(
			sandbox.credentials,
			byReference,
			[{ ref: 'never-created' }, { ref: 'seed-1' }],
			CONTINUE_ON_FAIL,
		);
		const [missing, found] = run.items();
		expect(missing.json).toMatchObject({
			row: 1,
			stage: 'node',
			error: 'Row 1 (item 0): no payout invoice has reference ID "never-created"',
		});
		expect(missing.pairedItem).toEqual({ item: 0 });
		expect(found.json).toMatchObject({ referenceId: 'seed-1' });
		expect(found.pairedItem).toEqual({ item: 1 });
	});
});
