/**
 * Payout Invoice → Validate: the dry run. Every check of Create against the account's real services, one item
 * per row, and nothing written on the platform (the sandbox ledger proves it).
 */
import { payoutParameters } from '../support/payoutWorkflow';
import { useSandbox } from '../support/sandboxSuite';
import { CONTINUE_ON_FAIL, runNode } from '../support/runNode';

const sandbox = useSandbox();

const ROWS = [
	{ reference_id: 'v-1', amount: '10.50', account: '12345' },
	{ reference_id: 'v-2', amount: '1,000', account: '1' },
	{ reference_id: 'v-3', amount: '5', account: 'abc' },
	{ reference_id: 'v-1', amount: '1', account: '1' },
	{
		reference_id: 'v-5',
		amount: '10',
		service: 'payment_card_usd',
		card_number: '4111111111111111',
	},
	{ reference_id: 'v-6', amount: '10', service: 'no_such_service', account: '1' },
	{ reference_id: 'v-7', amount: '10', currency: 'EUR', account: '1' },
	{ reference_id: 'v-8', amount: '10', service: 'payment_card_usd', card_number: '4111 1111' },
	{ reference_id: '', amount: '10', account: '1' },
	{
		reference_id: 'v-10',
		amount: '10',
		service: 'legacy_card_usd',
		card_number: '4111111111111111',
	},
];

it('outputs one item per row, valid true or false with the field and the rule, and writes nothing', async () => {
	const run = await runNode(sandbox.credentials, payoutParameters('validate'), ROWS);
	const items = run.items();
	expect(items).toHaveLength(ROWS.length);
	expect(items.map((item) => item.pairedItem)).toEqual(
		ROWS.map((_row, index) => ({ item: index })),
	);
	expect(items.map((item) => item.json.valid)).toEqual([
		true,
		false,
		false,
		false,
		true,
		false,
		false,
		false,
		false,
		false,
	]);
	expect(items.map((item) => item.json.row)).toEqual(ROWS.map((_row, index) => index + 1));

	expect(items[0].json).toEqual({
		valid: true,
		// Which environment the run would pay in.
		environment: 'test',
		testMode: true,
		row: 1,
		referenceId: 'v-1',
		service: 'test_usd',
		currency: 'USD',
		amount: '10.50',
		fee: '0.00',
		totalCost: '10.50',
		recipientAmount: '10.50',
		recipientCurrency: 'USD',
		exchangeRate: 1,
		fields: { account: '12345' },
		summary: expect.objectContaining({ rows: 10, validRows: 2, invalidRows: 8 }),
	});
	expect(items[1].json).toMatchObject({
		valid: false,
		stage: 'validation',
		field: 'amount',
		referenceId: 'v-2',
		error: expect.stringMatching(
			/^Row 2 \(item 1, reference ID "v-2"\): amount "1,000" must not contain commas/,
		),
	});
	expect(items[2].json).toMatchObject({
		field: 'field "account"',
		rule: '"abc" does not fit Account: 1 to 15 digits',
		pattern: '^\\d{1,15}$',
	});
	expect(items[3].json).toMatchObject({
		field: 'reference ID',
		rule: '"v-1" appears more than once in this run',
	});
	// The card number of a valid row is output masked.
	expect(items[4].json).toMatchObject({
		valid: true,
		service: 'payment_card_usd',
		fields: { card_number: '411111******1111' },
	});
	expect(items[5].json).toMatchObject({
		field: 'service',
		rule: '"no_such_service" is not a payout service of this account',
	});
	expect(items[6].json).toMatchObject({
		field: 'currency',
		rule: 'EUR does not match service "test_usd", which takes USD',
	});
	expect(items[7].json).toMatchObject({ field: 'field "card_number"' });
	expect(items[8].json).toMatchObject({
		field: 'reference ID',
		rule: expect.stringMatching(/^is required/),
	});
	expect(items[9].json).toMatchObject({
		field: 'service',
		rule: expect.stringMatching(/not available or not enabled/),
	});
	expect(JSON.stringify(run.json())).not.toContain('4111111111111111');

	const { summary } = sandbox.ledger();
	expect(summary.invoices).toBe(0);
	expect(summary.createAttempts.total).toBe(0);
	expect(summary.processCalls.total).toBe(0);
});

it('applies the run safety limit as Create would', async () => {
	const rows = [1, 2, 3, 4].map((n) => ({
		reference_id: `limit-${n}`,
		amount: '40',
		account: '1',
	}));
	const run = await runNode(
		sandbox.credentials,
		payoutParameters('validate', {
			safetyLimits: { limit: [{ currency: 'USD', maxTotal: '100' }] },
		}),
		rows,
	);
	expect(run.json().map((item) => [item.valid, item.stage ?? null])).toEqual([
		[true, null],
		[true, null],
		[false, 'safety_limit'],
		[false, 'safety_limit'],
	]);
	expect(run.json()[2].error).toMatch(/over the run's safety limit of 100.00 USD/);
});

it('does not fail on invalid rows whether Continue On Fail is on or off', async () => {
	const rows = [{ reference_id: 'x-1', amount: '-5', account: '1' }];
	for (const node of [{}, CONTINUE_ON_FAIL]) {
		const run = await runNode(sandbox.credentials, payoutParameters('validate'), rows, node);
		expect(run.result.status).toBe('success');
		expect(run.json()).toEqual([
			expect.objectContaining({ valid: false, field: 'amount', rule: '"-5" must be positive' }),
		]);
	}
});
