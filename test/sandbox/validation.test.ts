/** 422 of POST /payout-invoices, one rule at a time: {"errors":{"<field>":"<message>"}}, and nothing written. */
import { RunningSandbox, startSandbox } from '../../sandbox';
import { cardBody, privateClient, testUsdBody } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

async function errorsOf(body: unknown): Promise<Record<string, string>> {
	const r = await privateClient(sb).post('/payout-invoices', body);
	expect(r.status).toBe(422);
	expect(Array.isArray(r.data.errors)).toBe(false);
	return r.data.errors;
}

const card = (attrs: Record<string, unknown> = {}) => cardBody('4111111111111111', attrs);

test.each<[string, unknown, string, string | RegExp]>([
	['amount 0', testUsdBody({ amount: 0 }), 'amount', 'This value should be greater than 0.'],
	[
		'negative amount',
		testUsdBody({ amount: -5 }),
		'amount',
		'This value should be greater than 0.',
	],
	[
		'amount not numeric',
		testUsdBody({ amount: 'ten' }),
		'amount',
		'This value should be of type numeric.',
	],
	[
		'amount missing',
		testUsdBody({ amount: undefined }),
		'amount',
		'This value should not be blank.',
	],
	[
		'three decimals in USD',
		testUsdBody({ amount: 10.001 }),
		'amount',
		'This value should have at most 2 decimal places.',
	],
	['float noise in USD', testUsdBody({ amount: 0.1 + 0.2 }), 'amount', /at most 2 decimal/],
	[
		'decimals in JPY',
		card({ service: 'payment_card_jpy', currency: 'JPY', amount: 1000.5 }),
		'amount',
		/whole number/,
	],
	[
		'below amount_min',
		card({ amount: 0.5 }),
		'amount',
		'This value should be greater than or equal to 1.',
	],
	[
		'above amount_max',
		card({ amount: 5000.01 }),
		'amount',
		'This value should be less than or equal to 5000.',
	],
	[
		'currency not the service currency',
		card({ currency: 'EUR' }),
		'currency',
		/not supported by the service payment_card_usd/,
	],
	[
		'currency malformed',
		testUsdBody({ currency: 'usd' }),
		'currency',
		'This value is not a valid currency.',
	],
	[
		'currency missing',
		testUsdBody({ currency: undefined }),
		'currency',
		'This value should not be blank.',
	],
	['service unknown', testUsdBody({ service: 'nope_usd' }), 'service', /not found/],
	['service disabled', card({ service: 'legacy_card_usd' }), 'service', /not available/],
	[
		'service missing',
		testUsdBody({ service: undefined }),
		'service',
		'This value should not be blank.',
	],
	[
		'reference_id missing',
		testUsdBody({ reference_id: undefined }),
		'reference_id',
		'This value should not be blank.',
	],
	[
		'reference_id not a string',
		testUsdBody({ reference_id: 12 }),
		'reference_id',
		'This value should be of type string.',
	],
	[
		'reference_id too long',
		testUsdBody({ reference_id: 'x'.repeat(256) }),
		'reference_id',
		/too long/,
	],
	[
		'fields missing',
		testUsdBody({ fields: undefined }),
		'fields',
		'This value should not be blank.',
	],
	[
		'required field missing',
		testUsdBody({ fields: {} }),
		'fields.account',
		'This value should not be blank.',
	],
	[
		'card number fails the regexp',
		cardBody('4111-1111-1111-1111'),
		'fields.card_number',
		'This value is not valid.',
	],
	[
		'account fails ^\\d{1,15}$',
		testUsdBody({ fields: { account: '1234567890123456' } }),
		'fields.account',
		'This value is not valid.',
	],
	[
		'IBAN fails its regexp',
		testUsdBody({
			service: 'bank_transfer_eur',
			amount: 20,
			fields: { iban: 'de89', beneficiary_name: 'Jane' },
		}),
		'fields.iban',
		'This value is not valid.',
	],
	[
		'success rate above 100',
		testUsdBody({ fields: { account: '1', test_details_success_rate: '101' } }),
		'fields.test_details_success_rate',
		/between 0 and 100/,
	],
	[
		'unknown expected status',
		testUsdBody({ fields: { account: '1', test_details_payout_status: 'teleported' } }),
		'fields.test_details_payout_status',
		/Unknown payout status/,
	],
	[
		'customer without reference_id',
		testUsdBody({ customer: { name: 'John' } }),
		'customer.reference_id',
		'This value should not be blank.',
	],
	[
		'customer email',
		testUsdBody({ customer: { reference_id: 'c', email: 'no-at-sign' } }),
		'customer.email',
		/valid email/,
	],
	[
		'callback_url not a URL',
		testUsdBody({ callback_url: 'not a url' }),
		'callback_url',
		'This value is not a valid URL.',
	],
	[
		'option not a boolean',
		testUsdBody({ options: { auto_process: 'yes' } }),
		'options.auto_process',
		'This value should be of type bool.',
	],
	['metadata not an object', testUsdBody({ metadata: 'x' }), 'metadata', /type array/],
	['no data envelope', { reference_id: 'x' }, 'data', /Expected/],
])('%s', async (_name, body, field, message) => {
	const errors = await errorsOf(body);
	if (typeof message === 'string') expect(errors[field]).toBe(message);
	else expect(errors[field]).toMatch(message);
	const ledger = sb.ledger();
	expect(ledger.invoices).toHaveLength(0);
	expect(ledger.calls[0]).toMatchObject({
		outcome: 'rejected',
		committed: false,
		httpStatus: 422,
		decidedStatus: 422,
	});
});

test('every problem is reported at once', async () => {
	const errors = await errorsOf(testUsdBody({ reference_id: undefined, amount: -1, fields: {} }));
	expect(Object.keys(errors).sort()).toEqual(['amount', 'fields.account', 'reference_id']);
});

test('split_mode skips the amount_max check (and only that)', async () => {
	const api = privateClient(sb);
	const ok = await api.post(
		'/payout-invoices',
		card({ amount: 12000, options: { split_mode: true } }),
	);
	expect(ok.status).toBe(201);
	expect((await errorsOf(card({ amount: 0.5, options: { split_mode: true } }))).amount).toMatch(
		/greater than or equal/,
	);
});

test('malformed JSON answers 400 in the reference shape', async () => {
	const r = await privateClient(sb).post('/payout-invoices', '{"data":', {
		headers: { 'Content-Type': 'application/json' },
		transformRequest: [(d) => d], // axios would otherwise JSON-encode the broken text into a valid JSON string
	});
	expect(r.status).toBe(400);
	expect(r.data).toEqual({ errors: [{ status: 'Bad Request', code: '400' }] });
});

test('a JSON body sent with another content type is still read', async () => {
	const r = await privateClient(sb).post('/payout-invoices', JSON.stringify(testUsdBody()), {
		headers: { 'Content-Type': 'text/plain' },
	});
	expect(r.status).toBe(201);
});

describe('token (a saved card in place of the card fields)', () => {
	it('a card invoice with a token and no card fields is accepted', async () => {
		const r = await privateClient(sb).post(
			'/payout-invoices',
			card({ fields: undefined, token: 'tok_saved_1' }),
		);
		expect(r.status).toBe(201);
		expect(sb.ledger().invoices).toHaveLength(1);
	});

	it('card fields sent with a token are still checked (they take priority)', async () => {
		expect(await errorsOf(card({ fields: { card_number: '4111' }, token: 'tok_saved_1' }))).toEqual(
			{ 'fields.card_number': 'This value is not valid.' },
		);
	});

	it('a token does not stand in for other fields', async () => {
		expect(await errorsOf(testUsdBody({ fields: {}, token: 'tok_saved_1' }))).toEqual({
			'fields.account': 'This value should not be blank.',
		});
	});

	it('a token that is not a string is refused', async () => {
		expect(await errorsOf(card({ fields: undefined, token: 12 }))).toMatchObject({
			token: 'This value should be of type string.',
		});
	});
});
