/**
 * The credential test is declarative (`test` on the credential): n8n resolves its URL expression, applies the
 * credential's `authenticate`, sends the request and turns an answer's status into the matching rule's message.
 * This suite does the same against the sandbox at either Private API path, so the expression and the rules are
 * proven here; the real n8n runs it in the e2e suite (REST credential test and the editor check).
 */
import axios from 'axios';
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { PaymentsTrustApi } from '../../credentials/PaymentsTrustApi.credentials';
import { PaymentsTrust } from '../../nodes/PaymentsTrust/PaymentsTrust.node';
import { PaymentsTrustTrigger } from '../../nodes/PaymentsTrustTrigger/PaymentsTrustTrigger.node';

const credentialType = new PaymentsTrustApi();

/** `={{ … }}` evaluated as n8n evaluates a credential expression: plain JavaScript with `$credentials` in scope. */
function resolve(expression: string, credentials: ICredentialDataDecryptedObject): string {
	const body = /^=\{\{([\s\S]*)\}\}$/.exec(expression.trim());
	if (!body) return expression;
	return String(new Function('$credentials', `return (${body[1]});`)(credentials));
}

interface Verdict {
	status: 'OK' | 'Error';
	url: string;
	message?: string;
}

/** What n8n's declarative credential test does: one request, then the first rule whose status matches. */
async function credentialTest(credentials: ICredentialDataDecryptedObject): Promise<Verdict> {
	const { request, rules = [] } = credentialType.test;
	const options = (await credentialType.authenticate(credentials, {
		...(request as IHttpRequestOptions),
		baseURL: resolve(String(request.baseURL), credentials),
	})) as IHttpRequestOptions;
	const url = `${options.baseURL}${options.url}`;
	const response = await axios.get(url, {
		params: options.qs,
		headers: options.headers as Record<string, string>,
		auth: options.auth as { username: string; password: string },
		maxRedirects: 0,
		validateStatus: () => true,
	});
	for (const rule of rules) {
		if (rule.type === 'responseCode' && rule.properties.value === response.status) {
			return { status: 'Error', url, message: rule.properties.message };
		}
	}
	return response.status >= 200 && response.status < 300
		? { status: 'OK', url }
		: { status: 'Error', url, message: `HTTP ${response.status}` };
}

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

it('no node names a test function: the credential’s own declarative test is the one n8n runs', () => {
	for (const node of [new PaymentsTrust(), new PaymentsTrustTrigger()]) {
		expect(node.description.credentials).toEqual([{ name: 'paymentsTrustApi', required: true }]);
		expect(
			(node as { methods?: { credentialTest?: unknown } }).methods?.credentialTest,
		).toBeUndefined();
	}
	expect(credentialType.test.request.url).toBe('/payout-services');
});

it('automatic path (empty): asks Base URL + /api, OK where the Private API is at /api', async () => {
	const result = await credentialTest({ ...atApi.credentials, privateApiPath: '' });
	expect(result).toEqual({ status: 'OK', url: `${atApi.baseUrl}/api/payout-services` });
	// "auto" and "automatic" are automatic too, as the node reads the field (transport/endpoints.ts isAutomaticPath).
	for (const privateApiPath of ['auto', ' Automatic ']) {
		expect(await credentialTest({ ...atApi.credentials, privateApiPath })).toEqual({
			status: 'OK',
			url: `${atApi.baseUrl}/api/payout-services`,
		});
	}
	// A Base URL typed with a trailing slash or spaces is read the same way.
	expect(
		await credentialTest({ ...atApi.credentials, baseUrl: ` ${atApi.baseUrl}/ ` }),
	).toMatchObject({ status: 'OK' });
});

it('a path the user set is tested as given: "/" is the host root, "api/" is /api', async () => {
	expect(await credentialTest({ ...atRoot.credentials, privateApiPath: '/' })).toEqual({
		status: 'OK',
		url: `${atRoot.baseUrl}/payout-services`,
	});
	expect(await credentialTest({ ...atApi.credentials, privateApiPath: 'api/' })).toEqual({
		status: 'OK',
		url: `${atApi.baseUrl}/api/payout-services`,
	});
});

it('a Private API at the host root with the path left automatic: 404, and the message says to set /', async () => {
	const result = await credentialTest({ ...atRoot.credentials, privateApiPath: '' });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/No Private API at this address \(404\)/);
	expect(result.message).toContain('set Private API Path to /');
});

it('a wrong path: 404 explained', async () => {
	const result = await credentialTest({ ...atApi.credentials, privateApiPath: '/no-such-path' });
	expect(result).toMatchObject({
		status: 'Error',
		url: `${atApi.baseUrl}/no-such-path/payout-services`,
		message: expect.stringMatching(/No Private API at this address \(404\)/),
	});
	// n8n shows a rule's message as written (matched by status code alone, no expressions): it must
	// read right for a path that was set, not only for the automatic one.
	expect(result.message).toContain('Base URL + Private API Path');
	expect(result.message).toContain('if you set a path, check it and the Base URL');
	expect(result.message).not.toMatch(/With Private API Path empty/);
});

it('a wrong API key: 401 explained, the key not in the message', async () => {
	const result = await credentialTest({ ...atApi.credentials, apiKey: 'wrong_api_key_value' });
	expect(result.status).toBe('Error');
	expect(result.message).toBe('The Account ID or API key is wrong (401 Unauthorized)');
});

it('every rule message names no credential field value', () => {
	for (const rule of credentialType.test.rules ?? []) {
		const message = JSON.stringify(rule.properties);
		for (const secret of ['sandbox_api_key', 'sk_test_sandbox', 'sk_live_sandbox', '$credentials'])
			expect(message).not.toContain(secret);
	}
});
