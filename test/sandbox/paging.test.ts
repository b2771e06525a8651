/** GET /api/payout-invoices: cursor pages in both directions, filters, links, and speed with 100,000 invoices. */
import { RunningSandbox, startSandbox } from '../../sandbox';
import { controlClient, privateClient, testUsdBody } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, processDelayMs: 10_000 });
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

const api = () => privateClient(sb);
const ids = (r: any): string[] => r.data.data.map((i: any) => i.id);
const follow = (link: string) => api().get(link.replace(/^\/api/, ''));

/** Creates n invoices through the API, oldest first; returns their ids newest first (the list order). */
async function createMany(
	n: number,
	attrs: (i: number) => Record<string, unknown> = () => ({}),
): Promise<string[]> {
	const out: string[] = [];
	for (let i = 0; i < n; i++) {
		const r = await api().post(
			'/payout-invoices',
			testUsdBody({ reference_id: `page-${i}`, ...attrs(i) }),
		);
		expect(r.status).toBe(201);
		out.push(r.data.data.id);
	}
	return out.reverse();
}

test('newest first; links.next walks every page, links.prev walks back, meta describes each page', async () => {
	const all = await createMany(23);
	const first = await api().get('/payout-invoices', { params: { 'page[size]': 5 } });
	expect(first.status).toBe(200);
	expect(ids(first)).toEqual(all.slice(0, 5));
	// As in the reference's sample: meta.after is the first (newest) item of the page, meta.before the last.
	expect(first.data.meta).toEqual({ count: 5, size: 5, after: all[0], before: all[4] });
	expect(first.data.links).toEqual({
		prev: '',
		next: `/api/payout-invoices?page[size]=5&page[after]=${all[4]}`,
	});

	// Forward to the end.
	const pages: string[][] = [ids(first)];
	let page = first;
	while (page.data.links.next) {
		page = await follow(page.data.links.next);
		pages.push(ids(page));
	}
	expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
	expect(pages.flat()).toEqual(all);
	expect(page.data.links.next).toBe('');
	expect(page.data.meta).toEqual({ count: 3, size: 5, after: all[20], before: all[22] });

	// And back to the start by links.prev.
	const back: string[][] = [ids(page)];
	while (page.data.links.prev) {
		page = await follow(page.data.links.prev);
		back.unshift(ids(page));
	}
	expect(back).toEqual(pages);
	expect(page.data.links.prev).toBe('');
});

test('page[before] returns the page just newer than the cursor, still newest first', async () => {
	const all = await createMany(12);
	const r = await api().get('/payout-invoices', {
		params: { 'page[size]': 4, 'page[before]': all[9] },
	});
	expect(ids(r)).toEqual(all.slice(5, 9));
	expect(r.data.links.prev).toBe(`/api/payout-invoices?page[size]=4&page[before]=${all[5]}`);
	expect(r.data.links.next).toBe(`/api/payout-invoices?page[size]=4&page[after]=${all[8]}`);
	const newest = await api().get('/payout-invoices', {
		params: { 'page[size]': 4, 'page[before]': all[2] },
	});
	expect(ids(newest)).toEqual(all.slice(0, 2));
	expect(newest.data.links.prev).toBe('');
});

test('filter[status] (one or several, comma-separated) keeps the filter in the links', async () => {
	const all = await createMany(10);
	// Process every third invoice: they leave `created`.
	const processed = all.filter((_, i) => i % 3 === 0);
	for (const id of processed)
		expect((await api().post(`/payout-invoices/${id}/process`)).status).toBe(200);
	const r = await api().get('/payout-invoices', {
		params: { 'page[size]': 2, 'filter[status]': 'processing' },
	});
	expect(ids(r)).toEqual(processed.slice(0, 2));
	expect(r.data.links.next).toBe(
		`/api/payout-invoices?page[size]=2&filter[status]=processing&page[after]=${processed[1]}`,
	);
	const rest = await follow(r.data.links.next);
	expect(ids(rest)).toEqual(processed.slice(2));
	expect(rest.data.links.next).toBe('');
	const both = await api().get('/payout-invoices', {
		params: { 'page[size]': 100, 'filter[status]': 'created,processing' },
	});
	expect(ids(both)).toEqual(all);
	const bad = await api().get('/payout-invoices', { params: { 'filter[status]': 'paid' } });
	expect(bad.status).toBe(422);
});

test('filter[reference_id] finds the one invoice, or none', async () => {
	const all = await createMany(5);
	const r = await api().get('/payout-invoices', { params: { 'filter[reference_id]': 'page-3' } });
	expect(ids(r)).toEqual([all[1]]);
	expect(r.data.meta).toEqual({ count: 1, size: 20, before: all[1], after: all[1] });
	expect(r.data.links).toEqual({ prev: '', next: '' });
	const none = await api().get('/payout-invoices', {
		params: { 'filter[reference_id]': 'page-99' },
	});
	expect(none.status).toBe(200);
	expect(none.data).toEqual({
		meta: { count: 0, size: 20, before: null, after: null },
		links: { prev: '', next: '' },
		data: [],
	});
});

test('page[size] defaults to 20 and is capped at 100; bad sizes, unknown cursors and both cursors are 422', async () => {
	await createMany(3);
	expect((await api().get('/payout-invoices')).data.meta.size).toBe(20);
	expect(
		(await api().get('/payout-invoices', { params: { 'page[size]': 500 } })).data.meta.size,
	).toBe(100);
	for (const params of [
		{ 'page[size]': 0 },
		{ 'page[size]': 'ten' },
		{ 'page[after]': 'cpoi_AAAAAAAAAAAAAAAA' },
		{ 'page[before]': 'cpoi_AAAAAAAAAAAAAAAA' },
		{ 'page[after]': 'a', 'page[before]': 'b' },
	]) {
		const r = await api().get('/payout-invoices', { params });
		expect([params, r.status]).toEqual([params, 422]);
	}
});

test('100,000 seeded invoices: pages deep in the list still answer in milliseconds', async () => {
	const seeded = await controlClient(sb).post('/seed', { count: 100_000 });
	expect(seeded.data).toEqual({ inserted: 100_000, total: 100_000 });
	const first = await api().get('/payout-invoices', { params: { 'page[size]': 100 } });
	expect(first.data.data[0].attributes.reference_id).toBe('seed-100000');
	// Jump to a cursor deep in the list (the 90,000th newest) and time a few pages from there.
	const deep = sb.ledger().invoices[10_000].id;
	const started = Date.now();
	let page = await api().get('/payout-invoices', {
		params: { 'page[size]': 100, 'page[after]': deep },
	});
	for (let i = 0; i < 10; i++) page = await follow(page.data.links.next);
	const elapsed = Date.now() - started;
	expect(page.data.data[0].attributes.reference_id).toBe(`seed-${10_000 - 1000}`);
	// A ceiling loose enough for a loaded CI machine (speed targets live in bench/): it catches pages
	// that got pathologically slow, not a few milliseconds.
	expect(elapsed).toBeLessThan(4000);
	// A rare status filter has to scan, and still stays quick.
	const t0 = Date.now();
	const rare = await api().get('/payout-invoices', { params: { 'filter[status]': 'canceled' } });
	expect(rare.data.data).toEqual([]);
	expect(Date.now() - t0).toBeLessThan(3000);
});
