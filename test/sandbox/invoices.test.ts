/** Private API payout invoices: create, money, process, final statuses, 409s and the ledger's view of them. */
import { RunningSandbox, startSandbox } from '../../sandbox';
import { cardBody, privateClient, testUsdBody, uniqueRef, waitFor } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, processDelayMs: 20, seed: 7 });
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

const api = () => privateClient(sb);

async function finalOf(id: string, notIn = ['created', 'processing', 'process_error']) {
	return waitFor(async () => {
		const r = await api().get(`/payout-invoices/${id}`);
		return notIn.includes(r.data.data.attributes.status) ? undefined : r.data.data;
	});
}

async function createAndProcess(body: object) {
	const created = await api().post('/payout-invoices', body);
	expect(created.status).toBe(201);
	const id = created.data.data.id;
	const processed = await api().post(`/payout-invoices/${id}/process`);
	expect(processed.status).toBe(200);
	return {
		id,
		created: created.data.data,
		processing: processed.data.data,
		final: await finalOf(id),
	};
}

describe('create', () => {
	test('card service: fee from fee_fix + fee_rate within fee_min/fee_max, writeoff, masked card number', async () => {
		const r = await api().post('/payout-invoices', cardBody('4111111111111111', { amount: 100 }));
		expect(r.status).toBe(201);
		expect(r.data.data.attributes).toMatchObject({
			status: 'created',
			amount: 100,
			payout_amount: 100,
			fee: 1.8, // 0.30 + 1.5 % of 100
			writeoff: 101.8,
			fields: { card_number: '411111******1111' },
		});
		// fee_min 0.5 lifts a tiny fee; fee_max 50 caps a large one.
		expect(
			(await api().post('/payout-invoices', cardBody('4111111111111111', { amount: 1 }))).data.data
				.attributes.fee,
		).toBe(0.5);
		expect(
			(await api().post('/payout-invoices', cardBody('4111111111111111', { amount: 5000 }))).data
				.data.attributes.fee,
		).toBe(50);
	});

	test('bank transfer in EUR for a USD invoice: service amount through the exchange rate', async () => {
		const r = await api().post(
			'/payout-invoices',
			testUsdBody({
				service: 'bank_transfer_eur',
				amount: 250.5,
				fields: { iban: 'DE89370400440532013000', beneficiary_name: 'Jane Roe' },
			}),
		);
		expect(r.status).toBe(201);
		expect(r.data.data.attributes).toMatchObject({
			currency: 'USD',
			service_currency: 'EUR',
			exchange_rate: 0.92,
			service_amount: 230.46,
			service_payout_amount: 230.46,
			fee: 6.25, // 5 + 0.5 % of 250.50 = 6.2525 → 6.25
			writeoff: 256.75,
			fields: { iban: 'DE89370400440532013000', beneficiary_name: 'Jane Roe' },
		});
		expect(r.data.data.relationships['payout-method'].data.id).toBe('bank_transfer');
	});

	test('JPY invoice: no minor units anywhere', async () => {
		const r = await api().post(
			'/payout-invoices',
			cardBody('4111111111111111', { service: 'payment_card_jpy', currency: 'JPY', amount: 1234 }),
		);
		expect(r.status).toBe(201);
		expect(r.data.data.attributes).toMatchObject({
			currency: 'JPY',
			amount: 1234,
			fee: 75,
			writeoff: 1309,
			service_amount: 1234,
		});
	});

	test('optional attributes are kept: description, metadata, callback_url, customer (same customer id for the same reference)', async () => {
		const customer = { reference_id: 'cust-1', name: 'John Wick', email: 'john@example.com' };
		const a = await api().post(
			'/payout-invoices',
			testUsdBody({
				description: 'salary',
				metadata: { k: 'v' },
				customer,
				callback_url: 'http://127.0.0.1:9/cb',
			}),
		);
		const b = await api().post('/payout-invoices', testUsdBody({ customer }));
		const c = await api().post('/payout-invoices', testUsdBody({}));
		expect(a.data.data.attributes).toMatchObject({
			description: 'salary',
			metadata: { k: 'v' },
			callback_url: 'http://127.0.0.1:9/cb',
		});
		expect(a.data.data.relationships.customer.data.id).toBe(
			b.data.data.relationships.customer.data.id,
		);
		expect(c.data.data.relationships.customer.data).toBeNull();
	});

	test('numeric strings are accepted as amounts', async () => {
		const r = await api().post('/payout-invoices', testUsdBody({ amount: '12.5' }));
		expect(r.status).toBe(201);
		expect(r.data.data.attributes.amount).toBe(12.5);
	});

	test('409 duplicated_reference_id with the existing invoice in the body, and nothing is written', async () => {
		const body = testUsdBody({ amount: 10 });
		const first = await api().post('/payout-invoices', body);
		const again = await api().post('/payout-invoices', {
			data: { ...body.data, attributes: { ...body.data.attributes, amount: 99 } },
		});
		expect(again.status).toBe(409);
		expect(again.data).toEqual({
			errors: [
				{
					status: 'Conflict',
					code: '409',
					title: 'duplicated_reference_id',
					detail: expect.stringContaining(body.data.attributes.reference_id as string),
				},
			],
			// The reference: the 409 returns the error and the previously created transaction.
			data: expect.objectContaining({
				id: first.data.data.id,
				attributes: expect.objectContaining({
					amount: 10,
					reference_id: body.data.attributes.reference_id,
				}),
			}),
		});
		const stored = await api().get(`/payout-invoices/${first.data.data.id}`);
		expect(stored.data.data.attributes.amount).toBe(10);
		const ledger = sb.ledger();
		expect(ledger.invoices).toHaveLength(1);
		expect(ledger.summary.createAttempts).toMatchObject({
			total: 2,
			accepted: 1,
			rejected: 1,
			committed: 1,
			rejectedByStatus: { '409': 1 },
		});
		expect(ledger.calls[1]).toMatchObject({
			outcome: 'rejected',
			committed: false,
			httpStatus: 409,
			error: 'duplicated_reference_id',
		});
	});
});

describe('process', () => {
	test('answers processing at once, then processed with processed_* set', async () => {
		const { created, processing, final } = await createAndProcess(testUsdBody({ amount: 42.42 }));
		expect(created.attributes.status).toBe('created');
		expect(processing.attributes.status).toBe('processing');
		expect(final.attributes).toMatchObject({
			status: 'processed',
			resolution: 'ok',
			processed_amount: 42.42,
			processed_fee: 0,
			processed_writeoff: 42.42,
		});
		expect(final.attributes.processed).toBeGreaterThanOrEqual(created.attributes.created);
		expect(final.attributes.updated).toBeGreaterThanOrEqual(created.attributes.updated);
	});

	test('409 invalid_status once the invoice has left created; 404 for an unknown id', async () => {
		const { id } = await createAndProcess(testUsdBody());
		const again = await api().post(`/payout-invoices/${id}/process`);
		expect(again.status).toBe(409);
		expect(again.data.errors[0]).toMatchObject({
			status: 'Conflict',
			code: '409',
			title: 'invalid_status',
		});
		const missing = await api().post('/payout-invoices/cpoi_AAAAAAAAAAAAAAAA/process');
		expect(missing.status).toBe(404);
		const s = sb.ledger().summary;
		expect(s.processCalls).toMatchObject({
			total: 3,
			accepted: 1,
			rejected: 2,
			committed: 1,
			rejectedByStatus: { '409': 1, '404': 1 },
		});
		expect(s.invoicesProcessedMoreThanOnce).toBe(0);
		expect(sb.ledger().invoices[0].processCommitted).toBe(1);
	});

	test('options.auto_process: created answers processing, and a later process call is refused', async () => {
		const r = await api().post(
			'/payout-invoices',
			testUsdBody({ options: { auto_process: true } }),
		);
		expect(r.status).toBe(201);
		expect(r.data.data.attributes.status).toBe('processing');
		expect((await api().post(`/payout-invoices/${r.data.data.id}/process`)).status).toBe(409);
		expect((await finalOf(r.data.data.id)).attributes.status).toBe('processed');
		expect(sb.ledger().invoices[0].processCommitted).toBe(1);
	});

	test('an account without the auto_process option: the invoice stays created until a process call pays it', async () => {
		sb.configure({ autoProcessEnabled: false });
		const r = await api().post(
			'/payout-invoices',
			testUsdBody({ options: { auto_process: true } }),
		);
		expect(r.status).toBe(201);
		expect(r.data.data.attributes.status).toBe('created');
		await new Promise((resolve) => setTimeout(resolve, 60));
		expect(
			(await api().get(`/payout-invoices/${r.data.data.id}`)).data.data.attributes.status,
		).toBe('created');
		expect(sb.ledger().summary).toMatchObject({ processedInvoices: 0, autoProcessed: 0 });
		expect((await api().post(`/payout-invoices/${r.data.data.id}/process`)).status).toBe(200);
		expect(sb.ledger().summary).toMatchObject({ processedInvoices: 1, autoProcessed: 0 });
	});

	test('the ledger counts invoices processed by their create (auto_process) apart from process calls', async () => {
		await api().post('/payout-invoices', testUsdBody({ options: { auto_process: true } }));
		await createAndProcess(testUsdBody());
		expect(sb.ledger().summary).toMatchObject({
			processedInvoices: 2,
			autoProcessed: 1,
			processCalls: expect.objectContaining({ accepted: 1 }),
		});
	});

	test('process accepts an empty JSON body with a JSON content type', async () => {
		const created = await api().post('/payout-invoices', testUsdBody());
		const r = await api().post(`/payout-invoices/${created.data.data.id}/process`, '', {
			headers: { 'Content-Type': 'application/json' },
		});
		expect(r.status).toBe(200);
	});
});

describe('test_usd outcomes (docs/platform.md#the-test-service)', () => {
	const withFields = (fields: Record<string, string>) =>
		testUsdBody({ fields: { account: '1', ...fields } });

	test('success rate 0 → process_failed / declined_error', async () => {
		const { final } = await createAndProcess(withFields({ test_details_success_rate: '0' }));
		expect(final.attributes).toMatchObject({
			status: 'process_failed',
			resolution: 'declined_error',
			processed: null,
			processed_amount: 0,
		});
	});

	test('success rate 0 with a resolution → process_failed with that resolution', async () => {
		const { final } = await createAndProcess(
			withFields({
				test_details_success_rate: '0',
				test_details_payout_resolution: 'insufficient funds',
			}),
		);
		expect(final.attributes).toMatchObject({
			status: 'process_failed',
			resolution: 'insufficient_funds',
		});
	});

	test('expected status and resolution are where it ends on success', async () => {
		const { final } = await createAndProcess(
			withFields({
				test_details_payout_status: 'expired',
				test_details_payout_resolution: 'general-error',
			}),
		);
		expect(final.attributes).toMatchObject({ status: 'expired', resolution: 'general_error' });
	});

	test('partially processed pays half', async () => {
		const { final } = await createAndProcess(
			testUsdBody({
				amount: 10,
				fields: { account: '1', test_details_payout_status: 'partially processed' },
			}),
		);
		expect(final.attributes).toMatchObject({ status: 'partially_processed', processed_amount: 5 });
	});

	test('success rate 50 gives a mix, the same mix for the same seed', async () => {
		const run = async () => {
			sb.reset();
			// Processed one after the other (the outcome draws follow the processing order), finals awaited together.
			const ids: string[] = [];
			for (let i = 0; i < 20; i++) {
				const created = await api().post(
					'/payout-invoices',
					withFields({ test_details_success_rate: '50' }),
				);
				await api().post(`/payout-invoices/${created.data.data.id}/process`);
				ids.push(created.data.data.id);
			}
			return Promise.all(ids.map(async (id) => (await finalOf(id)).attributes.status as string));
		};
		const first = await run();
		expect(first).toContain('processed');
		expect(first).toContain('process_failed');
		expect(await run()).toEqual(first);
	});
});

describe('magic values of the other services', () => {
	test.each([
		['4111111111110002', 'process_failed', 'insufficient_funds'],
		['4111111111110003', 'process_failed', 'invalid_details'],
		['4111111111110004', 'process_failed', 'recipient_not_found'],
		['4111111111110005', 'process_failed', 'limit_violation'],
		['4111111111111111', 'processed', 'ok'],
	])('card %s ends %s / %s', async (card, status, resolution) => {
		const { final } = await createAndProcess(cardBody(card));
		expect(final.attributes).toMatchObject({ status, resolution });
	});

	test('card ending 0009 stays process_pending', async () => {
		const { id, final } = await createAndProcess(cardBody('4111111111110009'));
		expect(final.attributes.status).toBe('process_pending');
		await new Promise((r) => setTimeout(r, 60));
		expect((await api().get(`/payout-invoices/${id}`)).data.data.attributes.status).toBe(
			'process_pending',
		);
	});

	test('IBAN ending 0002 fails the bank transfer with insufficient_funds', async () => {
		const { final } = await createAndProcess(
			testUsdBody({
				service: 'bank_transfer_eur',
				amount: 100,
				fields: { iban: 'DE89370400440532010002', beneficiary_name: 'Jane Roe' },
			}),
		);
		expect(final.attributes).toMatchObject({
			status: 'process_failed',
			resolution: 'insufficient_funds',
		});
	});
});

test('reference ids are independent of invoice ids: the same reference after reset is a new invoice', async () => {
	const ref = uniqueRef();
	const a = await api().post('/payout-invoices', testUsdBody({ reference_id: ref }));
	sb.reset();
	const b = await api().post('/payout-invoices', testUsdBody({ reference_id: ref }));
	expect(b.status).toBe(201);
	expect(b.data.data.id).not.toBe(a.data.data.id);
});
