/**
 * Issue 21: Rows From "Columns of Each Input Item". Each row's payout is read from its item's columns by name,
 * with no expression per row; the sandbox (its ledger and its own record of each invoice) says what was really
 * created. The same checks as Fields Below mode are proven row by row in test/money/badRows.test.ts, and the
 * fault proxy runs both modes (test/money/proxyScenario.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest } from '../support/explicitMode';
import { payoutParameters, PT_NODE } from '../support/payoutWorkflow';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

let sandbox: RunningSandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(async () => sandbox.close());
checkModeAfterEachTest(() => sandbox);
beforeEach(() => sandbox.reset());

const columns = (operation: string, extra: IDataObject = {}, options: IDataObject = {}) =>
	payoutParameters(operation, { concurrency: 3, ...options }, extra, 'columns');

/** The invoice as the platform holds it (the sandbox's own record, read over its API), by reference ID. */
async function platformInvoice(referenceId: string): Promise<IDataObject> {
	const invoice = sandbox.ledger().invoices.find((entry) => entry.referenceId === referenceId);
	if (!invoice) throw new Error(`no invoice for ${referenceId}`);
	const { accountId, apiKey } = sandbox.credentials as unknown as Record<string, string>;
	const answer = await fetch(`${sandbox.privateApiUrl}/payout-invoices/${invoice.id}`, {
		headers: { authorization: `Basic ${Buffer.from(`${accountId}:${apiKey}`).toString('base64')}` },
	});
	const body = (await answer.json()) as { data: { attributes: IDataObject } };
	return body.data.attributes;
}

const SHEET = [
	{
		reference_id: 'col-1',
		service: 'test_usd',
		currency: 'usd',
		amount: '10.50',
		account: 100001,
		note: 'first',
		colour: 'blue',
		test_mode: false,
	},
	{
		reference_id: 'col-2',
		service: 'test_usd',
		currency: 'USD',
		amount: 20,
		account: '100002',
		note: 'second',
		colour: 'red',
		test_mode: false,
	},
];

describe('Rows From: Columns of Each Input Item', () => {
	it('pays each row from its columns: amount, currency, service, reference ID and only the fields the service declares', async () => {
		const run = await runNode(
			sandbox.credentials,
			columns('createAndProcess', {
				columnNames: { descriptionColumn: 'note' },
				additionalFields: { metadata: '{"source":"sheet"}' },
			}),
			SHEET,
		);
		expect(run.json().map((json) => [json.referenceId, json.error])).toEqual([
			['col-1', undefined],
			['col-2', undefined],
		]);
		const ledger = sandbox.ledger();
		expect(
			ledger.invoices
				.map((invoice) => ({
					referenceId: invoice.referenceId,
					amount: invoice.amount,
					currency: invoice.currency,
					service: invoice.service,
					testMode: invoice.testMode,
					testModeExplicit: invoice.testModeExplicit,
				}))
				.sort((a, b) => a.referenceId.localeCompare(b.referenceId)),
		).toEqual([
			{
				referenceId: 'col-1',
				amount: 10.5,
				currency: 'USD',
				service: 'test_usd',
				testMode: true,
				testModeExplicit: true,
			},
			{
				referenceId: 'col-2',
				amount: 20,
				currency: 'USD',
				service: 'test_usd',
				testMode: true,
				testModeExplicit: true,
			},
		]);
		expect(ledger.calls.filter((call) => call.operation === 'process')).toHaveLength(2);
		const first = await platformInvoice('col-1');
		// `colour` is no field of test_usd and `test_mode` is the credential's: neither is sent as a field.
		expect(first.fields).toEqual({ account: '100001' });
		expect(first.description).toBe('first');
		expect(first.metadata).toEqual({ source: 'sheet' });
		expect((await platformInvoice('col-2')).description).toBe('second');
	});

	it('reads the columns the Column Names say, and ignores the hidden Fields Below parameters', async () => {
		const rows = [{ Ref: 'named-1', Svc: 'test_usd', Ccy: 'USD', Betrag: '7.25', account: '1' }];
		const run = await runNode(
			sandbox.credentials,
			columns('create', {
				columnNames: {
					referenceIdColumn: 'Ref',
					serviceColumn: 'Svc',
					currencyColumn: 'Ccy',
					amountColumn: 'Betrag',
				},
				// Left over from Fields Below: not shown in this mode, and never used.
				amount: '={{ 999 }}',
				referenceId: 'not-this-one',
			}),
			rows,
		);
		expect(run.json()[0]).toMatchObject({ referenceId: 'named-1', status: 'created' });
		expect(
			sandbox.ledger().invoices.map((invoice) => [invoice.referenceId, invoice.amount]),
		).toEqual([['named-1', 7.25]]);
	});

	it('an Additional Field holding an expression is evaluated for each row, not once for all', async () => {
		const run = await runNode(
			sandbox.credentials,
			columns('create', { additionalFields: { description: '={{ "for " + $json.note }}' } }),
			SHEET,
		);
		expect(run.json().map((json) => json.error)).toEqual([undefined, undefined]);
		expect((await platformInvoice('col-1')).description).toBe('for first');
		expect((await platformInvoice('col-2')).description).toBe('for second');
	});

	it('a row missing a column or holding a bad value is refused naming the row and the field; the others are paid', async () => {
		const rows = [
			{ reference_id: 'bad-1', service: 'test_usd', currency: 'USD', account: '1' },
			{ reference_id: 'ok-2', service: 'test_usd', currency: 'USD', amount: '5', account: '2' },
			{
				reference_id: 'bad-3',
				service: 'test_usd',
				currency: 'USD',
				amount: '1,000',
				account: '3',
			},
		];
		const run = await runNode(sandbox.credentials, columns('create'), rows, CONTINUE_ON_FAIL);
		const json = run.json();
		expect(
			json.map((entry) => [entry.error ? entry.row : 'paid', entry.field, entry.stage]),
		).toEqual([
			[1, 'amount', 'validation'],
			['paid', undefined, undefined],
			[3, 'amount', 'validation'],
		]);
		expect(json[1]).toMatchObject({ referenceId: 'ok-2', status: 'created' });
		expect(sandbox.ledger().calls.map((call) => call.referenceId)).toEqual(['ok-2']);
	});

	it.each([
		[
			'a named column no item has',
			{ columnNames: { amountColumn: 'Amount' } },
			'Column "Amount" (Amount Column) is in none of the 2 input items',
		],
		[
			'an empty column name',
			{ columnNames: { referenceIdColumn: ' ' } },
			'Column Names: "Reference ID Column" is empty',
		],
		[
			'two parts in one column',
			{ columnNames: { currencyColumn: 'amount' } },
			'Column Names: "Currency Column" and "Amount Column" both name column "amount"',
		],
		[
			'a description column no item has',
			{ columnNames: { descriptionColumn: 'memo' } },
			'Column "memo" (Description Column) is in none of the 2 input items',
		],
		[
			'test_mode in the extra fields JSON against the credential',
			{ additionalFields: { extraFields: '{"test_mode": false}' } },
			'the extra service fields JSON sets test_mode to false',
		],
	])('%s stops the run before anything is sent', async (_name, extra, message) => {
		for (const node of [{}, CONTINUE_ON_FAIL]) {
			sandbox.reset();
			const run = await runNode(
				sandbox.credentials,
				columns('createAndProcess', extra),
				SHEET,
				node,
			);
			// With Continue On Fail a setting's error is on every item (a mode clash still fails the node).
			const failed = run.result.executionError ?? run.result.errorOf(PT_NODE);
			const text = failed
				? failureText(run.result)
				: run
						.json()
						.map((json) => String(json.error))
						.join('\n');
			expect(text).toContain(message);
			expect(sandbox.ledger().calls).toEqual([]);
		}
	});

	it('Validate reads the same rows the same way in both modes', async () => {
		const fields = await runNode(sandbox.credentials, payoutParameters('validate'), SHEET);
		const fromColumns = await runNode(sandbox.credentials, columns('validate'), SHEET);
		expect(fromColumns.json()).toEqual(fields.json());
		expect(fromColumns.json()[0]).toMatchObject({ valid: true, fields: { account: '100001' } });
		expect(sandbox.ledger().calls).toEqual([]);
	});
});
