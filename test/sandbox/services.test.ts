/** GET /api/payout-services (numbered pages) and GET /api/payout-services/{id}. */
import { RunningSandbox, SERVICES, startSandbox } from '../../sandbox';
import { privateClient } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0 });
});
afterAll(() => sb.close());

test('the catalogue is big enough to page, with the services the brief names', () => {
	expect(SERVICES.length).toBeGreaterThanOrEqual(25);
	const codes = SERVICES.map((s) => s.code);
	expect(codes).toEqual(
		expect.arrayContaining([
			'test_usd',
			'payment_card_usd',
			'bank_transfer_eur',
			'payment_card_jpy',
		]),
	);
	expect(new Set(SERVICES.map((s) => s.id)).size).toBe(SERVICES.length);
});

test('default page: 20 services, meta and links like the sample', async () => {
	const r = await privateClient(sb).get('/payout-services');
	expect(r.status).toBe(200);
	const total = SERVICES.length;
	const pages = Math.ceil(total / 20);
	expect(r.data.meta).toEqual({ total, pages, page: 1 });
	expect(r.data.links).toEqual({
		first: '/api/payout-services?page[number]=1&page[size]=20',
		next: '/api/payout-services?page[number]=2&page[size]=20',
		last: `/api/payout-services?page[number]=${pages}&page[size]=20`,
	});
	expect(r.data.data).toHaveLength(20);
	expect(r.data.data[0].attributes).toMatchObject({
		service: 'test_usd',
		service_method: 'test',
		currency: 'USD',
		test_mode: true,
	});
});

test('walking the pages by links.next visits every service once', async () => {
	const api = privateClient(sb);
	const seen: string[] = [];
	let url: string | undefined = '/payout-services?page[number]=1&page[size]=7';
	let pagesVisited = 0;
	while (url) {
		const r: { status: number; data: any } = await api.get(url);
		expect(r.status).toBe(200);
		seen.push(...r.data.data.map((s: any) => s.id));
		pagesVisited++;
		if (pagesVisited > 1)
			expect(r.data.links.prev).toBe(
				`/api/payout-services?page[number]=${pagesVisited - 1}&page[size]=7`,
			);
		url = r.data.links.next?.replace(/^\/api/, '');
	}
	expect(pagesVisited).toBe(Math.ceil(SERVICES.length / 7));
	expect(seen).toEqual(SERVICES.map((s) => s.id));
});

test('a page past the end is empty; page[size] is capped at 100; bad page numbers are 422', async () => {
	const api = privateClient(sb);
	const past = await api.get('/payout-services', { params: { 'page[number]': 99 } });
	expect(past.status).toBe(200);
	expect(past.data.data).toEqual([]);
	const big = await api.get('/payout-services', { params: { 'page[size]': 1000 } });
	expect(big.data.data).toHaveLength(SERVICES.length);
	expect(big.data.links.first).toBe('/api/payout-services?page[number]=1&page[size]=100');
	const bad = await api.get('/payout-services', { params: { 'page[number]': 0 } });
	expect(bad.status).toBe(422);
	expect(bad.data.errors).toHaveProperty(['page[number]']);
});

test('a service by its comcpos_ id; 404 for an unknown id or a service code', async () => {
	const api = privateClient(sb);
	const card = SERVICES.find((s) => s.code === 'payment_card_usd')!;
	const r = await api.get(`/payout-services/${card.id}`);
	expect(r.status).toBe(200);
	expect(r.data.data.attributes).toMatchObject({
		service: 'payment_card_usd',
		fee_rate: 1.5,
		fee_fix: 0.3,
		fee_min: 0.5,
		fee_max: 50,
	});
	expect((await api.get('/payout-services/comcpos_AAAAAAAAAAAAAAAA')).status).toBe(404);
	expect((await api.get('/payout-services/payment_card_usd')).status).toBe(404);
});

test('the disabled service is listed but flagged', async () => {
	const legacy = SERVICES.find((s) => s.code === 'legacy_card_usd')!;
	const r = await privateClient(sb).get(`/payout-services/${legacy.id}`);
	expect(r.data.data.attributes).toMatchObject({ enabled: false, available: false, active: false });
});
