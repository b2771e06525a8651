/**
 * Issue 29: a chunk pays only what was approved. Validate approves a whole sheet; a chunk of it is paid with
 * Approved Code scope "A Part of the Approved Run": every row it would send must be in the approval with exactly
 * its approved digest, or nothing is sent. The digests are keyed with the API key, so a stranger who can call the
 * chunk cannot make one. Judged by the sandbox's ledger.
 */
import type { IDataObject } from 'n8n-workflow';

import { approvalOf, type ApprovalScope } from '../../nodes/PaymentsTrust/payouts/approvalCode';
import { compareApprovalPart } from '../../nodes/PaymentsTrust/payouts/approvalPart';
import type { ValidPayout } from '../../nodes/PaymentsTrust/payouts/types';
import { asExpression, payoutParameters } from '../support/payoutWorkflow';
import { useSandbox } from '../support/sandboxSuite';
import { CONTINUE_ON_FAIL, failureText, runNode, stoppedWith } from '../support/runNode';

const CARD = '4111111111111111';
const OTHER_CARD = '5500000000000004';

describe('a row digest binds where the money moves', () => {
	const scope: ApprovalScope = {
		environment: 'test',
		accountId: 'coma_part',
		host: 'https://pay.example.com',
		key: 'api-key-1',
	};
	const row: ValidPayout = {
		itemIndex: 0,
		referenceId: 'pt-1',
		service: 'test_usd',
		currency: 'USD',
		amount: '5',
		amountText: '5',
		amountMinor: 500n,
		fields: { account: '12345' },
		extra: {},
	};
	const approved = approvalOf([row], scope);

	it.each<[string, Partial<ApprovalScope>]>([
		['in the live environment', { environment: 'live' }],
		['for another account', { accountId: 'coma_other' }],
		['on another host', { host: 'http://127.0.0.1:4010' }],
		['with another API key', { key: 'api-key-2' }],
	])('a digest made %s does not verify', (_where, other) => {
		const own = approvalOf([row], { ...scope, ...other });
		expect(own.references['pt-1']).not.toBe(approved.references['pt-1']);
		expect(compareApprovalPart(approved, own, [row])?.message).toContain(
			'changed since approval: row 1 (item 0, reference ID "pt-1")',
		);
	});

	it('a reference ID named like an object property is not found in an approval without it', () => {
		const proto = { ...row, referenceId: '__proto__' };
		const own = approvalOf([proto], scope);
		expect(compareApprovalPart(approved, own, [proto])?.message).toContain(
			'not in the approval: row 1 (item 0, reference ID "__proto__")',
		);
	});
});

describe('a chunk of an approved run, against the sandbox', () => {
	const sandbox = useSandbox();

	// The whole sheet the parent validates; chunks are slices of it.
	const SHEET: IDataObject[] = [
		{ reference_id: 'part-1', amount: '10.50', account: '11111' },
		{ reference_id: 'part-2', amount: '20', account: '22222' },
		{ reference_id: 'part-3', amount: '7', service: 'payment_card_usd', card_number: CARD },
		{ reference_id: 'part-4', amount: '3.25', account: '44444' },
		{ reference_id: 'part-5', amount: '1,000', account: '55555' },
	];

	async function approve(rows: IDataObject[]): Promise<IDataObject> {
		const run = await runNode(sandbox.credentials, payoutParameters('validate'), rows);
		return (run.json()[0].summary as IDataObject).approval as IDataObject;
	}

	async function payChunk(rows: IDataObject[], approval: unknown, options: IDataObject = {}) {
		return await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', {
				approvedCode: asExpression(approval),
				approvalScope: 'part',
				...options,
			}),
			rows,
			CONTINUE_ON_FAIL,
		);
	}

	const paidReferences = () =>
		sandbox
			.ledger()
			.invoices.map((invoice) => invoice.referenceId)
			.sort();
	const creates = () => sandbox.ledger().calls.filter((call) => call.operation === 'create');

	it('each chunk pays its approved rows once; a refused row stays refused; a chunk sent again pays nothing twice', async () => {
		const approval = await approve(SHEET);
		const first = await payChunk(SHEET.slice(0, 2), approval);
		expect(first.json().map((item) => item.error)).toEqual([undefined, undefined]);
		const second = await payChunk(SHEET.slice(2), approval);
		expect(second.json().map((item) => item.error === undefined)).toEqual([true, true, false]);
		expect(second.json()[2].stage).toBe('validation');
		await payChunk(SHEET.slice(0, 2), approval);
		expect(paidReferences()).toEqual(['part-1', 'part-2', 'part-3', 'part-4']);
		expect(sandbox.ledger().invoices.every((invoice) => invoice.createsCommitted === 1)).toBe(true);
	});

	it.each<[string, (rows: IDataObject[]) => IDataObject[], string]>([
		[
			'an amount changed',
			(rows) =>
				rows.map((row) => (row.reference_id === 'part-2' ? { ...row, amount: '2000' } : row)),
			'changed since approval: row 2 (item 1, reference ID "part-2")',
		],
		[
			'the payee changed (account)',
			(rows) =>
				rows.map((row) => (row.reference_id === 'part-1' ? { ...row, account: '99999' } : row)),
			'changed since approval: row 1 (item 0, reference ID "part-1")',
		],
		[
			'the payee changed (card number)',
			(rows) =>
				rows.map((row) =>
					row.reference_id === 'part-3' ? { ...row, card_number: OTHER_CARD } : row,
				),
			'changed since approval: row 3 (item 2, reference ID "part-3")',
		],
		[
			'a row added',
			(rows) => [...rows, { reference_id: 'part-9', amount: '20', account: '99999' }],
			'not in the approval: row 4 (item 3, reference ID "part-9")',
		],
		[
			'a refused row fixed',
			(rows) => [...rows, { ...SHEET[4], amount: '1000' }],
			'not in the approval: row 4 (item 3, reference ID "part-5")',
		],
	])(
		'%s: the whole chunk sends nothing, even with Continue On Fail',
		async (_what, edit, names) => {
			const approval = await approve(SHEET);
			const run = await payChunk(edit(SHEET.slice(0, 3)), approval);
			const error = stoppedWith(run.json());
			expect(error).toContain(names);
			expect(error).toContain('not part of the approved run');
			expect(error).toContain('Nothing was sent');
			expect(JSON.stringify(run.json())).not.toContain(OTHER_CARD);
			expect(creates()).toHaveLength(0);
			expect(sandbox.ledger().invoices).toHaveLength(0);
		},
	);

	it.each<[string, (approval: IDataObject) => IDataObject]>([
		[
			'a digest copied from another row',
			(approval) => {
				const references = approval.references as IDataObject;
				return { ...approval, references: { ...references, 'part-1': references['part-2'] } };
			},
		],
		[
			'a manifest signed with another API key',
			(approval) => ({
				...approval,
				references: approvalOf(
					[
						{
							itemIndex: 0,
							referenceId: 'part-1',
							service: 'test_usd',
							currency: 'USD',
							amount: '10.50',
							amountText: '10.50',
							amountMinor: 1050n,
							fields: { account: '11111' },
							extra: {},
						},
					],
					{ environment: 'test', accountId: sandbox.credentials.accountId, host: '', key: 'guess' },
				).references,
			}),
		],
		['an invented digest', (approval) => ({ ...approval, references: { 'part-1': 'AAAAAAAAAA' } })],
	])('a forged manifest (%s) pays nothing', async (_what, forge) => {
		const approval = await approve(SHEET);
		const run = await payChunk(SHEET.slice(0, 1), forge(approval));
		expect(stoppedWith(run.json())).toContain(
			'changed since approval: row 1 (item 0, reference ID "part-1")',
		);
		expect(creates()).toHaveLength(0);
	});

	it('the code text alone cannot approve a part: the run stops before any request', async () => {
		const approval = await approve(SHEET);
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', {
				approvedCode: String(approval.code),
				approvalScope: 'part',
			}),
			SHEET.slice(0, 2),
		);
		expect(failureText(run.result)).toContain('give the approval object');
		expect(sandbox.ledger().calls).toHaveLength(0);
	});

	it.each<[string, IDataObject]>([
		['a scope without an Approved Code', { approvalScope: 'part' }],
		[
			'a scope that is not one of the two',
			{ approvedCode: 'PTA1-0000-0000-0000-0000', approvalScope: 'all' },
		],
	])('%s stops the run before any request', async (_what, options) => {
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', options),
			SHEET.slice(0, 2),
		);
		expect(failureText(run.result)).toContain('Approved Code Scope');
		expect(sandbox.ledger().calls).toHaveLength(0);
	});

	it("a chunk's own Run Safety Limit holds back rows beyond it, even when they are approved", async () => {
		const approval = await approve(SHEET);
		const limits = { safetyLimits: { limit: [{ currency: 'USD', maxTotal: '15' }] } };
		const run = await payChunk(SHEET.slice(0, 2), approval, limits);
		expect(run.json()[1].stage).toBe('safety_limit');
		expect(paidReferences()).toEqual(['part-1']);
	});
});
