/** 401, 404, 405 and the 5xx shapes, across the API's paths. */
import axios from 'axios';
import { RunningSandbox, startSandbox } from '../../sandbox';
import { basicAuth, privateClient, testUsdBody } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0 });
});
afterAll(() => sb.close());
afterEach(() => sb.setFaults(null));

const UNAUTHORIZED = { errors: [{ status: 'Unauthorized', code: '401' }] };
const NOT_FOUND = { errors: [{ status: 'Not Found', code: '404' }] };
const NOT_ALLOWED = { errors: [{ status: 'Method Not Allowed', code: '405' }] };

describe('401 on the Private API', () => {
	const cases: [string, string][] = [
		['no Authorization header', ''],
		['wrong API key', basicAuth('coma_sandbox', 'wrong')],
		['wrong account ID', basicAuth('coma_other', 'sandbox_api_key')],
		['API key only', basicAuth('', 'sandbox_api_key')],
		['not Basic', 'Bearer sandbox_api_key'],
		['garbage', 'Basic %%%'],
	];
	test.each(cases)('%s', async (_name, auth) => {
		const api = privateClient(sb, auth);
		for (const [method, path] of [
			['get', '/payout-services'],
			['get', '/payout-invoices'],
			['get', '/payout-invoices/cpoi_AAAAAAAAAAAAAAAA'],
			['post', '/payout-invoices'],
			['post', '/payout-invoices/cpoi_AAAAAAAAAAAAAAAA/process'],
		] as const) {
			const r = method === 'get' ? await api.get(path) : await api.post(path, testUsdBody());
			expect([path, r.status, r.data]).toEqual([path, 401, UNAUTHORIZED]);
		}
	});

	test('a 401 create is in the ledger as rejected and wrote nothing', async () => {
		sb.reset();
		await privateClient(sb, '').post('/payout-invoices', testUsdBody({ reference_id: 'no-auth' }));
		const l = sb.ledger();
		expect(l.invoices).toHaveLength(0);
		expect(l.calls).toEqual([
			expect.objectContaining({
				operation: 'create',
				referenceId: 'no-auth',
				outcome: 'rejected',
				httpStatus: 401,
				committed: false,
			}),
		]);
	});
});

test('404: unknown paths (with or without auth) and unknown ids', async () => {
	const api = privateClient(sb);
	for (const url of [
		`${sb.baseUrl}/`,
		`${sb.baseUrl}/api`,
		`${sb.privateApiUrl}/payout-refunds`,
		`${sb.publicApiUrl}/nothing`,
		`${sb.baseUrl}/v1/payout-invoices`,
	]) {
		const r = await api.get(url);
		expect([url, r.status, r.data]).toEqual([url, 404, NOT_FOUND]);
	}
	expect((await api.get('/payout-invoices/cpoi_AAAAAAAAAAAAAAAA')).data).toEqual(NOT_FOUND);
	expect((await api.get('/payout-services/comcpos_AAAAAAAAAAAAAAAA')).data).toEqual(NOT_FOUND);
});

test('405 for a wrong method on every known path, with an Allow header', async () => {
	const client = axios.create({ baseURL: sb.baseUrl, validateStatus: () => true });
	const cases: [string, string, string][] = [
		['get', '/public-api/payout-prerequest', 'POST'],
		['post', '/public-api/payout-invoices', 'GET'],
		['delete', '/public-api/payout-invoices/cpoi_x', 'GET'],
		['put', '/api/payout-services', 'GET'],
		['post', '/api/payout-services/comcpos_x', 'GET'],
		['delete', '/api/payout-invoices', 'GET, POST'],
		['patch', '/api/payout-invoices/cpoi_x', 'GET'],
		['get', '/api/payout-invoices/cpoi_x/process', 'POST'],
	];
	for (const [method, url, allow] of cases) {
		const r = await client.request({ method, url });
		expect([method, url, r.status, r.data, r.headers.allow]).toEqual([
			method,
			url,
			405,
			NOT_ALLOWED,
			allow,
		]);
	}
});

test('a trailing slash reaches the same endpoint', async () => {
	expect((await privateClient(sb).get('/payout-services/')).status).toBe(200);
});

test.each([
	[500, 'internal_error', 'Internal server error.'],
	[502, 'bad_gateway', 'Bad gateway.'],
	[503, 'service_unavailable', 'Service temporarily unavailable.'],
	[504, 'gateway_timeout', 'Gateway timeout.'],
])('%d in the reference 5xx shape', async (status, title, detail) => {
	sb.setFaults({ rate: 1, kinds: { [String(status)]: 1 } });
	const r = await privateClient(sb).get('/payout-services');
	expect(r.status).toBe(status);
	expect(r.data).toEqual({ errors: [{ status: title, code: String(status), title, detail }] });
});
