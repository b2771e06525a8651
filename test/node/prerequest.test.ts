/**
 * Pre-request → Get Available Services (Public API, authenticated by the credential's public key), run as
 * workflows against the sandbox. Expected service lists are computed from the sandbox's own catalogue.
 */
import { SERVICES, startSandbox, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest } from '../support/explicitMode';
import { startRecordingProxy, type RecordingProxy } from '../support/recordingProxy';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

let sandbox: RunningSandbox;
let proxy: RecordingProxy;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
	proxy = await startRecordingProxy(sandbox.baseUrl);
});
afterAll(async () => {
	await proxy.close();
	await sandbox.close();
});
checkModeAfterEachTest(() => sandbox);
beforeEach(() => proxy.clear());

const prerequest = (amount: string, currency = 'USD') => ({
	resource: 'prerequest',
	operation: 'getServices',
	currency,
	amount,
});

/** Codes of the services the account can use for this amount, per the sandbox catalogue. */
function expectedCodes(currency: string, amount: number): string[] {
	return SERVICES.filter(
		(service) =>
			service.enabled &&
			service.available &&
			service.currency === currency &&
			service.amountMin <= amount &&
			amount <= service.amountMax,
	)
		.map((service) => service.code)
		.sort();
}

describe('Get Available Services', () => {
	it('USD 10: every usable service for the amount, test_usd with its fields, limits and exchange rate', async () => {
		const run = await runNode(sandbox.credentials, prerequest('10'));
		const services = run.json();
		expect(services.map((service) => service.service).sort()).toEqual(expectedCodes('USD', 10));
		const testUsd = services.find((service) => service.service === 'test_usd');
		expect(testUsd).toEqual({
			service: 'test_usd',
			method: 'test',
			currency: 'USD',
			requestedCurrency: 'USD',
			requestedAmount: 10,
			amount: '10.00',
			exchangeRate: 1,
			amountMin: 0.01,
			amountMax: 9999999,
			testMode: true,
			fields: [
				{
					key: 'account',
					label: 'Account',
					hint: 'Account',
					type: 'string',
					required: true,
					regexp: String.raw`^\d{1,15}$`,
					example: null,
				},
				expect.objectContaining({
					key: 'test_details_success_rate',
					label: 'Success rate (%)',
					required: false,
				}),
				expect.objectContaining({
					key: 'test_details_payout_status',
					label: 'Expected status',
					required: false,
				}),
				expect.objectContaining({
					key: 'test_details_payout_resolution',
					label: 'Expected resolution',
					required: false,
				}),
			],
		});
		// A service paying in another currency shows that currency, its rate and the amount the recipient gets.
		expect(services.find((service) => service.service === 'bank_transfer_eur')).toMatchObject({
			currency: 'EUR',
			requestedCurrency: 'USD',
			exchangeRate: 0.92,
			amount: '9.20',
		});
		// The disabled service and the one with a minimum of 100 are not offered.
		expect(services.map((service) => service.service)).not.toContain('legacy_card_usd');
		expect(services.map((service) => service.service)).not.toContain('wire_usd');
	});

	it('sends one POST /payout-prerequest with the public key in the body and no Basic auth', async () => {
		const run = await runNode(
			{ ...sandbox.credentials, baseUrl: proxy.baseUrl, apiKey: 'not-used' },
			prerequest('10'),
		);
		expect(run.json().length).toBeGreaterThan(1);
		expect(
			proxy.requests.map((request) => `${request.method} ${request.path} ${request.status}`),
		).toEqual(['POST /public-api/payout-prerequest 200']);
		// The account's API key is not sent to the Public API; the public key travels in the body as in the reference.
		expect(proxy.requests[0].authorization).toBe(false);
		expect(JSON.parse(proxy.requests[0].body)).toEqual({
			currency: 'USD',
			amount: 10,
			public_key: sandbox.credentials.publicKey,
		});
	});

	it('an amount above most services’ maximum returns fewer services; above every maximum none', async () => {
		const big = await runNode(sandbox.credentials, prerequest('2000000'));
		expect(
			big
				.json()
				.map((service) => service.service)
				.sort(),
		).toEqual(expectedCodes('USD', 2000000));
		expect(big.json().length).toBeLessThan(expectedCodes('USD', 10).length);
		expect(big.json().map((service) => service.service)).toEqual(['test_usd']);

		const tooBig = await runNode(sandbox.credentials, prerequest('10000000'));
		expect(tooBig.result.status).toBe('success');
		expect(tooBig.json()).toEqual([]);
	});

	it('other currencies: JPY lists the yen card service', async () => {
		const run = await runNode(sandbox.credentials, prerequest('1000', 'jpy'));
		expect(run.json().map((service) => service.service)).toEqual(expectedCodes('JPY', 1000));
		expect(run.json()[0]).toMatchObject({ service: 'payment_card_jpy', requestedCurrency: 'JPY' });
	});

	it('one request per row, outputs paired with their row', async () => {
		const run = await runNode(sandbox.credentials, prerequest('={{ $json.amount }}'), [
			{ amount: '10' },
			{ amount: '2000000' },
		]);
		const items = run.items();
		expect(
			items.filter((item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0),
		).toHaveLength(expectedCodes('USD', 10).length);
		expect(
			items
				.filter((item) => (item.pairedItem as { item: number }).item === 1)
				.map((item) => item.json.service),
		).toEqual(['test_usd']);
		// Items of row 1 come before those of row 2.
		const order = items.map((item) => (item.pairedItem as { item: number }).item);
		expect(order).toEqual([...order].sort());
	});

	it('a bad amount ("1,000") fails naming the row and the rule; nothing is sent for it', async () => {
		const run = await runNode(
			{ ...sandbox.credentials, baseUrl: proxy.baseUrl },
			prerequest('={{ $json.amount }}'),
			[{ amount: '10' }, { amount: '1,000' }],
		);
		expect(run.result.status).toBe('error');
		expect(failureText(run.result)).toMatch(
			/^Row 2 \(item 1\): amount "1,000" must not contain commas/,
		);
		expect(proxy.requests).toHaveLength(1); // row 1 only
	});

	it('with Continue On Fail the bad row becomes an error item and the good rows still answer', async () => {
		const run = await runNode(
			sandbox.credentials,
			prerequest('={{ $json.amount }}'),
			[{ amount: 'abc' }, { amount: '2000000' }],
			CONTINUE_ON_FAIL,
		);
		const [failed, ...rest] = run.items();
		expect(failed.json).toEqual({
			error: expect.stringMatching(
				/^Row 1 \(item 0\): amount "abc" must be a plain decimal number/,
			),
			row: 1,
			stage: 'node',
			testMode: true,
		});
		expect(failed.pairedItem).toEqual({ item: 0 });
		expect(rest.map((item) => item.json.service)).toEqual(['test_usd']);
	});

	it('a credential without a public key fails with what to add, before sending anything', async () => {
		const run = await runNode(
			{ ...sandbox.credentials, baseUrl: proxy.baseUrl, publicKey: '' },
			prerequest('10'),
		);
		expect(run.result.executionError?.message).toBe(
			'The credential has no public key: the pre-request is a Public API call',
		);
		expect(run.result.executionError?.description).toMatch(
			/Add the public key \(pk_test_… or pk_live_…\)/,
		);
		expect(proxy.requests).toEqual([]);
	});

	it('a wrong public key answers 401 and the error says to check the keys', async () => {
		const run = await runNode(
			{ ...sandbox.credentials, publicKey: 'pk_test_wrong' },
			prerequest('10'),
		);
		expect(run.result.executionError?.message).toBe(
			'Row 1 (item 0): Pre-request failed with HTTP 401: Unauthorized',
		);
		expect(run.result.executionError?.description).toMatch(/public key for the Public API/);
		expect((run.result.executionError as { httpCode?: string }).httpCode).toBe('401');
	});

	it('a Public API Path that points at a GET-only resource answers 405, reported as such', async () => {
		// POST /public-api/payout-invoices/payout-prerequest hits the invoice look-up route, which only allows GET.
		const run = await runNode(
			{ ...sandbox.credentials, publicApiPath: '/public-api/payout-invoices' },
			prerequest('10'),
		);
		expect(run.result.executionError?.message).toBe(
			'Row 1 (item 0): Pre-request failed with HTTP 405: Method Not Allowed',
		);
		expect(run.result.executionError?.description).toBe(
			'This request method is not allowed here. Nothing was created.',
		);
	});
});
