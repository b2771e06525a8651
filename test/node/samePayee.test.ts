/**
 * Issue 26: one payee under two reference IDs, and a cap per payee, on n8n-core's engine against the sandbox.
 * What was paid is read from the sandbox's ledger, never from the node's output.
 */
import type { IDataObject } from 'n8n-workflow';

import { runWorkflow } from '../../harness/runWorkflow';
import { agentExecution, asTool, runAgent, TOOL_TYPE } from '../support/agentRun';
import { asExpression, payoutParameters, rowsFor, ROWS_FROM } from '../support/payoutWorkflow';
import { useSandbox } from '../support/sandboxSuite';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

const sandbox = useSandbox();

const CARD = '4111111111111111';
/** The same card as a person may type it: groups, dashes, full-width digits. */
const CARD_SPACED = '4111 1111 1111 1111';
const CARD_DASHED = '4111-1111-1111-1111';
const CARD_FULLWIDTH = '４１１１１１１１１１１１１１１１';
const OTHER_CARD = '5500000000000004';

const card = (reference: string, number: string, amount = '20') => ({
	reference_id: reference,
	service: 'payment_card_usd',
	amount,
	card_number: number,
});
const account = (reference: string, number: string, amount = '10') => ({
	reference_id: reference,
	amount,
	account: number,
});

/** A sheet with two payees in several rows: a card (rows 1 and 3) and a test account (rows 2 and 5). */
const SHEET: IDataObject[] = [
	card('sp-1', CARD, '20'),
	account('sp-2', '700001', '10'),
	card('sp-3', CARD, '5.50'),
	account('sp-4', '700002', '10'),
	account('sp-5', '700001', '12'),
	card('sp-6', OTHER_CARD, '1'),
];

const invoices = () =>
	sandbox
		.ledger()
		.invoices.map((invoice) => invoice.referenceId)
		.sort();
/** Every create and process request the sandbox received. */
const calls = () => sandbox.ledger().calls;

/** The ledger holds no create or process request at all: nothing was sent. */
function expectNothingSent(): void {
	expect(calls()).toEqual([]);
	expect(invoices()).toEqual([]);
}

/** No text the node gave out holds a card number unmasked, in any of the ways the sheet wrote it. */
function expectMasked(text: string): void {
	for (const number of [CARD, CARD_SPACED, CARD_DASHED, CARD_FULLWIDTH, OTHER_CARD])
		expect(text).not.toContain(number);
}

describe('Validate lists every payee in more than one row', () => {
	it.each(ROWS_FROM)(
		'with the rows, amounts and totals, cards masked (rows from %s)',
		async (rowsFrom) => {
			const run = await runNode(
				sandbox.credentials,
				payoutParameters('validate', {}, {}, rowsFrom),
				rowsFor(SHEET, rowsFrom),
			);
			const items = run.json();
			expect(items.map((item) => item.valid)).toEqual([true, true, true, true, true, true]);
			const summary = items[0].summary as IDataObject;
			expect(summary.samePayee).toEqual({
				allowed: false,
				groups: [
					{
						service: 'payment_card_usd',
						recipient: { card_number: '411111******1111' },
						rows: [
							{ row: 1, referenceId: 'sp-1', amount: '20.00', currency: 'USD' },
							{ row: 3, referenceId: 'sp-3', amount: '5.50', currency: 'USD' },
						],
						totals: [{ currency: 'USD', rows: 2, amount: '25.50' }],
					},
					{
						service: 'test_usd',
						recipient: { account: '700001' },
						rows: [
							{ row: 2, referenceId: 'sp-2', amount: '10.00', currency: 'USD' },
							{ row: 5, referenceId: 'sp-5', amount: '12.00', currency: 'USD' },
						],
						totals: [{ currency: 'USD', rows: 2, amount: '22.00' }],
					},
				],
			});
			expectMasked(JSON.stringify(items));
			expect(calls().filter((call) => call.operation === 'create')).toHaveLength(0);
		},
	);

	it('without field rules (no Public Key) the row’s identifiers are used, across spaces, dashes and full-width digits', async () => {
		const rows = [
			card('spk-1', CARD),
			card('spk-2', CARD_SPACED),
			card('spk-3', CARD_DASHED),
			card('spk-4', CARD_FULLWIDTH),
			card('spk-5', OTHER_CARD),
		];
		const run = await runNode(
			{ ...sandbox.credentials, publicKey: '' },
			payoutParameters('validate'),
			rows,
		);
		const summary = run.json()[0].summary as IDataObject;
		const groups = (summary.samePayee as IDataObject).groups as IDataObject[];
		expect(groups).toHaveLength(1);
		expect((groups[0].rows as IDataObject[]).map((row) => row.referenceId)).toEqual([
			'spk-1',
			'spk-2',
			'spk-3',
			'spk-4',
		]);
		expectMasked(JSON.stringify(run.json()));
		// The same sheet paid stops with nothing sent (the sandbox would refuse the odd formats anyway).
		const pay = await runNode(
			{ ...sandbox.credentials, publicKey: '' },
			payoutParameters('createAndProcess'),
			rows,
		);
		expect(pay.result.status).toBe('error');
		expect(failureText(pay.result)).toContain('One payee is in more than one row');
		expectMasked(failureText(pay.result));
		expect(invoices()).toEqual([]);
	});
});

describe('a paying run that holds one payee in several rows', () => {
	it.each(['create', 'createAndProcess'])(
		'%s stops before anything is sent, naming the rows',
		async (operation) => {
			const run = await runNode(sandbox.credentials, payoutParameters(operation), SHEET);
			expect(run.result.status).toBe('error');
			const text = failureText(run.result);
			expect(text).toContain(
				'One payee is in more than one row of this run: row 1 (item 0, reference ID "sp-1") and row 3 ' +
					'(item 2, reference ID "sp-3") pay payment_card_usd card_number 411111******1111; row 2 ' +
					'(item 1, reference ID "sp-2") and row 5 (item 4, reference ID "sp-5") pay test_usd account ' +
					'700001. Nothing was sent.',
			);
			expect(text).toContain('Allow Same Payee in Several Rows');
			expectMasked(text);
			expectNothingSent();
		},
	);

	it('with Continue On Fail the whole run stops all the same: every row comes out as the error', async () => {
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess'),
			SHEET,
			CONTINUE_ON_FAIL,
		);
		const items = run.json();
		expect(items).toHaveLength(SHEET.length);
		for (const item of items) {
			expect(item.error).toEqual(items[0].error);
			expectMasked(`${String(item.error)}${String(item.description)}`);
		}
		expect(String(items[0].error)).toContain('One payee is in more than one row');
		expect(invoices()).toEqual([]);
	});

	it('an e-mail written in other case is the same payee', async () => {
		const paypal = (reference: string, email: string) => ({
			reference_id: reference,
			service: 'paypal_usd',
			amount: '5',
			email,
		});
		const run = await runNode(sandbox.credentials, payoutParameters('createAndProcess'), [
			paypal('spm-1', 'Ann.Lee@Example.com'),
			paypal('spm-2', 'ann.lee@example.COM'),
		]);
		expect(failureText(run.result)).toContain('pay paypal_usd email Ann.Lee@Example.com');
		expect(invoices()).toEqual([]);
	});

	it('with "Allow Same Payee in Several Rows" every row is paid once', async () => {
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { allowSamePayee: true }),
			SHEET,
		);
		expect(run.result.status).toBe('success');
		expect(invoices()).toEqual(['sp-1', 'sp-2', 'sp-3', 'sp-4', 'sp-5', 'sp-6']);
	});

	it('the option takes true or false only', async () => {
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { allowSamePayee: '={{ "yes" }}' }),
			SHEET,
		);
		expect(failureText(run.result)).toContain(
			'Option "Allow Same Payee in Several Rows" must be true or false, not "yes"',
		);
		expect(calls()).toHaveLength(0);
	});
});

describe('the approval covers "Allow Same Payee in Several Rows"', () => {
	async function approve(options: IDataObject): Promise<IDataObject> {
		const run = await runNode(sandbox.credentials, payoutParameters('validate', options), SHEET);
		return (run.json()[0].summary as IDataObject).approval as IDataObject;
	}
	const pay = async (approval: IDataObject, options: IDataObject) =>
		await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', {
				approvedCode: asExpression(approval),
				...options,
			}),
			SHEET,
		);

	it('an approval made without it cannot pay with it: nothing is sent', async () => {
		const approval = await approve({});
		expect(approval.samePayeeAllowed).toBe(false);
		const run = await pay(approval, { allowSamePayee: true });
		expect(failureText(run.result)).toContain(
			'The rows to pay are not the approved ones: this run allows one payee in several rows ' +
				'("Allow Same Payee in Several Rows"), the approval did not. Nothing was sent.',
		);
		expect(invoices()).toEqual([]);
	});

	it('an approval made with it cannot pay without it, and pays with it', async () => {
		const approval = await approve({ allowSamePayee: true });
		expect(approval.samePayeeAllowed).toBe(true);
		expect(approval.code).not.toBe((await approve({})).code);
		const without = await pay(approval, {});
		expect(failureText(without.result)).toContain(
			'the approval allowed one payee in several rows ("Allow Same Payee in Several Rows"), this ' +
				'run does not',
		);
		expect(invoices()).toEqual([]);
		// The code alone (no manifest) is refused too.
		const codeOnly = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { approvedCode: String(approval.code) }),
			SHEET,
		);
		expect(failureText(codeOnly.result)).toContain('not the Approved Code');
		expect(invoices()).toEqual([]);
		const run = await pay(approval, { allowSamePayee: true });
		expect(run.result.status).toBe('success');
		expect(invoices()).toEqual(['sp-1', 'sp-2', 'sp-3', 'sp-4', 'sp-5', 'sp-6']);
	});
});

describe('Run Safety Limits per Payee', () => {
	const perPayee = (...entries: Array<[string, string]>) => ({
		payeeLimits: { limit: entries.map(([currency, maxPerPayee]) => ({ currency, maxPerPayee })) },
	});

	it('a row over the cap stops the run with nothing sent, the card masked', async () => {
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { allowSamePayee: true, ...perPayee(['USD', '25']) }),
			SHEET,
		);
		const text = failureText(run.result);
		expect(text).toContain(
			'Row 3 (item 2, reference ID "sp-3"): amount would take what this run pays one payee ' +
				'(payment_card_usd card_number 411111******1111) to 25.50 USD, over the per-payee safety ' +
				'limit of 25.00 USD; not sent',
		);
		expectMasked(text);
		expectNothingSent();
	});

	it('with Continue On Fail the other payees are paid and the capped rows come out refused', async () => {
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { allowSamePayee: true, ...perPayee(['USD', '20']) }),
			SHEET,
			CONTINUE_ON_FAIL,
		);
		// Card: 20 + 5.50 crosses 20 at row 3; account 700001: 10 + 12 crosses at row 5.
		expect(invoices()).toEqual(['sp-1', 'sp-2', 'sp-4', 'sp-6']);
		const items = run.json();
		expect([items[2].stage, items[4].stage]).toEqual(['safety_limit', 'safety_limit']);
		expectMasked(JSON.stringify(items));
		// Validate says the same before anything is paid.
		sandbox.reset();
		const preview = await runNode(
			sandbox.credentials,
			payoutParameters('validate', { allowSamePayee: true, ...perPayee(['USD', '20']) }),
			SHEET,
		);
		expect(preview.json().map((item) => item.valid)).toEqual([
			true,
			true,
			false,
			true,
			false,
			true,
		]);
		expect(invoices()).toEqual([]);
	});

	it('a limit that cannot apply stops the run before anything is sent', async () => {
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', perPayee(['USS', '20'])),
			[account('spx-1', '1')],
		);
		expect(failureText(run.result)).toContain(
			'Per-payee safety limit: "USS" is not an ISO 4217 currency code',
		);
		expect(calls()).toHaveLength(0);
	});

	it('holds for an AI agent tool over all calls of one execution', async () => {
		const answers = await runAgent(
			sandbox.credentials,
			payoutParameters('createAndProcess', {
				safetyLimits: { limit: [{ currency: 'USD', maxTotal: '1000' }] },
				...perPayee(['USD', '100']),
			}),
			[
				[account('spa-1', '700009', '70')],
				[account('spa-2', '700010', '90')],
				[account('spa-3', '700009', '40')],
				[account('spa-4', '700009', '30')],
				// The first call's invoice asked for again: counted already, nothing more.
				[account('spa-1', '700009', '70')],
			],
		);
		expect(invoices()).toEqual(['spa-1', 'spa-2', 'spa-4']);
		expect(answers[2]).toMatchObject({ stage: 'safety_limit', field: 'amount' });
		expect(answers[2].error).toBe(
			'Row 1 (item 0, reference ID "spa-3"): amount 40.00 USD is more than this tool may still pay ' +
				'this payee (test_usd account 700009): 30.00 USD of 100.00 USD left for all calls of this ' +
				'run together; nothing was sent. Pay this payee at most 30.00 USD, or ask the user.',
		);
		expect(answers[4].error).toBeUndefined();
	});

	it.each([
		['payeeLimits', perPayee(['USD', "={{ $fromAI('cap', 'the cap', 'number') }}"]).payeeLimits],
		['allowSamePayee', "={{ $fromAI('same', 'allow', 'boolean') }}"],
	])(
		'as a tool, %s the model would set stops the tool before anything is sent',
		async (name, value) => {
			const result = await runWorkflow({
				workflow: agentExecution(
					payoutParameters('createAndProcess', {
						safetyLimits: { limit: [{ currency: 'USD', maxTotal: '100' }] },
						[name]: value,
					}),
					[[account('spf-1', '700011', '1')]],
				),
				credentials: { paymentsTrustApi: sandbox.credentials },
				nodeTypes: { [TOOL_TYPE]: asTool() },
			});
			expect(failureText(result)).toMatch(
				/^This payout tool refuses to run: its option ".+" would come from the AI model/,
			);
			expect(calls()).toEqual([]);
		},
	);
});
