/**
 * The sandbox's answers against the API reference's samples, field by field: the key sets below are copied from
 * the samples of the PaymentsTrust Payouts API reference (docs/platform.md#sources), so a drift of either side
 * shows up here.
 */
import { RunningSandbox, startSandbox } from '../../sandbox';
import {
	privateClient,
	publicClient,
	sortedKeys,
	testUsdBody,
	uniqueRef,
	waitFor,
} from './helpers';

// --- Key sets of the reference's samples ---------------------------------------------------------------------
const PREREQUEST_DATA = ['currency', 'amount', 'test_mode', 'services'];
const PREREQUEST_SERVICE = [
	'code',
	'method',
	'currency',
	'fields',
	'amount_min',
	'amount_max',
	'exchange_rate',
	'amount',
];
const PREREQUEST_FIELD = [
	'key',
	'type',
	'label',
	'example',
	'hint',
	'regexp',
	'required',
	'position',
];
const LOCALIZED = ['ru', 'en', 'uk'];
const PREREQUEST_METHOD = [
	'code',
	'category',
	'description',
	'name',
	'logo',
	'icon',
	'metadata',
	'position',
	'hide',
];
const PREREQUEST_ACCOUNT = ['name', 'description', 'icon', 'website'];

const SERVICES_LIST = ['meta', 'links', 'data'];
const SERVICES_META = ['total', 'pages', 'page'];
const SERVICES_LINKS_PAGE1 = ['first', 'next', 'last'];
const SERVICE_RESOURCE = ['type', 'id', 'attributes', 'relationships', 'links'];
const SERVICE_ATTRIBUTES = [
	'service',
	'service_method',
	'service_currency',
	'available',
	'active',
	'enabled',
	'amount_min',
	'amount_max',
	'fee_min',
	'fee_max',
	'fee_rate',
	'fee_fix',
	'currency',
	'test_mode',
];
const SERVICE_RELATIONSHIPS = ['payout-method', 'payout-service'];

const INVOICE_RESOURCE = ['type', 'id', 'attributes', 'relationships', 'links'];
const INVOICE_ATTRIBUTES_LIST = [
	'status',
	'resolution',
	'amount',
	'payout_amount',
	'currency',
	'service_currency',
	'service_amount',
	'service_payout_amount',
	'reference_id',
	'test_mode',
	'description',
	'fee',
	'writeoff',
	'exchange_rate',
	'processed',
	'processed_amount',
	'processed_fee',
	'processed_writeoff',
	'metadata',
	'created',
	'updated',
	'fields',
	'callback_url',
	'source',
];
const INVOICE_ATTRIBUTES = [...INVOICE_ATTRIBUTES_LIST, 'callback_logs'];
const INVOICE_RELATIONSHIPS = ['payout-service', 'payout-method', 'customer'];
const INVOICE_LINKS = ['self'];
const INVOICE_LIST = ['meta', 'links', 'data'];
const INVOICE_LIST_META = ['count', 'size', 'before', 'after'];
const INVOICE_LIST_LINKS = ['prev', 'next'];
const PUBLIC_INVOICE = [
	'id',
	'created',
	'status',
	'resolution',
	'test_mode',
	'currency',
	'amount',
	'payout_amount',
	'service',
	'service_amount',
	'service_payout_amount',
	'service_method',
	'service_currency',
	'processed',
	'processed_amount',
];

/** The test_usd entry of the pre-request sample, verbatim except that its regexps are JSON-decoded once more. */
const label = (en: string, ru: string, uk: string) => ({ ru, en, uk });
const SAMPLE_TEST_USD_FIELDS = [
	['account', label('Account', 'Аккаунт', 'Акаунт'), String.raw`^\d{1,15}$`, true],
	[
		'test_details_success_rate',
		label('Success rate (%)', 'Вероятность успеха (%)', 'Імовірність успіху (%)'),
		String.raw`^\d{1,15}$`,
		false,
	],
	[
		'test_details_payout_status',
		label('Expected status', 'Ожидаемый статус', 'Очікуваний статус'),
		String.raw`^[A-Z\-\sa-z]{2,64}$`,
		false,
	],
	[
		'test_details_payout_resolution',
		label('Expected resolution', 'Ожидаемый resolution', 'Очікуваний resolution'),
		String.raw`^[A-Z\-\sa-z]{2,64}$`,
		false,
	],
].map(([key, l, regexp, required]) => ({
	key,
	type: 'string',
	label: l,
	example: null,
	hint: l,
	regexp,
	required,
	position: 0,
}));

let sb: RunningSandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(() => sb.close());

const keys = sortedKeys;
const sorted = (a: string[]) => [...a].sort();

test('pre-request: the sample shape, with methods and account nested in data.services', async () => {
	const res = await publicClient(sb).post('/payout-prerequest', {
		currency: 'USD',
		amount: 10,
		public_key: sb.credentials.publicKey,
	});
	expect(res.status).toBe(200);
	expect(keys(res.data)).toEqual(['data']);
	const data = res.data.data;
	expect(keys(data)).toEqual(sorted(PREREQUEST_DATA));
	expect(data).toMatchObject({ currency: 'USD', amount: 10, test_mode: true });
	const { methods, account, ...services } = data.services;
	expect(keys(account)).toEqual(sorted(PREREQUEST_ACCOUNT));
	for (const m of Object.values<any>(methods)) {
		expect(keys(m)).toEqual(sorted(PREREQUEST_METHOD));
		expect(keys(m.name)).toEqual(sorted(LOCALIZED));
	}
	expect(methods.test).toMatchObject({
		code: 'test',
		category: 'alternative',
		description: '',
		metadata: null,
		position: null,
		hide: null,
	});
	for (const s of Object.values<any>(services)) {
		expect(keys(s)).toEqual(sorted(PREREQUEST_SERVICE));
		expect(methods[s.method]).toBeDefined();
		for (const f of s.fields) {
			expect(keys(f)).toEqual(sorted(PREREQUEST_FIELD));
			expect(keys(f.label)).toEqual(sorted(LOCALIZED));
			expect(keys(f.hint)).toEqual(sorted(LOCALIZED));
		}
	}
	expect(services.test_usd).toEqual({
		code: 'test_usd',
		method: 'test',
		currency: 'USD',
		fields: SAMPLE_TEST_USD_FIELDS,
		amount_min: 0.01,
		amount_max: 9999999,
		exchange_rate: 1,
		amount: '10.00',
	});
	// On the wire each regexp backslash is escaped once (the reference's sample shows it twice).
	const raw = await publicClient(sb).post(
		'/payout-prerequest',
		{ currency: 'USD', amount: 10, public_key: sb.credentials.publicKey },
		{ transformResponse: (x) => x },
	);
	expect(raw.data).toContain(String.raw`"regexp":"^\\d{1,15}$"`);
	expect(raw.data).not.toContain(String.raw`"^\\\\d{1,15}$"`);
});

test('payout services: list and single resource have the sample key sets', async () => {
	const api = privateClient(sb);
	const list = await api.get('/payout-services');
	expect(list.status).toBe(200);
	expect(keys(list.data)).toEqual(sorted(SERVICES_LIST));
	expect(keys(list.data.meta)).toEqual(sorted(SERVICES_META));
	expect(keys(list.data.links)).toEqual(sorted(SERVICES_LINKS_PAGE1));
	expect(list.data.links.first).toBe('/api/payout-services?page[number]=1&page[size]=20');
	for (const s of list.data.data) {
		expect(keys(s)).toEqual(sorted(SERVICE_RESOURCE));
		expect(s.type).toBe('payout-services');
		expect(s.id).toMatch(/^comcpos_[A-Za-z0-9]{16}$/);
		expect(keys(s.attributes)).toEqual(sorted(SERVICE_ATTRIBUTES));
		expect(keys(s.relationships)).toEqual(sorted(SERVICE_RELATIONSHIPS));
		expect(s.relationships['payout-method'].data).toEqual({
			type: 'payout-methods',
			id: s.attributes.service_method,
		});
		expect(s.relationships['payout-service'].data).toEqual({
			type: 'payout-services',
			id: s.attributes.service,
		});
		expect(s.links).toEqual({ self: `/api/payout-services/${s.id}` });
	}
	const one = await api.get(`/payout-services/${list.data.data[0].id}`);
	expect(keys(one.data)).toEqual(['data']);
	expect(one.data.data).toEqual(list.data.data[0]);
});

test('payout invoice: create, process, get and list answer the sample key sets', async () => {
	const api = privateClient(sb);
	// The reference's create sample, with a service of the sandbox and its own reference_id.
	const body = {
		data: {
			type: 'payout-invoice',
			attributes: {
				service: 'payment_card_usd',
				currency: 'USD',
				amount: 10,
				reference_id: uniqueRef('contract'),
				test_mode: true,
				fields: { card_number: '5123817234060000' },
				callback_url: 'http://127.0.0.1:9/unused',
				options: {
					split_mode: false,
					parallel_mode: false,
					allow_partially: false,
					auto_process: false,
				},
				customer: {
					reference_id: '1203515',
					email: 'somename@domain.com',
					name: 'John Wick',
					metadata: { key1: 'value1', key2: 'value2' },
				},
				metadata: { key: 'value' },
			},
		},
	};
	const created = await api.post('/payout-invoices', body);
	expect(created.status).toBe(201);
	const checkResource = (r: any, attributes: string[]) => {
		expect(keys(r)).toEqual(sorted(INVOICE_RESOURCE));
		expect(r.type).toBe('payout-invoices');
		expect(r.id).toMatch(/^cpoi_[A-Za-z0-9]{16}$/);
		expect(keys(r.attributes)).toEqual(sorted(attributes));
		expect(keys(r.relationships)).toEqual(sorted(INVOICE_RELATIONSHIPS));
		expect(r.relationships['payout-service'].data).toEqual({
			type: 'payout-services',
			id: 'payment_card_usd',
		});
		expect(r.relationships['payout-method'].data).toEqual({
			type: 'payout-methods',
			id: 'payment_card',
		});
		expect(r.relationships.customer.data).toEqual({
			type: 'customers',
			id: expect.stringMatching(/^cus_[A-Za-z0-9]{16}$/),
		});
		expect(keys(r.links)).toEqual(INVOICE_LINKS);
		expect(r.links.self).toBe(`/api/payout-invoices/${r.id}`);
	};
	expect(keys(created.data)).toEqual(['data']);
	checkResource(created.data.data, INVOICE_ATTRIBUTES);
	const a = created.data.data.attributes;
	expect(a).toMatchObject({
		status: 'created',
		resolution: 'ok',
		amount: 10,
		payout_amount: 10,
		currency: 'USD',
		service_currency: 'USD',
		service_amount: 10,
		service_payout_amount: 10,
		reference_id: body.data.attributes.reference_id,
		test_mode: true,
		description: null,
		exchange_rate: 1,
		processed: null,
		processed_amount: null,
		processed_fee: 0,
		processed_writeoff: null,
		metadata: { key: 'value' },
		fields: { card_number: '512381******0000' },
		callback_url: 'http://127.0.0.1:9/unused',
		source: 'merchant_api',
		callback_logs: [],
	});
	expect(Number.isInteger(a.created)).toBe(true);
	expect(a.updated).toBe(a.created);

	const id = created.data.data.id;
	const processed = await api.post(`/payout-invoices/${id}/process`);
	expect(processed.status).toBe(200);
	checkResource(processed.data.data, INVOICE_ATTRIBUTES);

	const final = await waitFor(async () => {
		const r = await api.get(`/payout-invoices/${id}`);
		return r.data.data.attributes.status === 'processed' ? r : undefined;
	});
	checkResource(final.data.data, INVOICE_ATTRIBUTES);

	const list = await api.get('/payout-invoices');
	expect(keys(list.data)).toEqual(sorted(INVOICE_LIST));
	expect(keys(list.data.meta)).toEqual(sorted(INVOICE_LIST_META));
	expect(keys(list.data.links)).toEqual(sorted(INVOICE_LIST_LINKS));
	// The list sample's attributes have no callback_logs.
	checkResource(list.data.data[0], INVOICE_ATTRIBUTES_LIST);
});

test('public invoice look-up: the flat sample shape, by id and by reference_id', async () => {
	const api = privateClient(sb);
	const body = testUsdBody({ options: { auto_process: true } });
	const created = await api.post('/payout-invoices', body);
	const id = created.data.data.id;
	const pub = publicClient(sb);
	const byId = await waitFor(async () => {
		const r = await pub.get(`/payout-invoices/${id}`, {
			params: { public_key: sb.credentials.publicKey },
		});
		return r.data.data.status === 'processed' ? r : undefined;
	});
	expect(keys(byId.data)).toEqual(['data']);
	expect(keys(byId.data.data)).toEqual(sorted(PUBLIC_INVOICE));
	expect(byId.data.data).toMatchObject({
		id,
		status: 'processed',
		resolution: 'ok',
		test_mode: true,
		currency: 'USD',
		amount: 10,
		payout_amount: 10,
		service: 'test_usd',
		service_amount: 10,
		service_payout_amount: 10,
		service_method: 'test',
		service_currency: 'USD',
		processed_amount: 10,
	});
	expect(Number.isInteger(byId.data.data.processed)).toBe(true);
	const byRef = await pub.get('/payout-invoices', {
		params: {
			'filter[reference_id]': body.data.attributes.reference_id,
			public_key: sb.credentials.publicKey,
		},
	});
	expect(byRef.status).toBe(200);
	expect(byRef.data).toEqual(byId.data);
});

test('error bodies have the reference shapes', async () => {
	const api = privateClient(sb);
	expect((await privateClient(sb, '').get('/payout-services')).data).toEqual({
		errors: [{ status: 'Unauthorized', code: '401' }],
	});
	expect((await api.get('/payout-invoices/cpoi_doesnotexist0000')).data).toEqual({
		errors: [{ status: 'Not Found', code: '404' }],
	});
	expect((await api.delete('/payout-invoices')).data).toEqual({
		errors: [{ status: 'Method Not Allowed', code: '405' }],
	});
	expect((await api.post('/payout-invoices', testUsdBody({ amount: 0 }))).data).toEqual({
		errors: { amount: 'This value should be greater than 0.' },
	});
	sb.setFaults({ rate: 1, kinds: { '500': 1 }, operations: ['services'] });
	try {
		expect((await api.get('/payout-services')).data).toEqual({
			errors: [
				{
					status: 'internal_error',
					code: '500',
					title: 'internal_error',
					detail: 'Internal server error.',
				},
			],
		});
	} finally {
		sb.setFaults(null);
	}
});
