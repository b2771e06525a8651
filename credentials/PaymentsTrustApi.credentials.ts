import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

/**
 * One PaymentsTrust commerce account.
 *
 * The Private API authenticates with HTTP Basic (account ID : API key); the Public API takes the public key
 * in the request; the secret key never travels with a request, it only verifies callback signatures
 * (PaymentsTrust Trigger). Test or live mode is decided by the keys themselves, not by the host.
 */
export class PaymentsTrustApi implements ICredentialType {
	name = 'paymentsTrustApi';

	displayName = 'PaymentsTrust API';

	icon: Icon = {
		light: 'file:../nodes/PaymentsTrust/paymentstrust.svg',
		dark: 'file:../nodes/PaymentsTrust/paymentstrust.dark.svg',
	};

	documentationUrl = 'https://github.com/paymentstrust/n8n-nodes-paymentstrust#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://pay.paymentstrust.com',
			placeholder: 'https://pay.paymentstrust.com',
			description:
				'Scheme and host of the PaymentsTrust platform. Change it only if your account manager gave you another host, or to point at the local sandbox (http://127.0.0.1:4010).',
			required: true,
		},
		{
			displayName: 'Private API Path',
			name: 'privateApiPath',
			type: 'string',
			default: '/api',
			description: 'Path of the Private API under the base URL (the API reference links start with /api)',
		},
		{
			displayName: 'Public API Path',
			name: 'publicApiPath',
			type: 'string',
			default: '/public-api',
			description: 'Path of the Public API under the base URL',
		},
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			placeholder: 'coma_vT6LDU0TxOxmbOot',
			description: 'Commerce account ID: the user name of the Private API’s HTTP Basic authentication',
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The account’s API key: the password of the Private API’s HTTP Basic authentication',
			required: true,
		},
		{
			displayName: 'Public Key',
			name: 'publicKey',
			type: 'string',
			default: '',
			placeholder: 'pk_test_…',
			description: 'Public key (pk_live_… or pk_test_…), used by the Pre-request operation',
		},
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'sk_test_…',
			description:
				'Secret key (sk_live_… or sk_test_…) matching the mode of your invoices. Never sent anywhere: PaymentsTrust Trigger uses it to verify the X-Signature of status callbacks.',
		},
	];

	/**
	 * HTTP Basic (account ID : API key) on every Private API request. A function rather than the declarative
	 * `{ type: 'generic', properties: { auth: { username: '={{$credentials.accountId}}', … } } }`: n8n evaluates
	 * those expressions on every request, which cost about a third of the node's CPU time per payout in bulk
	 * runs (bench/results.md); a function is simply called. Same result: `auth.username` / `auth.password`.
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			auth: { ...requestOptions.auth, username: String(credentials.accountId ?? ''), password: String(credentials.apiKey ?? '') },
		};
	}

	// A cheap authenticated read: one payout service. The rules turn the usual failures into plain advice.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "") + $credentials.privateApiPath}}',
			url: '/payout-services',
			qs: { 'page[number]': 1, 'page[size]': 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: { value: 401, message: 'Account ID or API key is wrong (401 Unauthorized)' },
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Access denied (403): the Private API may be restricted to whitelisted IPs. Ask PaymentsTrust to whitelist the IP of this n8n instance.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message: 'Nothing found at this address (404): check the Base URL and the Private API Path',
				},
			},
		],
	};
}
