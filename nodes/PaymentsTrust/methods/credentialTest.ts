import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { environmentName, environmentOf, keyMismatches, keyMismatchMessage, keyPrefix } from '../transport/environment';
import { isAutomaticPath } from '../transport/endpoints';
import {
	describeDiscoveryFailure,
	describeProbe,
	findPrivateApi,
	isJsonApiAnswer,
	type ProbeGet,
	type ProbeResult,
} from '../transport/privateApiPath';

const UNREACHABLE = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT|ECONNABORTED)\b/;

/** The keys looked at, by their prefixes only: "Public Key pk_test_…, Test Secret Key sk_test_…". */
function keysChecked(data: ICredentialDataDecryptedObject): string {
	const fields: Array<[string, string]> = [
		['publicKey', 'Public Key'],
		['testSecretKey', 'Test Secret Key'],
		['liveSecretKey', 'Live Secret Key'],
		['secretKey', 'Secret Key (saved before)'],
	];
	const present = fields.filter(([field]) => String(data[field] ?? '').trim() !== '');
	if (present.length === 0) return 'No public or secret key is set (the Pre-request and the Trigger need them).';
	return `Keys checked against the Environment: ${present.map(([field, label]) => `${label} ${keyPrefix(data[field])}`).join(', ')}.`;
}

/**
 * The credential test (the node's `credentialTest`, named by `testedBy`): says which mode the credential pays in,
 * which keys it checked, and where the Private API answered, or in plain words why not (401, 403, 404, a host that
 * cannot be reached). Only key prefixes ever appear in its messages, never a key.
 */
export async function paymentsTrustCredentialTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const environment = environmentName(environmentOf(data));
	const problems = keyMismatches(data);
	if (problems.length > 0) return { status: 'Error', message: keyMismatchMessage(data, problems) };

	const baseUrl = String(data.baseUrl ?? '').trim().replace(/\/+$/, '');
	if (!/^https?:\/\/[^/]+/i.test(baseUrl)) {
		return { status: 'Error', message: `The Base URL "${baseUrl}" is not an http(s) address such as https://pay.paymentstrust.com.` };
	}
	const accountId = String(data.accountId ?? '');
	const apiKey = String(data.apiKey ?? '');
	const get: ProbeGet = async (url) => {
		try {
			// Credential tests get only the `request` helper from n8n (ICredentialTestFunctions).
			// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
			const response = (await this.helpers.request({
				method: 'GET',
				uri: url,
				json: true,
				auth: { user: accountId, pass: apiKey },
				headers: { Accept: 'application/json' },
				resolveWithFullResponse: true,
				simple: false,
				// A redirect is not where the API answers, and following one may carry the credentials elsewhere.
				followRedirect: false,
				timeout: 20_000,
			})) as { statusCode: number; body: unknown };
			return { kind: 'response', statusCode: Number(response.statusCode), body: response.body } as ProbeResult;
		} catch (error) {
			const raw = (error ?? {}) as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
			const text = String(raw.message ?? '');
			const code = String(raw.code ?? raw.cause?.code ?? UNREACHABLE.exec(text)?.[1] ?? 'ENETWORK');
			return { kind: 'network', code, message: text.slice(0, 200) };
		}
	};

	const mode = `${environment} mode: every invoice is created with test_mode ${environment === 'Test' ? 'true' : 'false'}.`;
	if (!isAutomaticPath(data.privateApiPath)) {
		const path = String(data.privateApiPath).trim().replace(/^\/*/, '/').replace(/\/+$/, '');
		const apiUrl = `${baseUrl}${path}`;
		const result = await get(`${apiUrl}/payout-services?page%5Bnumber%5D=1&page%5Bsize%5D=1`);
		if (!isJsonApiAnswer(result)) {
			return { status: 'Error', message: `Private API Path as set: ${describeProbe({ apiUrl, result })}.` };
		}
		return { status: 'OK', message: `${mode} Private API at ${apiUrl} (as set in the credential); account ID and API key accepted. ${keysChecked(data)}` };
	}
	const discovery = await findPrivateApi(baseUrl, accountId, get, { useMemory: false, attempts: 1 });
	if (!discovery.found) return { status: 'Error', message: describeDiscoveryFailure(discovery) };
	return { status: 'OK', message: `${mode} Private API found at ${discovery.found}; account ID and API key accepted. ${keysChecked(data)}` };
}
