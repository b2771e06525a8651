/**
 * Payout Service → Get Many and Get, run as workflows against the sandbox (28 services on the account).
 * A recording proxy sits between the node and the sandbox so the tests can see which pages were asked for.
 */
import { SERVICES } from '../../sandbox';
import type { RecordingProxy } from '../support/recordingProxy';
import { useSandboxBehindProxies } from '../support/sandboxSuite';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

/** smallPages serves at most 5 services per page, as a server with a small maximum page size would. */
const { sandbox, proxy, smallPages } = useSandboxBehindProxies(5);

// The Private API Path as set, so that the proxy sees the operation's own requests only (no look-up first).
const via = (target: RecordingProxy) => ({
	...sandbox.credentials,
	baseUrl: target.baseUrl,
	privateApiPath: '/api',
});
const getMany = (extra: Record<string, unknown>) => ({
	resource: 'payoutService',
	operation: 'getMany',
	...extra,
});
const listRequests = (target: RecordingProxy) => target.requestsTo('GET', '/api/payout-services');

describe('Get Many', () => {
	it('Return All returns every service of the account once, in the friendly shape', async () => {
		const run = await runNode(via(proxy), getMany({ returnAll: true }));
		const services = run.json();
		expect(services).toHaveLength(SERVICES.length);
		expect(new Set(services.map((service) => service.id))).toEqual(
			new Set(SERVICES.map((service) => service.id)),
		);
		const testUsd = services.find((service) => service.service === 'test_usd');
		expect(testUsd).toEqual({
			id: SERVICES.find((service) => service.code === 'test_usd')!.id,
			service: 'test_usd',
			method: 'test',
			currency: 'USD',
			serviceCurrency: 'USD',
			available: true,
			active: true,
			enabled: true,
			amountMin: 0.01,
			amountMax: 9999999,
			feeMin: 0,
			feeMax: 0,
			feeRate: 0,
			feeFix: 0,
			testMode: true,
		});
		// One page of the largest size the node asks for is enough for 28 services.
		expect(listRequests(proxy).map((request) => request.query)).toEqual([
			{ 'page[number]': '1', 'page[size]': '100' },
		]);
	});

	it('Limit returns exactly that many, asking for a page of that size', async () => {
		const run = await runNode(via(proxy), getMany({ returnAll: false, limit: 7 }));
		expect(run.json().map((service) => service.service)).toEqual(
			SERVICES.slice(0, 7).map((service) => service.code),
		);
		expect(listRequests(proxy).map((request) => request.query)).toEqual([
			{ 'page[number]': '1', 'page[size]': '7' },
		]);
	});

	it('Return All walks every page when the server serves fewer per page than asked (6 pages of 5)', async () => {
		const run = await runNode(via(smallPages), getMany({ returnAll: true }));
		const ids = run.json().map((service) => service.id);
		expect(ids).toEqual(SERVICES.map((service) => service.id));
		expect(new Set(ids).size).toBe(SERVICES.length);
		expect(listRequests(smallPages).map((request) => request.query['page[number]'])).toEqual([
			'1',
			'2',
			'3',
			'4',
			'5',
			'6',
		]);
	});

	it('Limit 7 over pages of 5 takes two pages and stops', async () => {
		const run = await runNode(via(smallPages), getMany({ returnAll: false, limit: 7 }));
		expect(run.json().map((service) => service.id)).toEqual(
			SERVICES.slice(0, 7).map((service) => service.id),
		);
		expect(listRequests(smallPages).map((request) => request.query['page[number]'])).toEqual([
			'1',
			'2',
		]);
	});

	it('Limit above the number of services returns all of them', async () => {
		const run = await runNode(sandbox.credentials, getMany({ returnAll: false, limit: 30 }));
		expect(run.json()).toHaveLength(SERVICES.length);
	});

	it('Include Raw Response adds the API resource', async () => {
		const run = await runNode(
			sandbox.credentials,
			getMany({ returnAll: false, limit: 1, options: { includeRaw: true } }),
		);
		const [service] = run.json();
		expect(service.raw).toMatchObject({
			type: 'payout-services',
			id: service.id,
			attributes: { service: service.service },
		});
	});

	it('runs once per input item, each output paired with its item', async () => {
		const run = await runNode(sandbox.credentials, getMany({ returnAll: false, limit: 2 }), [
			{ a: 1 },
			{ a: 2 },
		]);
		expect(run.items().map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
			{ item: 1 },
			{ item: 1 },
		]);
	});
});

describe('Get', () => {
	const payment = SERVICES.find((service) => service.code === 'payment_card_usd')!;

	it('returns the service with this ID', async () => {
		const run = await runNode(sandbox.credentials, {
			resource: 'payoutService',
			operation: 'get',
			serviceId: payment.id,
		});
		expect(run.json()).toEqual([
			expect.objectContaining({
				id: payment.id,
				service: 'payment_card_usd',
				amountMin: 1,
				amountMax: 5000,
				feeRate: 1.5,
				feeFix: 0.3,
			}),
		]);
		expect(run.json()[0]).not.toHaveProperty('raw');
	});

	it('reads the ID per item from an expression, outputs in input order with pairedItem', async () => {
		const codes = ['swift_usd', 'test_usd', 'ach_usd'];
		const rows = codes.map((code) => ({
			id: SERVICES.find((service) => service.code === code)!.id,
		}));
		const run = await runNode(
			sandbox.credentials,
			{ resource: 'payoutService', operation: 'get', serviceId: '={{ $json.id }}' },
			rows,
		);
		expect(run.json().map((service) => service.service)).toEqual(codes);
		expect(run.items().map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
	});

	it('an unknown ID fails the run with the 404 and what to check', async () => {
		const run = await runNode(sandbox.credentials, {
			resource: 'payoutService',
			operation: 'get',
			serviceId: 'comcpos_unknown',
		});
		expect(run.result.status).toBe('error');
		expect(run.result.executionError?.message).toBe(
			'Row 1 (item 0): Get payout service "comcpos_unknown" failed with HTTP 404: Not Found',
		);
		expect(run.result.executionError?.description).toMatch(/^Not found: check the ID/);
	});

	it('with Continue On Fail an unknown ID becomes an error item naming the row; the other rows go on', async () => {
		const rows = [{ id: payment.id }, { id: 'comcpos_unknown' }, { id: payment.id }];
		const run = await runNode(
			sandbox.credentials,
			{ resource: 'payoutService', operation: 'get', serviceId: '={{ $json.id }}' },
			rows,
			CONTINUE_ON_FAIL,
		);
		const [first, failed, third] = run.items();
		expect(first.json.service).toBe('payment_card_usd');
		expect(third.json.service).toBe('payment_card_usd');
		expect(failed.json).toEqual({
			error: 'Row 2 (item 1): Get payout service "comcpos_unknown" failed with HTTP 404: Not Found',
			row: 2,
			stage: 'api',
			httpCode: '404',
			description: expect.stringMatching(/^Not found: check the ID/),
			testMode: true,
		});
		expect(failed.pairedItem).toEqual({ item: 1 });
	});

	it('an ID that is empty after its expression is refused instead of reading the service list', async () => {
		const run = await runNode(
			via(proxy),
			{ resource: 'payoutService', operation: 'get', serviceId: '={{ $json.id }}' },
			[{ id: '' }],
		);
		expect(failureText(run.result)).toMatch(/^Row 1 \(item 0\): no payout service chosen/);
		expect(proxy.requests).toEqual([]);
	});
});
