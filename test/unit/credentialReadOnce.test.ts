/**
 * The credential is read once per node run and that read is handed to n8n's authenticated helper with every
 * request (issue 21): n8n would otherwise read and decrypt it from its database again for each request, the largest
 * cost per payout left in a bulk run. n8n still authenticates every request itself (the helper applies the
 * credential's HTTP Basic auth, proxy and TLS settings); only the database read is not repeated.
 */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../nodes/PaymentsTrust/transport/endpoints';
import { sendOnce } from '../../nodes/PaymentsTrust/transport/request';
import { paymentsTrustNode, UNREACHABLE_CREDENTIAL } from '../support/payoutWorkflow';

const CREDENTIAL = UNREACHABLE_CREDENTIAL;

function fakeContext() {
	const getCredentials = jest.fn(async () => ({ ...CREDENTIAL }));
	const authenticated: Array<{ type: string; options: IHttpRequestOptions; extra: unknown }> = [];
	const ctx = {
		getCredentials,
		getNode: () =>
			paymentsTrustNode({
				credentials: { [CREDENTIAL_TYPE]: { id: 'cred-7', name: 'PaymentsTrust sandbox' } },
			}),
		helpers: {
			httpRequestWithAuthentication: jest.fn(
				async (type: string, options: IHttpRequestOptions, extra: unknown) => {
					authenticated.push({ type, options, extra });
					return { statusCode: 200, headers: {}, body: { data: [] } };
				},
			),
			httpRequest: jest.fn(),
		},
	} as unknown as IExecuteFunctions;
	return { ctx, getCredentials, authenticated };
}

it('reads the credential once for many requests and hands that read to every authenticated request', async () => {
	const { ctx, getCredentials, authenticated } = fakeContext();
	await Promise.all(
		Array.from(
			{ length: 25 },
			async () =>
				await sendOnce(ctx, { api: 'private', method: 'GET', path: '/payout-invoices' }, 5_000),
		),
	);
	expect(getCredentials).toHaveBeenCalledTimes(1);
	expect(authenticated).toHaveLength(25);
	for (const call of authenticated) {
		expect(call.type).toBe(CREDENTIAL_TYPE);
		expect(call.extra).toEqual({
			credentialsDecrypted: {
				id: 'cred-7',
				name: 'PaymentsTrust sandbox',
				type: CREDENTIAL_TYPE,
				data: expect.objectContaining({ accountId: 'acc-1', apiKey: 'api-key-secret' }),
			},
		});
	}
	// Each request gets its own copy: whatever n8n adds to one request's credential data stays there.
	const datas = authenticated.map(
		(call) => (call.extra as { credentialsDecrypted: { data: object } }).credentialsDecrypted.data,
	);
	expect(new Set(datas).size).toBe(25);
});

it('a second node run reads the credential again (a credential edited between runs is used)', async () => {
	const first = fakeContext();
	const second = fakeContext();
	await sendOnce(first.ctx, { api: 'private', method: 'GET', path: '/payout-invoices' }, 5_000);
	await sendOnce(second.ctx, { api: 'private', method: 'GET', path: '/payout-invoices' }, 5_000);
	expect(first.getCredentials).toHaveBeenCalledTimes(1);
	expect(second.getCredentials).toHaveBeenCalledTimes(1);
});
