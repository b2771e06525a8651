/**
 * Issue 29 (from issue 30's check): a chunk of a sheet names its rows as the sheet does. With Column Names → Row
 * Number Column, every message and item of a row says the sheet's row number beside n8n's item number, so the same
 * row reads the same in every run, whichever chunk and place it had.
 */
import type { IDataObject } from 'n8n-workflow';

import { asExpression, payoutParameters } from '../support/payoutWorkflow';
import { useSandbox } from '../support/sandboxSuite';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

describe('Row Number Column', () => {
	const sandbox = useSandbox();

	const row = (id: string | number, reference: string, amount: string): IDataObject => ({
		id,
		reference_id: reference,
		service: 'test_usd',
		currency: 'USD',
		amount,
		account: '12345',
	});
	const columns = (operation: string, options: IDataObject = {}, rowNumberColumn = 'id') =>
		payoutParameters(operation, options, { columnNames: { rowNumberColumn } }, 'columns');

	it("a refused row and a paid row carry the sheet's row number, in the message and in `row`", async () => {
		const run = await runNode(
			sandbox.credentials,
			columns('createAndProcess'),
			[row(41, 'rn-41', '5'), row('42', 'rn-42', 'abc')],
			CONTINUE_ON_FAIL,
		);
		const [paid, refused] = run.json();
		expect(paid).toMatchObject({ row: 41, referenceId: 'rn-41' });
		expect(refused.row).toBe(42);
		expect(String(refused.error)).toMatch(/^Row 42 \(item 1, reference ID "rn-42"\): amount/);
		expect(sandbox.ledger().invoices.map((invoice) => invoice.referenceId)).toEqual(['rn-41']);
	});

	it('without Continue On Fail the run stops naming the sheet row, and nothing is sent', async () => {
		const run = await runNode(sandbox.credentials, columns('createAndProcess'), [
			row(7, 'rn-7', '5'),
			row(8, 'rn-8', '-1'),
		]);
		expect(failureText(run.result)).toContain('Row 8 (item 1, reference ID "rn-8")');
		expect(sandbox.ledger().calls.filter((call) => call.operation === 'create')).toHaveLength(0);
	});

	it('Validate and an approval mismatch name the sheet row too', async () => {
		const validated = await runNode(sandbox.credentials, columns('validate'), [
			row(12, 'rn-12', '5'),
		]);
		expect(validated.json()[0].row).toBe(12);
		const approval = (validated.json()[0].summary as IDataObject).approval;
		const run = await runNode(
			sandbox.credentials,
			columns('createAndProcess', { approvedCode: asExpression(approval) }),
			[row(12, 'rn-12', '5'), row(13, 'rn-13', '6')],
			CONTINUE_ON_FAIL,
		);
		expect(String(run.json()[0].error)).toContain(
			'not in the approval: row 13 (item 1, reference ID "rn-13")',
		);
		expect(sandbox.ledger().calls.filter((call) => call.operation === 'create')).toHaveLength(0);
	});

	it('a row without a whole number there is named by its place', async () => {
		const run = await runNode(
			sandbox.credentials,
			columns('validate'),
			[row('', 'rn-a', 'abc'), row(2.5, 'rn-b', 'abc')],
			CONTINUE_ON_FAIL,
		);
		expect(run.json().map((item) => item.row)).toEqual([1, 2]);
		expect(String(run.json()[1].error)).toMatch(/^Row 2 \(item 1, reference ID "rn-b"\)/);
	});

	it('a Row Number Column that no item has stops the run before anything is sent', async () => {
		const run = await runNode(sandbox.credentials, columns('createAndProcess', {}, 'row_number'), [
			row(1, 'rn-x', '5'),
		]);
		expect(failureText(run.result)).toContain('Column "row_number" (Row Number Column)');
		expect(sandbox.ledger().calls).toHaveLength(0);
	});
});
