/** Public API: the pre-request and invoice look-ups, authenticated by public_key. */
import { RunningSandbox, startSandbox } from '../../sandbox';
import { privateClient, publicClient, testUsdBody } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(() => sb.close());

const prerequest = (body: Record<string, unknown>) =>
	publicClient(sb).post('/payout-prerequest', { public_key: sb.credentials.publicKey, ...body });
const serviceCodes = (data: any) =>
	Object.keys(data.data.services).filter((k) => k !== 'methods' && k !== 'account');

test('services are filtered by invoice currency and by amount within amount_min/amount_max', async () => {
	const small = await prerequest({ currency: 'USD', amount: 5 });
	expect(small.status).toBe(200);
	const codes = serviceCodes(small.data);
	expect(codes).toEqual(expect.arrayContaining(['test_usd', 'payment_card_usd']));
	expect(codes).not.toContain('bank_transfer_eur'); // amount_min 10
	expect(codes).not.toContain('payment_card_jpy'); // JPY invoices only
	expect(codes).not.toContain('legacy_card_usd'); // disabled
	const large = serviceCodes((await prerequest({ currency: 'USD', amount: 6000 })).data);
	expect(large).toContain('bank_transfer_eur');
	expect(large).not.toContain('payment_card_usd'); // amount_max 5000
	const jpy = await prerequest({ currency: 'JPY', amount: 1000 });
	expect(serviceCodes(jpy.data)).toEqual(['payment_card_jpy']);
	expect(jpy.data.data.services.payment_card_jpy).toMatchObject({
		currency: 'JPY',
		amount: '1000.00',
		exchange_rate: 1,
	});
	expect(Object.keys(jpy.data.data.services.methods)).toEqual(['payment_card']);
});

test('service entries carry amount in the service currency as a 2-decimal string', async () => {
	const r = await prerequest({ currency: 'USD', amount: 100 });
	expect(r.data.data.services.bank_transfer_eur).toMatchObject({
		currency: 'EUR',
		exchange_rate: 0.92,
		amount: '92.00',
	});
	const card = r.data.data.services.payment_card_usd;
	expect(card.fields).toEqual([
		expect.objectContaining({ key: 'card_number', regexp: String.raw`^\d{16}$`, required: true }),
	]);
	expect(new RegExp(card.fields[0].regexp).test('4111111111111111')).toBe(true);
});

test('an unknown currency lists no services (methods and account still present)', async () => {
	const r = await prerequest({ currency: 'XAU', amount: 10 });
	expect(r.status).toBe(200);
	expect(serviceCodes(r.data)).toEqual([]);
	expect(r.data.data.services.methods).toEqual({});
	expect(r.data.data.services.account.name).toBe('PaymentsTrust Sandbox');
});

test('401 without or with a wrong public key; 422 for a bad currency or amount', async () => {
	const pub = publicClient(sb);
	for (const body of [
		{ currency: 'USD', amount: 10 },
		{ currency: 'USD', amount: 10, public_key: 'pk_test_wrong' },
	]) {
		const r = await pub.post('/payout-prerequest', body);
		expect(r.status).toBe(401);
		expect(r.data).toEqual({ errors: [{ status: 'Unauthorized', code: '401' }] });
	}
	// The secret key is not a public key.
	expect(
		(
			await pub.post('/payout-prerequest', {
				currency: 'USD',
				amount: 10,
				public_key: sb.credentials.testSecretKey,
			})
		).status,
	).toBe(401);
	expect((await prerequest({ currency: 'USD', amount: 0 })).data).toEqual({
		errors: { amount: 'This value should be greater than 0.' },
	});
	expect((await prerequest({ amount: 10 })).data.errors.currency).toBe(
		'This value should not be blank.',
	);
});

test('invoice look-up by id and by reference_id with public_key in the query; 401 and 404', async () => {
	const body = testUsdBody();
	const created = await privateClient(sb).post('/payout-invoices', body);
	const id = created.data.data.id;
	const pub = publicClient(sb);
	const key = { public_key: sb.credentials.publicKey };
	const byId = await pub.get(`/payout-invoices/${id}`, { params: key });
	expect(byId.status).toBe(200);
	expect(byId.data.data).toMatchObject({
		id,
		status: 'created',
		processed: null,
		processed_amount: null,
		service: 'test_usd',
	});
	const byRef = await pub.get('/payout-invoices', {
		params: { ...key, 'filter[reference_id]': body.data.attributes.reference_id },
	});
	expect(byRef.data.data.id).toBe(id);
	expect((await pub.get(`/payout-invoices/${id}`)).status).toBe(401);
	expect(
		(await pub.get(`/payout-invoices/${id}`, { params: { public_key: 'pk_test_other' } })).status,
	).toBe(401);
	expect((await pub.get('/payout-invoices/cpoi_AAAAAAAAAAAAAAAA', { params: key })).status).toBe(
		404,
	);
	expect(
		(
			await pub.get('/payout-invoices', {
				params: { ...key, 'filter[reference_id]': 'never-used' },
			})
		).status,
	).toBe(404);
	expect((await pub.get('/payout-invoices', { params: key })).status).toBe(422);
	// The Public API does not take Basic auth instead of the key.
	expect((await privateClient(sb).get(`${sb.publicApiUrl}/payout-invoices/${id}`)).status).toBe(
		401,
	);
});
