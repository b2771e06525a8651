/**
 * The credential test (the node's `credentialTest` method, named by `testedBy` on both nodes), called as n8n calls
 * it: with a credential and n8n-core's own `request` helper (proxyRequestToAxios), against the sandbox at either
 * Private API path. It must say the mode, the keys it checked and where it found the API, explain 401/403/404 and
 * a host that cannot be reached, and never echo a secret.
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { proxyRequestToAxios } from 'n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { PaymentsTrust } from '../../nodes/PaymentsTrust/PaymentsTrust.node';
import { PaymentsTrustTrigger } from '../../nodes/PaymentsTrustTrigger/PaymentsTrustTrigger.node';
import { paymentsTrustCredentialTest } from '../../nodes/PaymentsTrust/methods/credentialTest';
import { forgetPrivateApiPaths } from '../../nodes/PaymentsTrust/transport/privateApiPath';

const context = {
	logger: { debug() {}, info() {}, warn() {}, error() {} },
	helpers: {
		request: async (uriOrObject: string | object, options?: object) =>
			await proxyRequestToAxios(undefined, undefined, undefined, uriOrObject as never, options as never),
	},
} as unknown as ICredentialTestFunctions;

async function credentialTest(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	return await paymentsTrustCredentialTest.call(context, { id: '1', name: 'PaymentsTrust', type: 'paymentsTrustApi', data });
}

const SECRETS = ['sandbox_api_key', 'sk_test_sandbox', 'sk_live_sandbox'];
const expectNoSecret = (result: INodeCredentialTestResult) => {
	for (const secret of SECRETS) expect(result.message).not.toContain(secret);
};

let atApi: RunningSandbox;
let atRoot: RunningSandbox;
beforeAll(async () => {
	atApi = await startSandbox({ port: 0 });
	atRoot = await startSandbox({ port: 0, privateApiPath: '' });
});
afterAll(async () => {
	await atApi.close();
	await atRoot.close();
});
beforeEach(() => forgetPrivateApiPaths());

it('both nodes name the method as the credential’s test (testedBy), and it is there', () => {
	for (const node of [new PaymentsTrust(), new PaymentsTrustTrigger()]) {
		expect(node.description.credentials).toEqual([expect.objectContaining({ name: 'paymentsTrustApi', testedBy: 'paymentsTrustCredentialTest' })]);
		expect(node.methods?.credentialTest?.paymentsTrustCredentialTest).toBe(paymentsTrustCredentialTest);
	}
});

it('at /api: OK, says Test mode, where the Private API was found and which keys it checked (prefixes only)', async () => {
	const result = await credentialTest({ ...atApi.credentials });
	expect(result.status).toBe('OK');
	expect(result.message).toContain('Test mode: every invoice is created with test_mode true.');
	expect(result.message).toContain(`Private API found at ${atApi.baseUrl}/api;`);
	expect(result.message).toContain('Public Key pk_test_…, Test Secret Key sk_test_…, Live Secret Key sk_live_…');
	expect(result.message).not.toContain('pk_test_sandbox');
	expectNoSecret(result);
});

it('at the host root: OK, found at the base URL itself; Live mode is said as such', async () => {
	const result = await credentialTest({ ...atRoot.credentials, environment: 'live', publicKey: '' });
	expect(result).toEqual({ status: 'OK', message: expect.stringContaining(`Private API found at ${atRoot.baseUrl};`) });
	expect(result.message).toContain('Live mode: every invoice is created with test_mode false.');
});

it('a path the user set is checked as given', async () => {
	expect(await credentialTest({ ...atRoot.credentials, privateApiPath: '/' })).toMatchObject({ status: 'OK', message: expect.stringContaining(`Private API at ${atRoot.baseUrl} (as set in the credential)`) });
	const wrong = await credentialTest({ ...atRoot.credentials, privateApiPath: '/api' });
	expect(wrong).toEqual({ status: 'Error', message: `Private API Path as set: ${atRoot.baseUrl}/api answered HTTP 404 (nothing there).` });
});

it('keys of the other mode: Error naming the Environment and the key, before any request', async () => {
	const result = await credentialTest({ ...atApi.credentials, baseUrl: 'http://127.0.0.1:9', publicKey: 'pk_live_secretish' });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/Environment is Test, but the Public Key is a live key \(pk_live_…\)/);
	expect(result.message).not.toContain('secretish');
});

it('401: says the account ID or API key is wrong, without the key', async () => {
	const result = await credentialTest({ ...atApi.credentials, apiKey: 'wrong_api_key_value' });
	expect(result.status).toBe('Error');
	expect(result.message).toContain(`${atApi.baseUrl}/api answered HTTP 401 (the Account ID or API key is wrong)`);
	expect(result.message).not.toContain('wrong_api_key_value');
	expectNoSecret(result);
});

it('an unreachable host: a plain sentence naming the host', async () => {
	const result = await credentialTest({ ...atApi.credentials, baseUrl: 'http://127.0.0.1:9' });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/the host 127\.0\.0\.1:9 could not be reached \(ECONNREFUSED\): check the Base URL/);
	expectNoSecret(result);
});

it('an unknown host name: ENOTFOUND, naming the host', async () => {
	const result = await credentialTest({ ...atApi.credentials, baseUrl: 'http://no-such-host.invalid' });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/the host no-such-host\.invalid could not be reached \((ENOTFOUND|EAI_AGAIN)\)/);
});

describe('a host that answers 403 (an IP whitelist) and 404', () => {
	let server: Server;
	let baseUrl: string;
	beforeAll(async () => {
		server = createServer((req, res) => {
			res.statusCode = req.url?.startsWith('/api/') ? 403 : 404;
			res.setHeader('Content-Type', 'application/json');
			res.end(JSON.stringify({ errors: [{ status: res.statusCode === 403 ? 'Forbidden' : 'Not Found', code: String(res.statusCode) }] }));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => await new Promise((resolve) => server.close(resolve)));

	it('explains the whitelist for the 403 and "nothing there" for the 404', async () => {
		const result = await credentialTest({ ...atApi.credentials, baseUrl });
		expect(result).toEqual({
			status: 'Error',
			message: `The Private API was not found: ${baseUrl}/api answered HTTP 403 (access denied: the Private API may only accept whitelisted IPs, ask PaymentsTrust to whitelist this n8n); ${baseUrl} answered HTTP 404 (nothing there).`,
		});
	});
});
