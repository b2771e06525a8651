/**
 * Simplify: reads and payouts output a short, stable set of fields by default and the whole invoice with
 * Simplify off; error items are never simplified. Values are checked against the sandbox's ledger.
 */
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { payoutParameters } from '../support/payoutWorkflow';
import { CONTINUE_ON_FAIL, runNode } from '../support/runNode';

let sandbox: RunningSandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
	sandbox.seedInvoices(20);
});
afterAll(async () => {
	await sandbox.close();
});

const INVOICE_KEYS = [
	'id',
	'referenceId',
	'status',
	'resolution',
	'isFinal',
	'amount',
	'currency',
	'testMode',
];
const WAIT = { waitForFinalStatus: true, maxWaitSeconds: 20, pollIntervalSeconds: 0.05 };
const ledgerInvoice = (referenceId: string) =>
	sandbox.ledger().invoices.find((invoice) => invoice.referenceId === referenceId)!;

describe('Simplify on (the default)', () => {
	it('Get outputs exactly the invoice key fields, matching the ledger', async () => {
		const seeded = ledgerInvoice('seed-4');
		const run = await runNode(sandbox.credentials, {
			resource: 'payoutInvoice',
			operation: 'get',
			invoiceId: seeded.id,
		});
		expect(run.json()).toEqual([
			{
				id: seeded.id,
				referenceId: 'seed-4',
				status: seeded.status,
				resolution: seeded.resolution,
				isFinal: expect.any(Boolean),
				amount: seeded.amount,
				currency: seeded.currency,
				testMode: true,
			},
		]);
	});

	it('Get Many outputs the same short shape for every invoice', async () => {
		const run = await runNode(sandbox.credentials, {
			resource: 'payoutInvoice',
			operation: 'getMany',
			returnAll: true,
		});
		expect(run.json()).toHaveLength(20);
		for (const invoice of run.json()) expect(Object.keys(invoice)).toEqual(INVOICE_KEYS);
	});

	it('Create and Process outputs the invoice key fields plus what happened in this run', async () => {
		const rows = [{ reference_id: 'simple-pay-1', amount: '7.5', account: '1' }];
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', WAIT),
			rows,
		);
		const paid = ledgerInvoice('simple-pay-1');
		expect(run.json()).toEqual([
			{
				id: paid.id,
				referenceId: 'simple-pay-1',
				status: paid.status,
				resolution: paid.resolution,
				isFinal: true,
				amount: 7.5,
				currency: 'USD',
				testMode: true,
				row: 1,
				alreadyExisted: false,
				foundAfterError: false,
				processRequested: true,
				alreadyProcessed: false,
				waitTimedOut: false,
			},
		]);
	});

	it('Include Raw Response still adds the API resource to a simplified item', async () => {
		const seeded = ledgerInvoice('seed-5');
		const run = await runNode(sandbox.credentials, {
			resource: 'payoutInvoice',
			operation: 'get',
			invoiceId: seeded.id,
			options: { includeRaw: true },
		});
		expect(Object.keys(run.json()[0])).toEqual([...INVOICE_KEYS, 'raw']);
		expect(run.json()[0].raw).toMatchObject({
			id: seeded.id,
			attributes: { reference_id: 'seed-5' },
		});
	});

	it('error items keep every detail (row, stage, field, rule), simplified or not', async () => {
		const rows = [
			{ reference_id: 'simple-bad-1', amount: 'abc', account: '1' },
			{ reference_id: 'simple-ok-1', amount: '1', account: '1' },
		];
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess'),
			rows,
			CONTINUE_ON_FAIL,
		);
		const [bad, ok] = run.json();
		expect(bad).toMatchObject({
			row: 1,
			referenceId: 'simple-bad-1',
			stage: 'validation',
			field: 'amount',
			error: expect.stringMatching(/^Row 1/),
		});
		expect(bad.rule).toEqual(expect.any(String));
		expect(ok.referenceId).toBe('simple-ok-1');
		expect(ok).not.toHaveProperty('fee');
	});
});

describe('Simplify off', () => {
	it('Get outputs the whole invoice: fee, payout amount, service, fields, dates', async () => {
		const seeded = ledgerInvoice('seed-6');
		const run = await runNode(sandbox.credentials, {
			resource: 'payoutInvoice',
			operation: 'get',
			invoiceId: seeded.id,
			simplify: false,
		});
		const json = run.json()[0];
		expect(json).toMatchObject({
			id: seeded.id,
			referenceId: 'seed-6',
			service: seeded.service,
			amount: seeded.amount,
		});
		for (const key of [
			'fee',
			'writeoff',
			'payoutAmount',
			'serviceCurrency',
			'exchangeRate',
			'fields',
			'createdAt',
			'updatedAt',
		]) {
			expect(json).toHaveProperty(key);
		}
	});

	it('Create outputs the whole invoice plus what happened in this run', async () => {
		const rows = [{ reference_id: 'simple-full-1', amount: '3', account: '1' }];
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('create', {}, { simplify: false }),
			rows,
		);
		expect(run.json()[0]).toMatchObject({
			id: ledgerInvoice('simple-full-1').id,
			status: 'created',
			service: 'test_usd',
			fee: 0,
			row: 1,
			alreadyExisted: false,
			foundAfterError: false,
		});
	});
});
