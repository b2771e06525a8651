/**
 * The editor-side methods: the service list behind the pickers (listSearch `searchServices`, every
 * page read) and resourceMapping `getServiceFields` (the recipient fields of the chosen service),
 * called through n8n-core's real LoadOptionsContext as the editor backend does
 * (harness/loadOptions.ts).
 */
import { SERVICES } from '../../sandbox';
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { listSearch, resourceMapping } from '../../harness/loadOptions';
import { PT_TYPE } from '../support/payoutWorkflow';
import type { RecordingProxy } from '../support/recordingProxy';
import { useSandboxBehindProxies } from '../support/sandboxSuite';
import type { CredentialData } from '../support/runNode';

const { sandbox, proxy, smallPages } = useSandboxBehindProxies(5);

// The Private API Path as set, so that the proxy sees the method's own requests only (no look-up first).
const via = (target: RecordingProxy) => ({
	...sandbox.credentials,
	baseUrl: target.baseUrl,
	privateApiPath: '/api',
});
const payoutNode = (service: string): INodeParameters => ({
	resource: 'payoutInvoice',
	operation: 'createAndProcess',
	service,
});

const callResourceMapper = (call: {
	method: string;
	credentials: CredentialData;
	parameters: INodeParameters;
}) =>
	resourceMapping(call.method, {
		nodeType: PT_TYPE,
		parameters: call.parameters,
		credentials: { paymentsTrustApi: call.credentials as ICredentialDataDecryptedObject },
	});

describe('the service list behind the pickers', () => {
	it('reads every page when the server serves fewer services per page than asked', async () => {
		const { results } = await listSearch('searchServices', {
			nodeType: PT_TYPE,
			credentials: { paymentsTrustApi: via(smallPages) as ICredentialDataDecryptedObject },
		});
		expect(results).toHaveLength(SERVICES.length);
		expect(
			smallPages
				.requestsTo('GET', '/api/payout-services')
				.map((request) => request.query['page[number]']),
		).toEqual(['1', '2', '3', '4', '5', '6']);
	});
});

describe('getServiceFields', () => {
	it('test_usd: the four fields of the reference, account required', async () => {
		const { fields } = await callResourceMapper({
			method: 'getServiceFields',
			credentials: sandbox.credentials,
			parameters: payoutNode('test_usd'),
		});
		expect(fields.map((field) => [field.id, field.displayName, field.required])).toEqual([
			['account', 'Account', true],
			['test_details_success_rate', 'Success rate (%)', false],
			['test_details_payout_status', 'Expected status', false],
			['test_details_payout_resolution', 'Expected resolution', false],
		]);
		expect(
			fields.every((field) => field.type === 'string' && field.display && !field.canBeUsedToMatch),
		).toBe(true);
	});

	it('a service paying in another currency: asks the pre-request in the invoice currency at the service minimum', async () => {
		const { fields } = await callResourceMapper({
			method: 'getServiceFields',
			credentials: via(proxy),
			parameters: payoutNode('bank_transfer_eur'),
		});
		expect(fields.map((field) => [field.id, field.required])).toEqual([
			['iban', true],
			['beneficiary_name', true],
		]);
		const [prerequest] = proxy.requestsTo('POST', '/public-api/payout-prerequest');
		expect(JSON.parse(prerequest.body)).toEqual({
			currency: 'USD',
			amount: 10,
			public_key: sandbox.credentials.publicKey,
		});
	});

	it('the card services of other currencies have their card number field', async () => {
		const { fields } = await callResourceMapper({
			method: 'getServiceFields',
			credentials: sandbox.credentials,
			parameters: payoutNode('payment_card_jpy'),
		});
		expect(fields.map((field) => field.id)).toEqual(['card_number']);
	});

	it('no service chosen, an unknown service, or no public key: no fields and a notice saying why', async () => {
		const none = await callResourceMapper({
			method: 'getServiceFields',
			credentials: sandbox.credentials,
			parameters: payoutNode(''),
		});
		expect(none).toEqual({
			fields: [],
			emptyFieldsNotice: expect.stringMatching(/^Choose a payout service above/),
		});

		const unknown = await callResourceMapper({
			method: 'getServiceFields',
			credentials: sandbox.credentials,
			parameters: payoutNode('nope_usd'),
		});
		expect(unknown).toEqual({
			fields: [],
			emptyFieldsNotice: 'The account has no payout service "nope_usd"',
		});

		const noKey = await callResourceMapper({
			method: 'getServiceFields',
			credentials: { ...sandbox.credentials, publicKey: '' },
			parameters: payoutNode('test_usd'),
		});
		expect(noKey).toEqual({
			fields: [],
			emptyFieldsNotice: expect.stringMatching(/Add the public key/),
		});
	});

	it('a service given by an expression (from a column) has no fields to map yet', async () => {
		const result = await callResourceMapper({
			method: 'getServiceFields',
			credentials: sandbox.credentials,
			parameters: payoutNode('={{ $json.service }}'),
		});
		expect(result.fields).toEqual([]);
		expect(result.emptyFieldsNotice).toMatch(/Choose a payout service/);
	});

	it("a wrong public key is reported in the mapper's own notice, with what to check", async () => {
		const result = await callResourceMapper({
			method: 'getServiceFields',
			credentials: { ...sandbox.credentials, publicKey: 'pk_test_wrong' },
			parameters: payoutNode('test_usd'),
		});
		expect(result.fields).toEqual([]);
		expect(result.emptyFieldsNotice).toBe(
			'Could not load the fields of "test_usd": HTTP 401: Unauthorized (check the public key and the Public API path in the credential)',
		);
	});

	it("a wrong API key is reported in the mapper's own notice", async () => {
		const result = await callResourceMapper({
			method: 'getServiceFields',
			credentials: { ...sandbox.credentials, apiKey: 'wrong' },
			parameters: payoutNode('test_usd'),
		});
		expect(result).toEqual({
			fields: [],
			emptyFieldsNotice:
				'Could not load the payout services: HTTP 401: Unauthorized (check the account ID and API key in the credential)',
		});
	});

	it("the service picker's value ({ mode, value }) and a comcpos_ ID load the same fields as the code", async () => {
		const testUsd = SERVICES.find((service) => service.code === 'test_usd')!;
		const byList = await callResourceMapper({
			method: 'getServiceFields',
			credentials: sandbox.credentials,
			parameters: {
				resource: 'payoutInvoice',
				operation: 'validate',
				service: { __rl: true, mode: 'list', value: 'test_usd' },
			},
		});
		const byId = await callResourceMapper({
			method: 'getServiceFields',
			credentials: sandbox.credentials,
			parameters: {
				resource: 'payoutInvoice',
				operation: 'validate',
				service: { __rl: true, mode: 'id', value: testUsd.id },
			},
		});
		expect(byList.fields.map((field) => field.id)).toEqual([
			'account',
			'test_details_success_rate',
			'test_details_payout_status',
			'test_details_payout_resolution',
		]);
		expect(byId.fields).toEqual(byList.fields);
	});
});
