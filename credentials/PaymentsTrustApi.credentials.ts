import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

/**
 * One PaymentsTrust commerce account, in one Environment (Test or Live).
 *
 * The same host, account ID and API key serve both modes: the mode of a payout is the `test_mode`
 * of its create request, which the PaymentsTrust node takes from Environment. The Private API
 * authenticates with HTTP Basic (account ID : API key); the Public API takes the public key in the
 * request; the secret keys never travel with a request, they only verify callback signatures
 * (PaymentsTrust Trigger), each for the invoices of its mode.
 *
 * The credential test is declarative (`test` below). A test function on the node could say more
 * (mode, keys, where the Private API was found), but n8n gives credential test functions only its
 * deprecated `request` helper, which n8n's scanner for community packages refuses with no exception
 * allowed. The node itself checks the keys against the Environment and finds the Private API before
 * its first request, and says so when it cannot.
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
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{
					name: 'Test',
					value: 'test',
					description: 'Every invoice is created with test_mode true: no money moves',
				},
				{
					name: 'Live',
					value: 'live',
					description: 'Every invoice is created with test_mode false: real payouts',
				},
			],
			default: 'test',
			description:
				'Whether the invoices this credential creates are test or live payouts. PaymentsTrust ' +
				'takes the mode from each create request (test_mode), not from the keys; the node ' +
				'refuses to run when a key of the other mode is in the credential.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://pay.paymentstrust.com',
			placeholder: 'https://pay.paymentstrust.com',
			description:
				'Scheme and host of the PaymentsTrust platform. Change it only if your account manager ' +
				'gave you another host, or to point at the local sandbox (http://127.0.0.1:4010).',
			// A declarative credential test has no rule for an answer that never came: n8n then shows
			// only the error code. The hint, always visible under the field, says what those codes mean.
			hint:
				'If the credential test shows ECONNREFUSED, ENOTFOUND, EAI_AGAIN or ETIMEDOUT, this ' +
				'n8n cannot reach the host: check this URL, and any proxy or firewall between n8n and ' +
				'PaymentsTrust',
			required: true,
		},
		{
			displayName: 'Private API Path',
			name: 'privateApiPath',
			type: 'string',
			default: '',
			placeholder: 'Automatic (/api or the host root)',
			description:
				'Path of the Private API under the base URL. Leave empty to find it automatically: the ' +
				'first read tries /api, then the host root, and uses the one that answers. Set it ' +
				'(e.g. /api, or / for the root) to use exactly that.',
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
			description:
				'Commerce account ID: the user name of the Private API’s HTTP Basic authentication',
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The account’s API key: the password of the Private API’s HTTP Basic authentication',
			required: true,
		},
		{
			displayName: 'Public Key',
			name: 'publicKey',
			type: 'string',
			default: '',
			placeholder: 'pk_test_…',
			description:
				'Public key of the Environment’s mode (pk_test_… for Test, pk_live_… for Live), used by ' +
				'the Pre-request operation',
		},
		{
			displayName: 'Test Secret Key',
			name: 'testSecretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'sk_test_…',
			description:
				'Secret key of test mode (sk_test_…). Never sent anywhere: PaymentsTrust Trigger uses it ' +
				'to verify callbacks of test invoices. May be empty.',
		},
		{
			displayName: 'Live Secret Key',
			name: 'liveSecretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'sk_live_…',
			description:
				'Secret key of live mode (sk_live_…). Never sent anywhere: PaymentsTrust Trigger uses it ' +
				'to verify callbacks of live invoices. May be empty.',
		},
	];

	/**
	 * HTTP Basic (account ID : API key) on every Private API request. A function rather than the
	 * declarative `{ type: 'generic', properties: { auth: { username: '={{$credentials.accountId}}',
	 * … } } }`: n8n evaluates those expressions on every request, which cost about a third of the
	 * node's CPU time per payout in bulk runs (bench/results.md); a function is simply called. Same
	 * result: `auth.username` / `auth.password`.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			auth: {
				...requestOptions.auth,
				username: String(credentials.accountId ?? ''),
				password: String(credentials.apiKey ?? ''),
			},
		};
	}

	/**
	 * One authenticated read of one payout service, where the node would look first: the Private API
	 * Path as set, or /api when it is left automatic (empty, "auto" or "automatic", as the node reads
	 * it; the node's own look-up tries /api, then the host root). The rules turn the usual failures
	 * into advice; n8n shows its own message for a host that cannot be reached (ECONNREFUSED,
	 * ENOTFOUND).
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ String($credentials.baseUrl).trim().replace(/\\/+$/, "") + (["", "auto", ' +
				'"automatic"].includes(String($credentials.privateApiPath || "").trim().toLowerCase()) ' +
				'? "/api" : String($credentials.privateApiPath).trim().replace(/\\/+$/, ' +
				'"").replace(/^\\/*/, "/").replace(/^\\/$/, "")) }}',
			url: '/payout-services',
			qs: { 'page[number]': 1, 'page[size]': 1 },
			headers: { Accept: 'application/json' },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'The Account ID or API key is wrong (401 Unauthorized)',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Access denied (403): the Private API may only accept whitelisted IPs. Ask ' +
						'PaymentsTrust to whitelist the IP address of this n8n.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No Private API at this address (404). The test asked Base URL + Private API ' +
						'Path, or Base URL + /api while the path is empty (automatic). If your Private API ' +
						'is at the host root, set Private API Path to / (the node itself tries both while ' +
						'it is empty); if you set a path, check it and the Base URL.',
				},
			},
		],
	};
}
