import { applySafetyLimits, validatePayout } from '../../nodes/PaymentsTrust/payouts/validateRows';
import type { ServiceRules } from '../../nodes/PaymentsTrust/platform/serviceCatalogue';
import type { PayoutRequest, ValidPayout } from '../../nodes/PaymentsTrust/payouts/types';

const cardService: ServiceRules = {
	code: 'payment_card_usd',
	currency: 'USD',
	serviceCurrency: 'USD',
	amountMin: 1,
	amountMax: 5000,
	usable: true,
	fields: [{ key: 'card_number', label: 'Card number', required: true, pattern: /^\d{16}$/ }],
};

function request(overrides: Partial<PayoutRequest> = {}): PayoutRequest {
	return {
		itemIndex: 0,
		referenceId: 'ref-1',
		service: 'payment_card_usd',
		currency: 'USD',
		amount: '10.50',
		fields: { card_number: '4111111111111111' },
		extra: {},
		...overrides,
	};
}

describe('validatePayout', () => {
	it('accepts a good row and normalises the amount', () => {
		const result = validatePayout(request(), cardService, new Set());
		expect(result).toMatchObject({ amountText: '10.50', amountMinor: 1050n });
	});

	it('names the row, the field and the rule, with the card number masked', () => {
		const result = validatePayout(
			request({ itemIndex: 6, fields: { card_number: '41111111111111112' } }),
			cardService,
			new Set(),
		);
		expect(result).toMatchObject({
			itemIndex: 6,
			field: 'field "card_number"',
			stage: 'validation',
		});
		expect(JSON.stringify(result)).not.toContain('41111111111111112');
		expect(JSON.stringify(result)).toContain('411111*******1112');
	});

	it('refuses a customer without its reference ID, as the API does (issue 30)', () => {
		const result = validatePayout(
			request({ itemIndex: 2, extra: { customer: { name: 'Ada', email: 'ada@example.com' } } }),
			cardService,
			new Set(),
		);
		expect(result).toEqual({
			itemIndex: 2,
			referenceId: 'ref-1',
			field: 'customer reference ID',
			rule:
				'is required by the API when a customer is sent (Additional Fields → Customer → ' +
				'Customer Reference ID)',
			stage: 'validation',
		});
		const withReference = validatePayout(
			request({ extra: { customer: { reference_id: 'cust-1', name: 'Ada' } } }),
			cardService,
			new Set(),
		);
		expect(withReference).toMatchObject({ amountText: '10.50' });
	});

	it('refuses a reference ID used twice in one run', () => {
		const seen = new Set<string>();
		expect('rule' in validatePayout(request(), cardService, seen)).toBe(false);
		expect(validatePayout(request({ itemIndex: 1 }), cardService, seen)).toMatchObject({
			field: 'reference ID',
		});
	});

	it('lets split mode pass the service maximum, but not the minimum', () => {
		const big = request({ amount: '6000', extra: { options: { split_mode: true } } });
		expect('rule' in validatePayout(big, cardService, new Set())).toBe(false);
		expect(
			validatePayout(
				request({ amount: '0.50', extra: { options: { split_mode: true } } }),
				cardService,
				new Set(),
			),
		).toMatchObject({ field: 'amount' });
	});
});

describe('applySafetyLimits', () => {
	const payout = (itemIndex: number, minor: bigint, currency = 'USD'): ValidPayout => ({
		...request({ itemIndex, referenceId: `r${itemIndex}`, currency }),
		amountText: String(minor),
		amountMinor: minor,
	});

	it('stops before the row that crosses the limit, in row order', () => {
		const { allowed, stopped } = applySafetyLimits(
			[payout(2, 500n), payout(0, 400n), payout(1, 200n)],
			new Map([['USD', 1000n]]),
		);
		expect(allowed.map((p) => p.itemIndex)).toEqual([0, 1]);
		expect(stopped.map((p) => p.itemIndex)).toEqual([2]);
		expect(stopped[0].rule).toContain('safety limit of 10.00 USD');
	});

	it('counts each currency on its own', () => {
		const { allowed } = applySafetyLimits(
			[payout(0, 900n, 'USD'), payout(1, 900n, 'EUR')],
			new Map([['USD', 1000n]]),
		);
		expect(allowed).toHaveLength(2);
	});
});
