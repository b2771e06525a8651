/**
 * How each HTTP error of the API reaches a workflow builder through the node: the message names the row and the
 * status with the API's own words, the description carries the reference's directive, and no secret leaks.
 * (404 per operation, 405 and 409 have their cases next to their operations: payoutService, invoiceRead,
 * invoiceProcess, prerequest and invoiceCreate tests.)
 */
import type { IDataObject } from 'n8n-workflow';

import { toNodeApiError } from '../../nodes/PaymentsTrust/transport/errors';
import { paymentsTrustNode, payoutParameters } from '../support/payoutWorkflow';
import { useSandbox } from '../support/sandboxSuite';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

const sandbox = useSandbox();

const WRONG_KEY = 'sk_wrong_api_key_do_not_print';

describe('401 Unauthorized (wrong API key)', () => {
	const wrong = () => ({ ...sandbox.credentials, apiKey: WRONG_KEY });
	const basicHeader = () =>
		Buffer.from(`${sandbox.credentials.accountId}:${WRONG_KEY}`).toString('base64');

	const cases: Array<[string, IDataObject, IDataObject[], RegExp]> = [
		[
			'Get invoice (per-item)',
			{ resource: 'payoutInvoice', operation: 'get', invoiceId: 'cpoi_x' },
			[{}],
			/^Row 1 \(item 0\): Get payout invoice "cpoi_x" failed with HTTP 401: Unauthorized$/,
		],
		[
			'Get Many services',
			{ resource: 'payoutService', operation: 'getMany', returnAll: true },
			[{}],
			/^Row 1 \(item 0\): List payout-services \(page 1\) failed with HTTP 401/,
		],
		[
			'Get Many invoices',
			{ resource: 'payoutInvoice', operation: 'getMany', returnAll: true },
			[{}],
			/^Row 1 \(item 0\): List payout-invoices \(page 1\) failed with HTTP 401/,
		],
		[
			'Create (bulk)',
			payoutParameters('create'),
			[{ reference_id: 'a-1', amount: '1', account: '1' }],
			/^Reading the payout services for validation failed with HTTP 401/,
		],
		[
			'Process',
			{ resource: 'payoutInvoice', operation: 'process', invoiceId: 'cpoi_x' },
			[{}],
			/^Row 1 \(item 0\): Get payout invoice "cpoi_x" before processing it failed with HTTP 401/,
		],
	];

	it.each(cases)(
		'%s: fails saying to check the account ID and API key, without the key',
		async (_name, parameters, rows, message) => {
			const run = await runNode(wrong(), parameters, rows);
			expect(run.result.status).toBe('error');
			expect(run.result.executionError?.message).toMatch(message);
			expect(run.result.executionError?.description).toBe(
				'Check the account ID and API key (or the public key for the Public API). Nothing was created.',
			);
			const everything = JSON.stringify(run.result.run);
			expect(everything).not.toContain(WRONG_KEY);
			expect(everything).not.toContain(basicHeader());
			expect(sandbox.ledger().summary.invoices).toBe(0);
		},
	);

	it('with Continue On Fail the 401 is an error item with the directive, still without the key', async () => {
		const run = await runNode(
			wrong(),
			{ resource: 'payoutInvoice', operation: 'get', invoiceId: 'cpoi_x' },
			[{}],
			CONTINUE_ON_FAIL,
		);
		expect(run.json()).toEqual([
			{
				error: 'Row 1 (item 0): Get payout invoice "cpoi_x" failed with HTTP 401: Unauthorized',
				row: 1,
				stage: 'api',
				httpCode: '401',
				description: expect.stringMatching(/^Check the account ID and API key/),
				testMode: true,
			},
		]);
		expect(JSON.stringify(run.result.run)).not.toContain(WRONG_KEY);
	});
});

describe('404 Not Found', () => {
	it('a wrong Private API Path in the credential is a 404 that points at the base URL and paths', async () => {
		const run = await runNode(
			{ ...sandbox.credentials, privateApiPath: '/v2' },
			{ resource: 'payoutService', operation: 'getMany', returnAll: true },
		);
		expect(run.result.executionError?.message).toMatch(/failed with HTTP 404: Not Found$/);
		expect(run.result.executionError?.description).toMatch(
			/the API base URL and paths in the credential/,
		);
	});
});

describe('422 Unprocessable Entity', () => {
	it('data the node cannot check (a customer e-mail that is not one) comes back as the API’s field error; nothing created', async () => {
		// A customer without its reference ID was the example here until Validate refused it (issue 30).
		const parameters = payoutParameters(
			'create',
			{},
			{ additionalFields: { customer: { reference_id: 'c-1', email: 'payee-at-example' } } },
		);
		const run = await runNode(sandbox.credentials, parameters, [
			{ reference_id: 'cust-1', amount: '1', account: '1' },
		]);
		expect(run.result.executionError?.message).toBe(
			'Row 1 (item 0, reference ID "cust-1"): Create payout invoice failed with HTTP 422: customer.email: This value is not a valid email address.',
		);
		expect(run.result.executionError?.description).toBe(
			'The platform refused the data (see the fields above). Nothing was created: fix the row and run it again.',
		);
		expect((run.result.executionError as { httpCode?: string }).httpCode).toBe('422');
		expect(sandbox.ledger().summary.createAttempts.rejectedByStatus).toEqual({ '422': 1 });
		expect(sandbox.ledger().summary.invoices).toBe(0);
	});

	it('without a public key the node cannot read the service’s field rules, so a bad field is refused by the platform', async () => {
		const run = await runNode(
			{ ...sandbox.credentials, publicKey: '' },
			payoutParameters('create'),
			[{ reference_id: 'nokey-1', amount: '1', account: 'not-digits' }],
			CONTINUE_ON_FAIL,
		);
		expect(run.json()).toEqual([
			expect.objectContaining({
				row: 1,
				referenceId: 'nokey-1',
				httpCode: '422',
				stage: 'api',
				error:
					'Row 1 (item 0, reference ID "nokey-1"): Create payout invoice failed with HTTP 422: fields.account: This value is not valid.',
			}),
		]);
		expect(sandbox.ledger().summary.invoices).toBe(0);
	});

	it('toNodeApiError: every field error is listed, card numbers masked in the message and the saved error response', () => {
		const node = paymentsTrustNode();
		const error = toNodeApiError(
			node,
			{
				kind: 'response',
				statusCode: 422,
				headers: {},
				body: {
					errors: {
						amount: 'This value should be greater than 0.',
						'fields.card_number': 'Card 4111111111111111 is not valid.',
					},
				},
			},
			{ action: 'Create payout invoice', itemIndex: 2, referenceId: 'r-3' },
		);
		expect(error.message).toBe(
			'Row 3 (item 2, reference ID "r-3"): Create payout invoice failed with HTTP 422: amount: This value should be greater than 0.; fields.card_number: Card 411111******1111 is not valid.',
		);
		expect(error.description).toMatch(/^The platform refused the data/);
		expect(error.httpCode).toBe('422');
		expect(error.context.itemIndex).toBe(2);
		// n8n saves the error response with the execution and shows it under the error's details.
		expect(error.errorResponse).toMatchObject({
			httpCode: '422',
			fieldErrors: {
				amount: 'This value should be greater than 0.',
				'fields.card_number': 'Card 411111******1111 is not valid.',
			},
		});
		expect(
			JSON.stringify({ ...error, errorResponse: error.errorResponse, message: error.message }),
		).not.toContain('4111111111111111');
	});
});

describe('5xx after retries', () => {
	it('Get: a 503 on every attempt fails after the retries with the 5xx directive', async () => {
		const [invoice] = (
			await runNode(sandbox.credentials, payoutParameters('create'), [
				{ reference_id: 'g-1', amount: '1', account: '1' },
			])
		).json();
		sandbox.setFaults({ rate: 1, operations: ['get'], kinds: { '503': 1 } });
		const run = await runNode(sandbox.credentials, {
			resource: 'payoutInvoice',
			operation: 'get',
			invoiceId: String(invoice.id),
		});
		expect(run.result.executionError?.message).toBe(
			`Row 1 (item 0): Get payout invoice "${String(invoice.id)}" failed with HTTP 503: service_unavailable: Service temporarily unavailable.`,
		);
		expect(run.result.executionError?.description).toBe(
			'The platform failed to answer. Check the payout status by reference ID before creating it again.',
		);
		// The default policy tries a read 4 times.
		expect(sandbox.ledger().summary.faultsInjected).toBe(4);
	});

	it('Get with Continue On Fail: the 5xx is an error item with the directive', async () => {
		sandbox.setFaults({ rate: 1, operations: ['services'], kinds: { '500': 1 } });
		const run = await runNode(
			sandbox.credentials,
			{ resource: 'payoutService', operation: 'getMany', returnAll: false, limit: 5 },
			[{}],
			CONTINUE_ON_FAIL,
		);
		expect(run.json()).toEqual([
			expect.objectContaining({
				row: 1,
				httpCode: '500',
				stage: 'api',
				description: expect.stringMatching(/^The platform failed to answer/),
			}),
		]);
	});

	it('Create: a 503 before every write fails the row after Max Attempts, confirmed by a look-up that nothing exists', async () => {
		sandbox.setFaults({
			rate: 1,
			operations: ['create'],
			kinds: { '503': 1 },
			afterCommitShare: 0,
		});
		const run = await runNode(sandbox.credentials, payoutParameters('create', { maxAttempts: 2 }), [
			{ reference_id: 'down-1', amount: '1', account: '1' },
		]);
		expect(failureText(run.result)).toMatch(
			/^Row 1 \(item 0, reference ID "down-1"\): Create payout invoice \(2 attempts; a look-up by reference ID confirmed nothing was created\) failed with HTTP 503/,
		);
		const { summary } = sandbox.ledger();
		expect(summary.createAttempts).toMatchObject({ total: 2, faulted: 2, committed: 0 });
		expect(summary.invoices).toBe(0);
	});

	it('Create: a 503 after the write is not a failure: the look-up finds the invoice and nothing is created twice', async () => {
		sandbox.setFaults({
			rate: 1,
			operations: ['create'],
			kinds: { '503': 1 },
			afterCommitShare: 1,
			limit: 1,
		});
		const run = await runNode(sandbox.credentials, payoutParameters('create'), [
			{ reference_id: 'late-1', amount: '1', account: '1' },
		]);
		expect(run.json()[0]).toMatchObject({
			referenceId: 'late-1',
			status: 'created',
			alreadyExisted: false,
		});
		const { summary } = sandbox.ledger();
		expect(summary.createAttempts).toMatchObject({ total: 1, faultedCommitted: 1 });
		expect(summary.invoices).toBe(1);
	});
});
