/**
 * Payout Invoice → Create and Create and Process, run as workflows against the sandbox. The sandbox ledger says
 * what really happened (invoices written, process calls), whatever the node reported.
 */
import { payoutParameters } from '../support/payoutWorkflow';
import { useSandbox } from '../support/sandboxSuite';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

const sandbox = useSandbox();

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/;
const WAIT = { waitForFinalStatus: true, pollIntervalSeconds: 0.05, maxWaitSeconds: 10 };

const FRIENDLY_KEYS = [
	'id',
	'status',
	'resolution',
	'isFinal',
	'referenceId',
	'amount',
	'currency',
	'payoutAmount',
	'fee',
	'writeoff',
	'service',
	'serviceMethod',
	'serviceCurrency',
	'serviceAmount',
	'servicePayoutAmount',
	'exchangeRate',
	'processedAmount',
	'processedFee',
	'processedWriteoff',
	'testMode',
	'description',
	'fields',
	'metadata',
	'callbackUrl',
	'customerId',
	'source',
	'createdAt',
	'updatedAt',
	'processedAt',
];

describe('Create', () => {
	it('creates one invoice per row in status "created", in the friendly shape with ISO dates; nothing is processed', async () => {
		const rows = [
			{ reference_id: 'create-1', amount: '10.50', account: '12345' },
			{ reference_id: 'create-2', amount: 20, account: 67890 },
		];
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('create', {}, { simplify: false }),
			rows,
		);
		const [first, second] = run.json();
		expect(Object.keys(first).sort()).toEqual(
			[...FRIENDLY_KEYS, 'row', 'alreadyExisted', 'foundAfterError'].sort(),
		);
		expect(first).toMatchObject({
			id: expect.stringMatching(/^cpoi_/),
			status: 'created',
			resolution: 'ok',
			isFinal: false,
			referenceId: 'create-1',
			amount: 10.5,
			currency: 'USD',
			service: 'test_usd',
			serviceMethod: 'test',
			testMode: true,
			fields: { account: '12345' },
			processedAt: null,
			row: 1,
			alreadyExisted: false,
			foundAfterError: false,
		});
		expect(first.createdAt).toMatch(ISO);
		expect(first.updatedAt).toMatch(ISO);
		// A number from the sheet is sent as text, as the API wants field values.
		expect(second).toMatchObject({
			referenceId: 'create-2',
			amount: 20,
			fields: { account: '67890' },
			row: 2,
		});
		expect(first).not.toHaveProperty('raw');
		expect(first).not.toHaveProperty('processRequested');

		const ledger = sandbox.ledger();
		expect(ledger.invoices.map((invoice) => [invoice.referenceId, invoice.status])).toEqual(
			expect.arrayContaining([
				['create-1', 'created'],
				['create-2', 'created'],
			]),
		);
		expect(ledger.summary.processCalls.total).toBe(0);
	});

	it('a card service answers with the card number masked, and the node never outputs it in full', async () => {
		const rows = [
			{
				reference_id: 'card-1',
				amount: '10',
				service: 'payment_card_usd',
				card_number: '4111111111111111',
			},
		];
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('create', { includeRaw: true }, { simplify: false }),
			rows,
		);
		const [invoice] = run.json();
		expect(invoice).toMatchObject({
			service: 'payment_card_usd',
			serviceMethod: 'payment_card',
			fields: { card_number: '411111******1111' },
			fee: 0.5, // 1.5 % + 0.30 = 0.45, raised to the service's minimum fee
			writeoff: 10.5,
		});
		expect(invoice.raw).toMatchObject({
			type: 'payout-invoices',
			id: invoice.id,
			attributes: { reference_id: 'card-1', status: 'created' },
		});
		expect(JSON.stringify(run.json())).not.toContain('4111111111111111');
	});

	it('maps fields defined below (mapping mode "define below")', async () => {
		const parameters = payoutParameters(
			'create',
			{},
			{
				simplify: false,
				serviceFields: {
					mappingMode: 'defineBelow',
					value: { account: '={{ $json.acct }}' },
					matchingColumns: [],
					schema: [
						{
							id: 'account',
							displayName: 'Account',
							required: true,
							defaultMatch: false,
							display: true,
							type: 'string',
						},
					],
				},
			},
		);
		const run = await runNode(sandbox.credentials, parameters, [
			{ reference_id: 'defined-1', amount: '5', acct: '555' },
		]);
		expect(run.json()[0]).toMatchObject({ status: 'created', fields: { account: '555' } });
	});

	it('sends the additional fields: description, metadata, callback URL and customer', async () => {
		const parameters = payoutParameters(
			'create',
			{},
			{
				simplify: false,
				additionalFields: {
					description: 'July payout',
					metadata: '{"batch":"2024-07"}',
					callbackUrl: 'http://127.0.0.1:9/callback',
					customer: { reference_id: 'cust-1', email: 'payee@example.com', country: 'US' },
				},
			},
		);
		const run = await runNode(sandbox.credentials, parameters, [
			{ reference_id: 'extra-1', amount: '5', account: '1' },
		]);
		expect(run.json()[0]).toMatchObject({
			description: 'July payout',
			metadata: { batch: '2024-07' },
			callbackUrl: 'http://127.0.0.1:9/callback',
			customerId: expect.stringMatching(/^cus_/),
		});
	});
});

describe('Create and Process', () => {
	it('pays each row and, waiting, outputs its final status', async () => {
		const rows = [
			{ reference_id: 'pay-1', amount: '10', account: '1' },
			{ reference_id: 'pay-2', amount: '12.34', account: '2' },
		];
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', WAIT, { simplify: false }),
			rows,
		);
		for (const [index, invoice] of run.json().entries()) {
			expect(invoice).toMatchObject({
				referenceId: rows[index].reference_id,
				status: 'processed',
				resolution: 'ok',
				isFinal: true,
				processedAmount: Number(rows[index].amount),
				row: index + 1,
				alreadyExisted: false,
				processRequested: true,
				alreadyProcessed: false,
				waitTimedOut: false,
			});
			expect(invoice.processedAt).toMatch(ISO);
		}
		const { summary } = sandbox.ledger();
		expect(summary.processCalls.accepted).toBe(2);
		expect(summary.invoicesByStatus).toMatchObject({ processed: 2 });
	});

	it('rows that fail at the gateway end in process_failed with their resolution', async () => {
		const rows = [
			{
				reference_id: 'fail-1',
				amount: '10',
				account: '1',
				test_details_payout_status: 'process failed',
				test_details_payout_resolution: 'insufficient funds',
			},
			{ reference_id: 'fail-2', amount: '10', account: '2', test_details_success_rate: '0' },
			{ reference_id: 'ok-3', amount: '10', account: '3' },
		];
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', WAIT, { simplify: false }),
			rows,
		);
		expect(
			run
				.json()
				.map((invoice) => [
					invoice.referenceId,
					invoice.status,
					invoice.resolution,
					invoice.isFinal,
				]),
		).toEqual([
			['fail-1', 'process_failed', 'insufficient_funds', true],
			['fail-2', 'process_failed', 'declined_error', true],
			['ok-3', 'processed', 'ok', true],
		]);
		expect(run.json()[0]).toMatchObject({ processedAmount: 0, processedAt: null });
	});

	it('without waiting, outputs the status the process answer had', async () => {
		const run = await runNode(sandbox.credentials, payoutParameters('createAndProcess'), [
			{ reference_id: 'nowait-1', amount: '1', account: '1' },
		]);
		const [invoice] = run.json();
		expect(invoice).toMatchObject({ status: 'processing', isFinal: false, processRequested: true });
		expect(invoice).not.toHaveProperty('waitTimedOut');
	});

	it('an invoice that never becomes final is output with waitTimedOut after Max Wait', async () => {
		sandbox.configure({ processDelayMs: 60_000 });
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { ...WAIT, maxWaitSeconds: 1 }),
			[{ reference_id: 'slow-1', amount: '1', account: '1' }],
		);
		expect(run.json()[0]).toMatchObject({
			status: 'processing',
			isFinal: false,
			waitTimedOut: true,
		});
	});
});

describe('reference IDs (409 Conflict)', () => {
	it('the same payout again returns the existing invoice with alreadyExisted, and is not paid twice', async () => {
		const rows = [{ reference_id: 'again-1', amount: '10', account: '1' }];
		const first = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', WAIT),
			rows,
		);
		const second = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', WAIT),
			rows,
		);
		expect(second.json()[0]).toMatchObject({
			id: first.json()[0].id,
			status: 'processed',
			alreadyExisted: true,
			processRequested: false,
			alreadyProcessed: true,
		});
		const { summary, calls } = sandbox.ledger();
		expect(summary.invoices).toBe(1);
		expect(summary.processCalls.total).toBe(1);
		expect(
			calls.filter((call) => call.operation === 'create').map((call) => call.decidedStatus),
		).toEqual([201, 409]);
	});

	it('Create again of an invoice still in "created" returns it (alreadyExisted) without a second invoice', async () => {
		const rows = [{ reference_id: 'again-2', amount: '7.5', account: '1' }];
		const first = await runNode(sandbox.credentials, payoutParameters('create'), rows);
		const second = await runNode(sandbox.credentials, payoutParameters('create'), rows);
		expect(second.json()[0]).toMatchObject({
			id: first.json()[0].id,
			status: 'created',
			alreadyExisted: true,
		});
		expect(sandbox.ledger().summary.invoices).toBe(1);
	});

	it('Create and Process of a reference that exists in "created" processes that invoice once', async () => {
		const rows = [{ reference_id: 'again-3', amount: '3', account: '1' }];
		const created = await runNode(sandbox.credentials, payoutParameters('create'), rows);
		const paid = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', WAIT),
			rows,
		);
		expect(paid.json()[0]).toMatchObject({
			id: created.json()[0].id,
			status: 'processed',
			alreadyExisted: true,
			processRequested: true,
			alreadyProcessed: false,
		});
		expect(sandbox.ledger().summary.processCalls.accepted).toBe(1);
	});

	it('a reference reused with a different amount fails the row and pays nothing', async () => {
		await runNode(sandbox.credentials, payoutParameters('create'), [
			{ reference_id: 'reused-1', amount: '10', account: '1' },
		]);
		const run = await runNode(sandbox.credentials, payoutParameters('createAndProcess', WAIT), [
			{ reference_id: 'reused-1', amount: '99', account: '1' },
		]);
		expect(run.result.status).toBe('error');
		expect(failureText(run.result)).toMatch(
			/^Row 1 \(item 0\): reference ID "reused-1" is already used by invoice cpoi_\w+ with amount 10 \(this row asks for 99.00 USD via test_usd\)\. Nothing was paid for this row\./,
		);
		const { summary } = sandbox.ledger();
		expect(summary.invoices).toBe(1);
		expect(summary.processCalls.total).toBe(0);
		expect(summary.invoicesByStatus).toEqual({ created: 1 });
	});

	it('with Continue On Fail the reused reference is an error item (stage reference_conflict) and the other rows are paid', async () => {
		await runNode(sandbox.credentials, payoutParameters('create'), [
			{ reference_id: 'reused-2', amount: '10', account: '1' },
		]);
		const rows = [
			{ reference_id: 'fresh-1', amount: '1', account: '2' },
			{ reference_id: 'reused-2', amount: '11', account: '1' },
			{ reference_id: 'fresh-2', amount: '2', account: '3' },
		];
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', WAIT),
			rows,
			CONTINUE_ON_FAIL,
		);
		const [a, conflict, b] = run.items();
		expect([a.json.status, b.json.status]).toEqual(['processed', 'processed']);
		expect(conflict.json).toMatchObject({
			row: 2,
			referenceId: 'reused-2',
			stage: 'reference_conflict',
			error: expect.stringMatching(/already used by invoice/),
		});
		expect(conflict.json.description).toMatch(/Use a new reference ID/);
		expect(conflict.pairedItem).toEqual({ item: 1 });
		const reused = sandbox.ledger().invoices.find((invoice) => invoice.referenceId === 'reused-2');
		expect(reused).toMatchObject({ status: 'created', amount: 10 });
	});
});
