/**
 * Payout Invoice → Reconcile (issue 18, part 2): a sheet against the platform, judged by the sandbox's ledger.
 * Payouts are made first through the node itself (Create and Process, Create), with seeded discrepancies: a row
 * never paid, an amount paid differently, a duplicate reference, a failed payout, one still pending, one only
 * created, one through another service. Then Reconcile reads them, directly and through the fault proxy, and
 * the ledger shows it wrote nothing.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type LedgerSnapshot, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest } from '../support/explicitMode';
import { startFaultProxy } from '../support/faultProxy';
import { payoutParameters } from '../support/payoutWorkflow';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

let sandbox: RunningSandbox;

const PAID = [
	{ reference_id: 'rec-paid', amount: '10.00', account: '100001' },
	{ reference_id: 'rec-other-amount', amount: '20.00', account: '100002' },
	{
		reference_id: 'rec-failed',
		amount: '30.00',
		account: '100003',
		test_details_payout_status: 'process failed',
	},
	{
		reference_id: 'rec-pending',
		amount: '40.50',
		account: '100004',
		test_details_payout_status: 'process pending',
	},
	{ reference_id: 'rec-other-service', amount: '1500', account: '100006' },
];

/** The sheet: what the ops team believes was paid. */
const SHEET: IDataObject[] = [
	{ reference_id: 'rec-paid', amount: '10', currency: 'USD', service: 'test_usd' },
	{ reference_id: 'rec-other-amount', amount: '25.00', currency: 'USD', service: 'test_usd' },
	{ reference_id: 'rec-failed', amount: '30.00', currency: 'USD', service: 'test_usd' },
	{ reference_id: 'rec-pending', amount: '40.5', currency: 'USD', service: 'test_usd' },
	{ reference_id: 'rec-missing', amount: '50.00', currency: 'USD', service: 'test_usd' },
	{ reference_id: 'rec-paid', amount: '10.00', currency: 'USD', service: 'test_usd' },
	{ reference_id: 'rec-created', amount: '60.00', currency: 'USD', service: 'test_usd' },
	{ amount: '70.00', currency: 'USD' },
	{ reference_id: 'rec-bad-amount', amount: '1,000', currency: 'USD' },
	{ reference_id: 'rec-bad-currency', amount: '5', currency: 'usdollar' },
	{
		reference_id: 'rec-other-service',
		amount: '1500',
		currency: 'EUR',
		service: 'payment_card_usd',
	},
];

const reconcileParameters = (options: IDataObject = {}): IDataObject => ({
	resource: 'payoutInvoice',
	operation: 'reconcile',
	referenceId: '={{ $json.reference_id }}',
	expectedAmount: '={{ $json.amount }}',
	expectedCurrency: '={{ $json.currency }}',
	expectedService: '={{ $json.service ?? "" }}',
	options,
});

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
	const paid = await runNode(
		sandbox.credentials,
		payoutParameters('createAndProcess', { waitForFinalStatus: true, maxWaitSeconds: 2 }),
		PAID,
	);
	expect(paid.json().map((row) => row.error)).toEqual(PAID.map(() => undefined));
	const created = await runNode(sandbox.credentials, payoutParameters('create'), [
		{ reference_id: 'rec-created', amount: '60.00', account: '100005' },
	]);
	expect(created.json()[0].status).toBe('created');
}, 60_000);
afterAll(async () => await sandbox.close());
checkModeAfterEachTest(() => sandbox);

const invoiceOf = (ledger: LedgerSnapshot, reference: string) =>
	ledger.invoices.find((invoice) => invoice.referenceId === reference);

/** What the ledger says about the sheet's reference ID: the truth each output row is judged by. */
function expectAgreesWithLedger(json: IDataObject, ledger: LedgerSnapshot): void {
	const invoice = invoiceOf(ledger, String(json.referenceId));
	if (json.outcome === 'missing')
		expect({ ref: json.referenceId, invoice }).toEqual({
			ref: json.referenceId,
			invoice: undefined,
		});
	if (json.outcome === 'found') {
		expect(invoice).toBeDefined();
		expect({ id: json.id, status: json.status }).toEqual({
			id: invoice!.id,
			status: invoice!.status,
		});
	}
}

/** Nothing written: the same invoices, in the same state, and not one create or process request more. */
function expectNothingWritten(before: LedgerSnapshot, after: LedgerSnapshot): void {
	expect(after.calls.length).toBe(before.calls.length);
	expect(after.invoices.map((invoice) => [invoice.id, invoice.status])).toEqual(
		before.invoices.map((invoice) => [invoice.id, invoice.status]),
	);
}

describe('Reconcile against the sandbox', () => {
	let rows: IDataObject[];
	let before: LedgerSnapshot;
	let after: LedgerSnapshot;

	beforeAll(async () => {
		before = sandbox.ledger();
		const run = await runNode(sandbox.credentials, reconcileParameters(), SHEET);
		rows = run.json();
		after = sandbox.ledger();
	}, 60_000);

	it('one item per row, in order, each about its own row', () => {
		expect(rows.map((row) => row.row)).toEqual(SHEET.map((_row, index) => index + 1));
		expect(rows.map((row) => row.outcome)).toEqual([
			'found',
			'found',
			'found',
			'found',
			'missing',
			'found',
			'found',
			'invalid',
			'invalid',
			'invalid',
			'found',
		]);
		for (const row of rows) expectAgreesWithLedger(row, after);
	});

	it('writes nothing', () => expectNothingWritten(before, after));

	it('says each status and whether it is final, as the ledger has it', () => {
		const byRef = (ref: string) => rows.find((row) => row.referenceId === ref)!;
		expect(byRef('rec-paid')).toMatchObject({ status: 'processed', isFinal: true, mismatches: [] });
		expect(byRef('rec-failed')).toMatchObject({ status: 'process_failed', isFinal: true });
		expect(byRef('rec-pending')).toMatchObject({ status: 'process_pending', isFinal: false });
		expect(byRef('rec-created')).toMatchObject({ status: 'created', isFinal: false });
		expect(byRef('rec-missing')).toMatchObject({ id: null, status: null, mismatches: [] });
	});

	it('compares amount, currency and service exactly: 10 = 10.00 and 40.5 = 40.50, 25.00 ≠ 20.00', () => {
		expect(rows[0].mismatches).toEqual([]);
		expect(rows[3].mismatches).toEqual([]);
		expect(rows[1].mismatches).toEqual(['amount']);
		// One type for amounts in one item: the invoice's amounts as exact decimal text, like the sheet's.
		expect(rows[1]).toMatchObject({ expectedAmount: '25.00', amount: '20.00' });
		expect(rows[0]).toMatchObject({ amount: '10.00', processedAmount: '10.00' });
		expect(rows[3]).toMatchObject({ expectedAmount: '40.50', amount: '40.50' });
		// The sheet says 1500 EUR via a card service; the platform has 1500.00 USD via test_usd.
		expect(rows[10].mismatches).toEqual(['currency', 'service']);
	});

	it('flags a reference ID that is twice in the sheet on both rows, and looks it up once', async () => {
		expect(rows[0]).toMatchObject({ duplicateReference: true, duplicateRows: [1, 6] });
		expect(rows[5]).toMatchObject({
			duplicateReference: true,
			duplicateRows: [1, 6],
			id: rows[0].id,
		});
		expect(rows[1].duplicateReference).toBe(false);
		const proxy = await startFaultProxy(sandbox.baseUrl, { seed: 1, rate: 0, lagReads: 0 });
		try {
			await runNode({ ...sandbox.credentials, baseUrl: proxy.baseUrl }, reconcileParameters(), [
				SHEET[0],
				SHEET[5],
			]);
			const lookups = proxy.records.filter(
				(record) => record.operation === 'list' && record.referenceId === 'rec-paid',
			);
			expect(lookups).toHaveLength(1);
		} finally {
			await proxy.close();
		}
	});

	it('a row without a reference ID, with an amount or a currency that cannot be read, gets an error naming the row and field; the others go on', () => {
		expect(rows[7]).toMatchObject({
			outcome: 'invalid',
			field: 'reference ID',
			error: expect.stringMatching(/^Row 8 \(item 7\): reference ID is required/),
		});
		expect(rows[8]).toMatchObject({
			outcome: 'invalid',
			field: 'expected amount',
			error: expect.stringMatching(
				/^Row 9 \(item 8, reference ID "rec-bad-amount"\): expected amount "1,000" must not contain commas/,
			),
		});
		expect(rows[9]).toMatchObject({
			outcome: 'invalid',
			field: 'expected currency',
			error: expect.stringContaining(
				'Row 10 (item 9, reference ID "rec-bad-currency"): expected currency',
			),
		});
	});

	it('every item carries the same summary: rows per outcome, invoices per status, paid and pending per currency', () => {
		const summary = rows[0].summary as IDataObject;
		for (const row of rows) expect(row.summary).toEqual(summary);
		expect(summary).toMatchObject({
			rows: 11,
			outcomes: { found: 7, missing: 1, unknown: 0, invalid: 3, error: 0 },
			mismatchedRows: 2,
			duplicateRows: 2,
			// rec-paid is named twice but is one payout.
			invoices: 6,
			statuses: { processed: 3, process_failed: 1, process_pending: 1, created: 1 },
		});
		// Paid: rec-paid 10.00 + rec-other-amount 20.00 + rec-other-service 1500.00; pending: 40.50 + 60.00; not paid: 30.00.
		const ledgerPaid = after.invoices
			.filter((invoice) => invoice.status === 'processed' && invoice.referenceId.startsWith('rec-'))
			.reduce((sum, invoice) => sum + Math.round(invoice.amount * 100), 0);
		expect(ledgerPaid).toBe(153000);
		expect(summary.byCurrency).toEqual([
			{ currency: 'USD', invoices: 6, paid: '1530.00', pending: '100.50', notPaid: '30.00' },
		]);
	});
});

describe('Reconcile: wrong inputs and failures', () => {
	it('an option out of range stops the node before any request', async () => {
		const run = await runNode(sandbox.credentials, reconcileParameters({ concurrency: 0 }), SHEET);
		expect(failureText(run.result)).toMatch(
			/Option "Concurrency" must be a whole number from 1 to 50/,
		);
	});

	it('a wrong API key stops the node, or with Continue On Fail gives every row an error item', async () => {
		const wrong = { ...sandbox.credentials, apiKey: 'wrong' };
		const stopped = await runNode(wrong, reconcileParameters(), SHEET.slice(0, 2));
		expect(failureText(stopped.result)).toMatch(/401|key|credential/i);
		const continued = await runNode(
			wrong,
			reconcileParameters(),
			SHEET.slice(0, 2),
			CONTINUE_ON_FAIL,
		);
		expect(continued.json().map((row) => row.error !== undefined)).toEqual([true, true]);
	});
});

describe('Reconcile through the fault proxy', () => {
	it('an answer that cannot be read is unknown, never missing; nothing is written', async () => {
		// Every look-up about two references fails in a way the node cannot read; the others answer cleanly.
		const broken = new Set(['rec-paid', 'rec-missing']);
		const proxy = await startFaultProxy(sandbox.baseUrl, {
			seed: 3,
			rate: 0,
			lagReads: 0,
			force: (request) =>
				request.operation === 'list' && broken.has(String(request.referenceId))
					? (
							[
								'non_json_200',
								'not_a_list',
								'cut_midway',
								'redirect_foreign',
								'echo_headers',
							] as const
						)[request.seq % 5]
					: undefined,
		});
		try {
			const before = sandbox.ledger();
			const run = await runNode(
				{ ...sandbox.credentials, baseUrl: proxy.baseUrl },
				reconcileParameters({ maxAttempts: 2, requestTimeout: 2 }),
				SHEET,
			);
			const rows = run.json();
			expectNothingWritten(before, sandbox.ledger());
			expect(rows.map((row) => row.outcome)).toEqual([
				'unknown',
				'found',
				'found',
				'found',
				'unknown',
				'unknown',
				'found',
				'invalid',
				'invalid',
				'invalid',
				'found',
			]);
			expect(rows[4].reason).toMatch(/could not be read|look-up by reference ID failed/);
			for (const row of rows) expect(String(row.reason ?? '')).not.toContain('<');
			expect((rows[0].summary as IDataObject).outcomes).toMatchObject({ unknown: 3, missing: 0 });
			expect(proxy.secondOriginRequests).toEqual([]);
		} finally {
			await proxy.close();
		}
	}, 60_000);

	it('an HTML error page is named in the reason, never pasted into the report', async () => {
		const proxy = await startFaultProxy(sandbox.baseUrl, {
			seed: 4,
			rate: 0,
			lagReads: 0,
			force: (request) =>
				request.operation === 'list' && request.referenceId === 'rec-paid'
					? 'echo_headers'
					: undefined,
		});
		try {
			const run = await runNode(
				{ ...sandbox.credentials, baseUrl: proxy.baseUrl },
				reconcileParameters({ maxAttempts: 2 }),
				[SHEET[0]],
			);
			expect(run.json()[0]).toMatchObject({
				outcome: 'unknown',
				reason:
					'the look-up by reference ID failed with HTTP 502 (an HTML error page). Whether this ' +
					'payout exists is unknown: run Reconcile again later.',
			});
		} finally {
			await proxy.close();
		}
	});

	it('under seeded faults of every kind, every row is found, missing as the ledger says, or unknown; nothing written', async () => {
		const proxy = await startFaultProxy(sandbox.baseUrl, { seed: 18, rate: 0.6, lagReads: 0 });
		try {
			const before = sandbox.ledger();
			const sheet = Array.from({ length: 6 }, () => SHEET).flat();
			const run = await runNode(
				{ ...sandbox.credentials, baseUrl: proxy.baseUrl },
				reconcileParameters({ maxAttempts: 1, requestTimeout: 1, concurrency: 4 }),
				sheet,
			);
			const rows = run.json();
			expectNothingWritten(before, sandbox.ledger());
			expect(rows).toHaveLength(sheet.length);
			for (const row of rows) expectAgreesWithLedger(row, sandbox.ledger());
			const outcomes = (rows[0].summary as IDataObject).outcomes as IDataObject;
			// The faults really hid some answers; with one attempt those rows are unknown, none of them missing.
			expect(outcomes.unknown).toBeGreaterThan(0);
			expect(rows.filter((row) => row.outcome === 'missing').map((row) => row.referenceId)).toEqual(
				rows.filter((row) => row.outcome === 'missing').map(() => 'rec-missing'),
			);
			expect(proxy.records.some((record) => record.fault)).toBe(true);
			expect(proxy.secondOriginRequests).toEqual([]);
		} finally {
			await proxy.close();
		}
	}, 90_000);
});
