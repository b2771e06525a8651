/**
 * Issue 26: one payee under two reference IDs. Which fields identify the recipient (from the service's field
 * definitions), how values are normalised, how rows are grouped, and the per-payee cap, as pure functions.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	normaliseRecipientValue,
	payeeOf,
	recipientKeysOf,
	samePayeeGroups,
	samePayeeStop,
} from '../../nodes/PaymentsTrust/payouts/payee';
import { applyPayeeLimits, payeeLimitKey } from '../../nodes/PaymentsTrust/payouts/payeeLimits';
import type { FieldRule, ServiceRules } from '../../nodes/PaymentsTrust/platform/serviceCatalogue';
import type { ValidPayout } from '../../nodes/PaymentsTrust/payouts/types';
import { normaliseRegexp } from '../../nodes/PaymentsTrust/platform/serviceFields';
import { serviceByCode } from '../../sandbox/catalogue';

const CARD = '4111111111111111';

/** The sandbox's field definitions, as the pre-request gives them and the catalogue reads them. */
function rulesOf(code: string): ServiceRules {
	const service = serviceByCode(code)!;
	return {
		code,
		currency: service.currency,
		serviceCurrency: service.serviceCurrency,
		amountMin: service.amountMin,
		amountMax: service.amountMax,
		usable: true,
		fields: service.fields.map((field) => ({
			key: field.key,
			label: field.label.en,
			required: field.required,
			pattern: normaliseRegexp(field.regexp),
		})),
	};
}

function payout(
	itemIndex: number,
	fields: IDataObject,
	overrides: Partial<ValidPayout> = {},
	rules: ServiceRules | undefined = rulesOf(overrides.service ?? 'payment_card_usd'),
): ValidPayout {
	const row: ValidPayout = {
		itemIndex,
		referenceId: `ref-${itemIndex + 1}`,
		service: 'payment_card_usd',
		currency: 'USD',
		amount: '10',
		amountText: '10.00',
		amountMinor: 1000n,
		fields,
		extra: {},
		...overrides,
	};
	return { ...row, payee: payeeOf(row, rules) };
}

describe('the fields that identify a recipient come from the service’s field definitions', () => {
	it.each<[string, string[]]>([
		['test_usd', ['account']],
		['payment_card_usd', ['card_number']],
		['bank_transfer_eur', ['iban']],
		['swift_usd', ['account_number', 'swift_code']],
		['ach_usd', ['account_number', 'routing_number']],
		['paypal_usd', ['email']],
		['spei_mxn', ['clabe']],
		['crypto_usdt', ['wallet_address']],
	])('%s: %j (required fields, a person’s name left out)', (code, keys) => {
		expect(recipientKeysOf(rulesOf(code), {})).toEqual(keys);
	});

	it('a service of its own: required fields but names, whatever they are called', () => {
		const field = (key: string, label: string, required: boolean): FieldRule => ({
			key,
			label,
			required,
		});
		const rules: ServiceRules = {
			...rulesOf('test_usd'),
			fields: [
				field('username', 'Username', true),
				field('holder', 'Card holder', true),
				field('full', 'Full name', true),
				field('memo', 'Memo', false),
			],
		};
		expect(recipientKeysOf(rules, {})).toEqual(['username']);
		// A service that requires nothing: all its fields but names.
		const optional = {
			...rules,
			fields: rules.fields!.map((entry) => ({ ...entry, required: false })),
		};
		expect(recipientKeysOf(optional, {})).toEqual(['memo', 'username']);
	});

	it('without field rules (no Public Key): the row’s fields among the known identifiers', () => {
		expect(
			recipientKeysOf(undefined, {
				card_number: CARD,
				note: 'x',
				beneficiary_name: 'A',
				IBAN: 'DE',
			}),
		).toEqual(['IBAN', 'card_number']);
	});
});

describe('normalising a recipient value', () => {
	it.each<[string, unknown]>([
		['spaces', '4111 1111 1111 1111'],
		['no-break and thin spaces', '4111\u00a01111\u20091111\u202f1111'],
		['dashes of every kind', '4111-1111\u20111111\u20141111'],
		['a minus sign and dots', '4111\u22121111.1111.1111'],
		['full-width digits', '４１１１１１１１１１１１１１１１'],
		['Arabic-Indic digits', '٤١١١١١١١١١١١١١١١'],
		['Devanagari digits with spaces', '४१११ ११११ ११११ ११११'],
		['an invisible zero-width space', '4111\u200b111111111111'],
		['a number, not text', 4111111111111111],
	])('%s', (_what, value) => {
		expect(normaliseRecipientValue(value)).toBe(CARD);
	});

	it('case, separators and full-width letters in an IBAN or an e-mail', () => {
		expect(normaliseRecipientValue('de89 3704 0044 0532 0130 00')).toBe(
			normaliseRecipientValue('DE89370400440532013000'),
		);
		expect(normaliseRecipientValue('ＤＥ８９３７０４００４４０５３２０１３０００')).toBe(
			normaliseRecipientValue('DE89370400440532013000'),
		);
		expect(normaliseRecipientValue(' Payee@Example.COM ')).toBe('payee@examplecom');
		expect(normaliseRecipientValue(12345)).toBe('12345');
	});
});

describe('one payee across rows', () => {
	it('groups rows of one service and one recipient under different reference IDs, in sheet order', () => {
		const rows = [
			payout(0, { card_number: CARD }),
			payout(1, { card_number: '5500000000000004' }),
			payout(
				2,
				{ card_number: '4111 1111 1111 1111' },
				{ amountText: '25.50', amountMinor: 2550n },
			),
			payout(3, { card_number: '４１１１-１１１１-１１１１-１１１１' }),
			// Another service: another payee, even with the same card.
			payout(4, { card_number: CARD }, { service: 'payment_card_eur', currency: 'EUR' }),
		];
		const groups = samePayeeGroups(rows);
		expect(groups).toEqual([
			{
				service: 'payment_card_usd',
				recipient: { card_number: '411111******1111' },
				rows: [
					{ row: 1, referenceId: 'ref-1', amount: '10.00', currency: 'USD' },
					{ row: 3, referenceId: 'ref-3', amount: '25.50', currency: 'USD' },
					{ row: 4, referenceId: 'ref-4', amount: '10.00', currency: 'USD' },
				],
				totals: [{ currency: 'USD', rows: 3, amount: '45.50' }],
			},
		]);
		expect(JSON.stringify(groups)).not.toMatch(/4111111111111111|１１１１/);
	});

	it('a name spelt two ways is still one payee; another IBAN is another', () => {
		const bank = (itemIndex: number, iban: string, name: string) =>
			payout(itemIndex, { iban, beneficiary_name: name }, { service: 'bank_transfer_eur' });
		const groups = samePayeeGroups([
			bank(0, 'DE89370400440532013000', 'John Smith'),
			bank(1, 'DE89 3704 0044 0532 0130 00', 'J. Smith'),
			bank(2, 'GB29NWBK60161331926819', 'John Smith'),
		]);
		expect(groups.map((group) => group.rows.map((row) => row.row))).toEqual([[1, 2]]);
	});

	it('a saved card token stands in for a missing card number (and is never shown)', () => {
		const groups = samePayeeGroups([
			payout(0, {}, { extra: { token: 'tok_secret_1' } }),
			payout(1, {}, { extra: { token: 'tok_secret_1' } }),
			payout(2, {}, { extra: { token: 'tok_secret_2' } }),
		]);
		expect(groups).toHaveLength(1);
		expect(groups[0].rows.map((row) => row.row)).toEqual([1, 2]);
		expect(JSON.stringify(groups)).not.toContain('tok_secret');
	});

	it('a row with no identifying value is never grouped', () => {
		expect(payout(0, {}).payee).toBeUndefined();
		expect(samePayeeGroups([payout(0, {}), payout(1, {})])).toEqual([]);
	});

	it('the stop names every row of every group, cards masked', () => {
		const rows = [
			payout(0, { card_number: CARD }),
			payout(1, { card_number: '4111-1111-1111-1111' }),
			payout(2, { account: '7' }, { service: 'test_usd' }),
			payout(3, { account: '0007' }, { service: 'test_usd' }),
			payout(4, { account: '7' }, { service: 'test_usd' }),
		];
		const stop = samePayeeStop(samePayeeGroups(rows));
		expect(stop.message).toBe(
			'One payee is in more than one row of this run: row 1 (item 0, reference ID "ref-1") and ' +
				'row 2 (item 1, reference ID "ref-2") pay payment_card_usd card_number 411111******1111; ' +
				'row 3 (item 2, reference ID "ref-3") and row 5 (item 4, reference ID "ref-5") pay test_usd ' +
				'account 7. Nothing was sent.',
		);
		expect(stop.description).toContain('Allow Same Payee in Several Rows');
		expect(`${stop.message}${stop.description}`).not.toContain(CARD);
	});
});

describe('the per-payee safety limit', () => {
	const usd = (limit: bigint) => new Map([['USD', limit]]);
	const card = (itemIndex: number, number: string, minor: bigint) =>
		payout(
			itemIndex,
			{ card_number: number },
			{ amountMinor: minor, amountText: String(Number(minor) / 100) },
		);

	it('refuses the row that takes its payee over the limit and every later row of that payee only', () => {
		const rows = [
			card(0, CARD, 6000n),
			card(1, '5500000000000004', 9000n),
			card(2, '4111 1111 1111 1111', 5000n),
			card(3, CARD, 100n),
		];
		const { allowed, stopped } = applyPayeeLimits(rows, usd(10000n));
		expect(allowed.map((row) => row.itemIndex)).toEqual([0, 1]);
		expect(stopped.map((problem) => [problem.itemIndex, problem.stage])).toEqual([
			[2, 'safety_limit'],
			[3, 'safety_limit'],
		]);
		expect(stopped[0].rule).toBe(
			'would take what this run pays one payee (payment_card_usd card_number 411111******1111) ' +
				'to 110.00 USD, over the per-payee safety limit of 100.00 USD; not sent',
		);
		expect(stopped[1].rule).toContain('row 3 (item 2) of the same payee');
		expect(JSON.stringify(stopped)).not.toContain(CARD);
	});

	it('a single row over the limit is refused even with no payee recognised; other currencies are not capped', () => {
		const lone = payout(0, {}, { amountMinor: 1000000n, amountText: '10000' });
		const euro = payout(1, { card_number: CARD }, { currency: 'EUR', amountMinor: 1000000n });
		const { allowed, stopped } = applyPayeeLimits([lone, euro], usd(50000n));
		expect(stopped.map((problem) => problem.itemIndex)).toEqual([0]);
		expect(allowed).toEqual([euro]);
		expect(payeeLimitKey(lone)).toContain('reference:ref-1');
	});

	it('as an agent tool it starts from what earlier calls paid that payee; the same invoice adds nothing', () => {
		const first = card(0, CARD, 7000n);
		const byPayee = new Map([[payeeLimitKey(first), 7000n]]);
		const counted = new Map([['ref-1', { currency: 'USD', minor: 7000n }]]);
		// The same invoice asked for again: counted already, allowed.
		expect(applyPayeeLimits([first], usd(10000n), { byPayee, counted }).allowed).toHaveLength(1);
		const next = { ...card(0, CARD, 4000n), referenceId: 'ref-next' };
		const { stopped } = applyPayeeLimits([next], usd(10000n), { byPayee, counted });
		expect(stopped[0].rule).toBe(
			'40 USD is more than this tool may still pay this payee (payment_card_usd card_number ' +
				'411111******1111): 30.00 USD of 100.00 USD left for all calls of this run together; ' +
				'nothing was sent. Pay this payee at most 30.00 USD, or ask the user.',
		);
	});
});
