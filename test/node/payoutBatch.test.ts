/**
 * Bulk payout runs (Create / Create and Process over many rows): all-rows-first validation, Continue On Fail on
 * and off, and output order / pairedItem under concurrency 10 while the sandbox injects faults so rows finish
 * out of order. The sandbox ledger is the judge of "each reference paid exactly once".
 */
import { payoutParameters } from '../support/payoutWorkflow';
import { useSandbox } from '../support/sandboxSuite';
import { CONTINUE_ON_FAIL, runNode } from '../support/runNode';

const sandbox = useSandbox();

const WAIT = { waitForFinalStatus: true, pollIntervalSeconds: 0.05, maxWaitSeconds: 10 };

function rowsOf(count: number, prefix: string) {
	return Array.from({ length: count }, (_, index) => ({
		reference_id: `${prefix}-${index + 1}`,
		amount: `${index + 1}.25`,
		account: String(index + 1),
	}));
}

describe('Continue On Fail off', () => {
	it('an invalid row stops the run before any money moves, naming the row and counting the others', async () => {
		const rows = rowsOf(5, 'off');
		rows[1].amount = '1,000';
		rows[3].account = 'x';
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', WAIT),
			rows,
		);
		expect(run.result.status).toBe('error');
		expect(run.result.executionError?.message).toBe(
			'Row 2 (item 1, reference ID "off-2"): amount "1,000" must not contain commas (write 1000.50, not 1,000.50)',
		);
		expect(run.result.executionError?.description).toMatch(
			/^Nothing was sent: every row is checked before any money moves\. 1 other row has problems too/,
		);
		expect(sandbox.ledger().summary.createAttempts.total).toBe(0);
	});

	it('a row the platform refuses fails the node; rows not yet started are not sent', async () => {
		// Row 1 passes the node's checks but the platform refuses it (422: success rate above 100).
		const rows = rowsOf(4, 'stop');
		const refused = { ...rows[0], test_details_success_rate: '150' };
		const run = await runNode(sandbox.credentials, payoutParameters('create', { concurrency: 1 }), [
			refused,
			...rows.slice(1),
		]);
		expect(run.result.status).toBe('error');
		expect(run.result.executionError?.message).toMatch(
			/^Row 1 \(item 0, reference ID "stop-1"\): Create payout invoice failed with HTTP 422/,
		);
		const { summary } = sandbox.ledger();
		expect(summary.createAttempts.total).toBe(1);
		expect(summary.invoices).toBe(0);
	});
});

describe('Continue On Fail on', () => {
	it('valid rows are paid; refused rows become error items with field and rule; output follows the rows', async () => {
		const rows = [
			{ reference_id: 'on-1', amount: '10', account: '1' },
			{ reference_id: 'on-2', amount: 'ten', account: '2' },
			{ reference_id: 'on-3', amount: '10', account: '3', test_details_success_rate: '150' },
			{ reference_id: 'on-4', amount: '10', account: '4' },
		];
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', WAIT),
			rows,
			CONTINUE_ON_FAIL,
		);
		const items = run.items();
		expect(items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		expect(items[0].json).toMatchObject({ referenceId: 'on-1', status: 'processed', row: 1 });
		expect(items[1].json).toEqual({
			error:
				'Row 2 (item 1, reference ID "on-2"): amount "ten" must be a plain decimal number like 100.55',
			row: 2,
			referenceId: 'on-2',
			stage: 'validation',
			field: 'amount',
			rule: '"ten" must be a plain decimal number like 100.55',
			testMode: true,
		});
		// Refused by the platform (422): the API's field error and what to do, under the row.
		expect(items[2].json).toMatchObject({
			row: 3,
			referenceId: 'on-3',
			stage: 'api',
			httpCode: '422',
			error: expect.stringContaining(
				'fields.test_details_success_rate: This value should be between 0 and 100.',
			),
			description: expect.stringMatching(/^The platform refused the data/),
		});
		expect(items[3].json).toMatchObject({ referenceId: 'on-4', status: 'processed', row: 4 });
		const { summary } = sandbox.ledger();
		expect(summary.invoices).toBe(2);
		expect(summary.processCalls.accepted).toBe(2);
	});

	it('Create: refused rows become error items and the valid ones are created', async () => {
		const rows = [
			{ reference_id: 'c-1', amount: '0', account: '1' },
			{ reference_id: 'c-2', amount: '3', account: '2' },
		];
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('create'),
			rows,
			CONTINUE_ON_FAIL,
		);
		expect(run.json().map((item) => item.status ?? item.stage)).toEqual(['validation', 'created']);
		expect(sandbox.ledger().summary.invoices).toBe(1);
	});

	it('a failure before any row could run (wrong API key) makes one error item per row with what to check', async () => {
		const run = await runNode(
			{ ...sandbox.credentials, apiKey: 'wrong-api-key' },
			payoutParameters('create'),
			rowsOf(2, 'auth'),
			CONTINUE_ON_FAIL,
		);
		const items = run.items();
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		for (const [index, item] of items.entries()) {
			expect(item.json).toEqual({
				error: 'Reading the payout services for validation failed with HTTP 401: Unauthorized',
				row: index + 1,
				stage: 'node',
				httpCode: '401',
				description:
					'Check the account ID and API key (or the public key for the Public API). Nothing was created.',
			});
		}
	});
});

describe('concurrency 10', () => {
	it('outputs every row in input order, paired with its row, each reference paid once, while 5xx and dropped connections hit creates', async () => {
		// Before or after the write: the node must look each failed create up by reference ID before resending it.
		sandbox.setFaults({
			rate: 0.3,
			operations: ['create'],
			kinds: { '503': 1, drop: 1 },
			afterCommitShare: 0.5,
			seed: 7,
		});
		const rows = rowsOf(30, 'conc');
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { ...WAIT, concurrency: 10, maxAttempts: 10 }),
			rows,
		);
		const items = run.items();
		expect(items).toHaveLength(rows.length);
		expect(items.map((item) => item.json.referenceId)).toEqual(rows.map((row) => row.reference_id));
		expect(items.map((item) => item.json.row)).toEqual(rows.map((_row, index) => index + 1));
		expect(items.map((item) => item.pairedItem)).toEqual(
			rows.map((_row, index) => ({ item: index })),
		);
		expect(items.every((item) => item.json.status === 'processed')).toBe(true);

		const { summary } = sandbox.ledger();
		expect(summary.faultsInjected).toBeGreaterThan(3); // the faults really happened
		expect(summary.createAttempts.faultedCommitted).toBeGreaterThan(0);
		expect(summary.invoices).toBe(rows.length);
		expect(summary.referencesWithMultipleInvoices).toBe(0);
		expect(summary.processCalls.accepted).toBe(rows.length);
		expect(summary.invoicesProcessedMoreThanOnce).toBe(0);
	});

	it('with Continue On Fail, error items and paid rows keep the row order under concurrency', async () => {
		const rows = rowsOf(20, 'mix');
		for (const index of [2, 9, 17]) rows[index].account = 'bad';
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { ...WAIT, concurrency: 10 }),
			rows,
			CONTINUE_ON_FAIL,
		);
		const items = run.items();
		expect(items.map((item) => item.pairedItem)).toEqual(
			rows.map((_row, index) => ({ item: index })),
		);
		expect(items.map((item) => item.json.row)).toEqual(rows.map((_row, index) => index + 1));
		expect(items.map((item) => (item.json.error ? 'error' : item.json.status))).toEqual(
			rows.map((_row, index) => ([2, 9, 17].includes(index) ? 'error' : 'processed')),
		);
	});
});

describe('a row whose parameters cannot be read', () => {
	const withMetadata = (extra = {}) =>
		payoutParameters(
			'create',
			{},
			{ additionalFields: { metadata: '={{ $json.metadata }}' }, ...extra },
		);

	it('is refused like any invalid row: the other rows go on with Continue On Fail', async () => {
		const rows = [
			{ reference_id: 'json-1', amount: '10', account: '1', metadata: '{"batch":"a"}' },
			{ reference_id: 'json-2', amount: '10', account: '2', metadata: '[1, 2]' },
			{ reference_id: 'json-3', amount: '10', account: '3', metadata: '{"batch":"a"}' },
		];
		const run = await runNode(sandbox.credentials, withMetadata(), rows, CONTINUE_ON_FAIL);
		const items = run.items();
		expect(items.map((item) => item.json.referenceId)).toEqual(['json-1', 'json-2', 'json-3']);
		expect(items[1].json).toMatchObject({
			row: 2,
			stage: 'validation',
			field: 'row',
			error:
				'Row 2 (item 1, reference ID "json-2"): row could not be read: metadata must be a JSON object',
		});
		expect(items[0].json.status).toBe('created');
		expect(items[2].json.status).toBe('created');
		expect(sandbox.ledger().summary.invoices).toBe(2);
	});

	it('stops the run before anything is sent without Continue On Fail', async () => {
		const rows = [
			{ reference_id: 'json-4', amount: '10', account: '4', metadata: '{}' },
			{ reference_id: 'json-5', amount: '10', account: '5', metadata: 'not json' },
		];
		const run = await runNode(sandbox.credentials, withMetadata(), rows);
		expect(run.result.status).toBe('error');
		expect(run.result.executionError?.message).toContain(
			'Row 2 (item 1, reference ID "json-5"): row could not be read',
		);
		expect(sandbox.ledger().summary.createAttempts.total).toBe(0);
	});
});
