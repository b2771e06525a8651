/**
 * Issue 18, part 1: an approval bound to the validated rows. Validate's summary carries an approval code (and its
 * manifest); Create and Create and Process with "Approved Code" pay only when their own rows give the same code,
 * and otherwise send nothing at all, whatever Continue On Fail says. Judged by the sandbox's ledger.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	approvalOf,
	parseApprovedCode,
	type ApprovalScope,
} from '../../nodes/PaymentsTrust/payouts/approvalCode';
import type { ValidPayout } from '../../nodes/PaymentsTrust/payouts/types';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest } from '../support/explicitMode';
import { asExpression, payoutParameters } from '../support/payoutWorkflow';
import { CONTINUE_ON_FAIL, failureText, runNode, stoppedWith } from '../support/runNode';

const CARD = '4111111111111111';
const OTHER_CARD = '5500000000000004';

describe('the approval code itself', () => {
	const scope: ApprovalScope = {
		environment: 'test',
		accountId: 'coma_approval',
		host: 'https://pay.example.com',
		key: 'api-key-1',
	};
	const payout = (overrides: Partial<ValidPayout> = {}): ValidPayout => ({
		itemIndex: 0,
		referenceId: 'ap-1',
		service: 'payment_card_usd',
		currency: 'USD',
		amount: '10.50',
		amountText: '10.50',
		amountMinor: 1050n,
		fields: { card_number: CARD },
		extra: {},
		...overrides,
	});
	const rows = [
		payout(),
		payout({ itemIndex: 1, referenceId: 'ap-2', amountText: '3', amountMinor: 300n }),
		payout({ itemIndex: 2, referenceId: 'ap-3', fields: { card_number: OTHER_CARD } }),
	];
	const code = approvalOf(rows, scope).code;

	it('is short, typable and stable; the same rows in another order give the same code', () => {
		expect(code).toMatch(/^PTA1(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
		expect(approvalOf(rows, scope).code).toBe(code);
		const shuffled = [rows[2], rows[0], rows[1]].map((row, itemIndex) => ({ ...row, itemIndex }));
		expect(approvalOf(shuffled, scope).code).toBe(code);
	});

	it.each<[string, ValidPayout[] | undefined, Partial<ApprovalScope>]>([
		['the amount', [payout({ amountMinor: 1051n, amountText: '10.51' }), rows[1], rows[2]], {}],
		['the currency', [payout({ currency: 'EUR' }), rows[1], rows[2]], {}],
		['the service', [payout({ service: 'legacy_card_usd' }), rows[1], rows[2]], {}],
		['the reference ID', [payout({ referenceId: 'ap-1b' }), rows[1], rows[2]], {}],
		[
			'a card number',
			[payout({ fields: { card_number: '4111111111111129' } }), rows[1], rows[2]],
			{},
		],
		['a card token', [payout({ extra: { token: 'tok_1' } }), rows[1], rows[2]], {}],
		['a row less', [rows[0], rows[1]], {}],
		['the environment', undefined, { environment: 'live' }],
		['the account', undefined, { accountId: 'coma_other' }],
		['the host', undefined, { host: 'http://127.0.0.1:4010' }],
		['the API key (the digest is keyed)', undefined, { key: 'api-key-2' }],
	])('changes with %s', (_what, changedRows, changedScope) => {
		expect(approvalOf(changedRows ?? rows, { ...scope, ...changedScope }).code).not.toBe(code);
	});

	it('reveals none of what it covers, in the code or in the per-row digests', () => {
		const manifest = approvalOf(rows, scope);
		const text = JSON.stringify({ ...manifest, references: Object.values(manifest.references) });
		for (const secret of [
			CARD,
			OTHER_CARD,
			'1111',
			'0004',
			'1050',
			'payment_card',
			'coma_',
			'api-key',
		])
			expect(text).not.toContain(secret);
		// The manifest names the references (so that a mismatch can), and the totals an approver reads.
		expect(Object.keys(manifest.references).sort()).toEqual(['ap-1', 'ap-2', 'ap-3']);
		expect(manifest).toMatchObject({
			rows: 3,
			totals: [{ currency: 'USD', rows: 3, amount: '24.00' }],
		});
	});

	it('takes the code as a person types it, and the approval object or summary', () => {
		const typed = code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o');
		expect(parseApprovedCode(typed)).toEqual({ code });
		const manifest = approvalOf(rows, scope);
		expect(parseApprovedCode(manifest)).toEqual({ code, manifest });
		expect(parseApprovedCode({ rows: 3, approval: manifest })).toEqual({ code, manifest });
		expect(parseApprovedCode(JSON.stringify(manifest))).toEqual({ code, manifest });
	});

	it.each<[string, unknown, string]>([
		['empty text', '', 'Approved Code is empty'],
		['a word', 'approved', 'Approved Code "approved" is not an approval code'],
		['a cut-off code', code.slice(0, 14), 'is not an approval code'],
		['a code with a letter too many', `${code}X`, 'is not an approval code'],
		['a number', 12345, 'Approved Code is a number value'],
		['a list', [code], 'Approved Code is a list'],
		['an object without a code', { rows: 3 }, 'an object without a "code"'],
		['broken JSON', '{"code": ', 'looks like JSON but cannot be read'],
		['a card number', CARD, '411111******1111'],
	])('refuses %s with a clear error', (_what, value, fragment) => {
		const parsed = parseApprovedCode(value);
		expect('error' in parsed && parsed.error).toContain(fragment);
		if ('error' in parsed) {
			expect(parsed.error).toContain("$('Validate').first().json.summary.approval");
			expect(parsed.error).not.toContain(CARD);
		}
	});
});

describe('Validate → Create and Process with Approved Code, against the sandbox', () => {
	let sandbox: RunningSandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
	});
	afterAll(async () => sandbox.close());
	checkModeAfterEachTest(() => sandbox);
	beforeEach(() => sandbox.reset());

	const SHEET: IDataObject[] = [
		{ reference_id: 'apr-1', amount: '10.50', account: '12345' },
		{ reference_id: 'apr-2', amount: '20', account: '22222' },
		{ reference_id: 'apr-3', amount: '7', service: 'payment_card_usd', card_number: CARD },
		{ reference_id: 'apr-4', amount: '1,000', account: '1' },
		{ reference_id: 'apr-5', amount: '3.25', account: '55555' },
	];
	const VALID = ['apr-1', 'apr-2', 'apr-3', 'apr-5'];

	async function approve(rows: IDataObject[], options: IDataObject = {}): Promise<IDataObject> {
		const run = await runNode(sandbox.credentials, payoutParameters('validate', options), rows);
		const summary = run.json()[0].summary as IDataObject;
		// Every item carries the same summary.
		for (const item of run.json()) expect(item.summary).toEqual(summary);
		return summary.approval as IDataObject;
	}

	async function pay(rows: IDataObject[], approvedCode: string, options: IDataObject = {}) {
		return await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { approvedCode, ...options }),
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

	it("Validate's summary carries the code, row count, totals per currency and one digest per valid row", async () => {
		const approval = await approve(SHEET);
		expect(approval).toMatchObject({
			code: expect.stringMatching(/^PTA1-/),
			version: 1,
			environment: 'test',
			rows: 4,
			totals: [{ currency: 'USD', rows: 4, amount: '40.75' }],
		});
		expect(Object.keys(approval.references as IDataObject).sort()).toEqual(VALID);
		expect(JSON.stringify(approval)).not.toContain(CARD);
		expect(sandbox.ledger().calls).toHaveLength(0);
		// The same sheet in another order: the same code.
		expect((await approve([...SHEET].reverse())).code).toBe(approval.code);
	});

	it('pays every valid row once when the rows are the approved ones (object or code text)', async () => {
		const approval = await approve(SHEET);
		const run = await pay(SHEET, asExpression(approval));
		expect(run.json().map((item) => item.error === undefined)).toEqual([
			true,
			true,
			true,
			false,
			true,
		]);
		expect(paidReferences()).toEqual(VALID);
		// Again, with the code alone as text: nothing new is paid (idempotent), nothing refused.
		const again = await pay(SHEET, String(approval.code));
		expect(again.json().filter((item) => item.alreadyExisted === true)).toHaveLength(4);
		expect(creates().filter((call) => call.outcome === 'accepted')).toHaveLength(4);
		expect(sandbox.ledger().invoices.every((invoice) => invoice.createsCommitted === 1)).toBe(true);
	});

	it.each<[string, (rows: IDataObject[]) => IDataObject[], string]>([
		[
			'an amount changed after approval',
			(rows) =>
				rows.map((row) => (row.reference_id === 'apr-2' ? { ...row, amount: '2000' } : row)),
			'changed since approval: row 2 (item 1, reference ID "apr-2")',
		],
		[
			'a card number changed after approval',
			(rows) =>
				rows.map((row) =>
					row.reference_id === 'apr-3' ? { ...row, card_number: OTHER_CARD } : row,
				),
			'changed since approval: row 3 (item 2, reference ID "apr-3")',
		],
		[
			'a row added',
			(rows) => [...rows, { reference_id: 'apr-6', amount: '1', account: '6' }],
			'not in the approval: row 6 (item 5, reference ID "apr-6")',
		],
		[
			'a refused row fixed after approval',
			(rows) =>
				rows.map((row) => (row.reference_id === 'apr-4' ? { ...row, amount: '1000' } : row)),
			'not in the approval: row 4 (item 3, reference ID "apr-4")',
		],
		[
			'a row removed',
			(rows) => rows.filter((row) => row.reference_id !== 'apr-5'),
			'approved but not in this run (or now refused): "apr-5"',
		],
		[
			'an approved row now refused',
			(rows) => rows.map((row) => (row.reference_id === 'apr-1' ? { ...row, amount: 'abc' } : row)),
			'approved but not in this run (or now refused): row 1 (item 0, reference ID "apr-1")',
		],
	])(
		'%s: nothing is sent, even with Continue On Fail, and the message names the row',
		async (_what, edit, names) => {
			const approval = await approve(SHEET);
			const run = await pay(edit(SHEET), asExpression(approval));
			// Continue On Fail turns the node's error into one error item; no row ran.
			const output = run.json();
			const error = stoppedWith(output);
			expect(error).toContain(names);
			expect(error).toContain('Nothing was sent');
			expect(JSON.stringify(output)).not.toContain(OTHER_CARD);
			expect(creates()).toHaveLength(0);
			expect(sandbox.ledger().invoices).toHaveLength(0);
		},
	);

	it('with the code alone, a mismatch says the run’s own row count and totals, and sends nothing', async () => {
		const approval = await approve(SHEET);
		const changed = SHEET.map((row) =>
			row.reference_id === 'apr-2' ? { ...row, amount: '21' } : row,
		);
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { approvedCode: approval.code }),
			changed,
		);
		const text = failureText(run.result);
		expect(text).toContain(`not the Approved Code ${String(approval.code)}`);
		expect(text).toContain('4 rows to pay (41.75 USD in 4)');
		expect(creates()).toHaveLength(0);
	});

	it('an approval for another account does not pay this one', async () => {
		const approval = await approve(SHEET);
		const otherKey = { ...sandbox.credentials, accountId: `${sandbox.credentials.accountId}x` };
		const run = await runNode(
			otherKey,
			payoutParameters('createAndProcess', { approvedCode: asExpression(approval) }),
			SHEET,
			CONTINUE_ON_FAIL,
		);
		expect(creates()).toHaveLength(0);
		expect(JSON.stringify(run.json())).toMatch(/Nothing was sent|401|Unauthorized/);
	});

	it.each<[string, string]>([
		['text that is not a code', 'looks good to me'],
		['an empty value', ''],
		['an object without a code', asExpression({ rows: 4 })],
	])('%s stops the run before any request, with a clear error', async (_what, approvedCode) => {
		const run = await pay(SHEET, approvedCode);
		expect(stoppedWith(run.json())).toMatch(
			/^Approved Code .*(not an approval code|empty|without a "code")/,
		);
		expect(sandbox.ledger().calls).toHaveLength(0);
	});

	it('Create (without processing) honours the Approved Code too', async () => {
		const approval = await approve(SHEET);
		const changed = SHEET.map((row) =>
			row.reference_id === 'apr-1' ? { ...row, account: '99999' } : row,
		);
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('create', { approvedCode: asExpression(approval) }),
			changed,
			CONTINUE_ON_FAIL,
		);
		expect(stoppedWith(run.json())).toContain(
			'changed since approval: row 1 (item 0, reference ID "apr-1")',
		);
		expect(creates()).toHaveLength(0);
	});

	it('Run Safety Limits: the code covers the rows within the limits, so a pay step with other limits stops', async () => {
		const limits = { safetyLimits: { limit: [{ currency: 'USD', maxTotal: '31' }] } };
		// 10.50 + 20 = 30.50; row 3 (7) would cross 31: rows 3 and 5 are held back and not approved.
		const approval = await approve(SHEET, limits);
		expect(Object.keys(approval.references as IDataObject).sort()).toEqual(['apr-1', 'apr-2']);
		const withoutLimits = await pay(SHEET, asExpression(approval));
		expect(stoppedWith(withoutLimits.json())).toContain(
			'not in the approval: row 3 (item 2, reference ID "apr-3"), row 5 (item 4, reference ID "apr-5")',
		);
		expect(creates()).toHaveLength(0);
		await pay(SHEET, asExpression(approval), limits);
		expect(paidReferences()).toEqual(['apr-1', 'apr-2']);
	});
});
