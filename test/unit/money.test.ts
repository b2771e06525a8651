import {
	formatMinor,
	isCurrencyCode,
	limitToMinor,
	minorUnitsOf,
	parseAmount,
} from '../../nodes/PaymentsTrust/helpers/money';

describe('parseAmount', () => {
	it.each([
		['100', 'USD', '100.00'],
		['100.55', 'USD', '100.55'],
		[' 100.5 ', 'USD', '100.50'],
		[100.55, 'USD', '100.55'],
		['0.01', 'USD', '0.01'],
		['100.500', 'USD', '100.50'],
		['1000', 'JPY', '1000'],
		['1.234', 'KWD', '1.234'],
	])('accepts %p in %s as %s', (input, currency, expected) => {
		const parsed = parseAmount(input, currency);
		expect(parsed).toMatchObject({ ok: true, text: expected });
	});

	it.each([
		['1,000', 'USD', 'commas'],
		['1.000,50', 'USD', 'commas'],
		['abc', 'USD', 'plain decimal'],
		['', 'USD', 'required'],
		[null, 'USD', 'required'],
		['-5', 'USD', 'positive'],
		['0', 'USD', 'greater than 0'],
		['0.00', 'USD', 'greater than 0'],
		['1e3', 'USD', 'plain decimal'],
		[1e21, 'USD', 'plain decimal'],
		[Infinity, 'USD', 'finite'],
		[NaN, 'USD', 'finite'],
		['10.555', 'USD', 'at most 2 decimals'],
		[0.1 + 0.2, 'USD', 'at most 2 decimals'],
		['100.5', 'JPY', 'whole number'],
		['$100', 'USD', 'plain decimal'],
		['100 USD', 'USD', 'plain decimal'],
		[true, 'USD', 'must be a number'],
	])('refuses %p in %s (%s)', (input, currency, rule) => {
		const parsed = parseAmount(input, currency);
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(parsed.rule).toContain(rule);
	});
});

describe('minor units', () => {
	it('knows zero- and three-decimal currencies', () => {
		expect(minorUnitsOf('JPY')).toBe(0);
		expect(minorUnitsOf('KWD')).toBe(3);
		expect(minorUnitsOf('USD')).toBe(2);
	});

	it('turns API limits into exact minor units', () => {
		expect(limitToMinor(0.01, 'USD')).toBe(1n);
		expect(limitToMinor(9999999, 'USD')).toBe(999999900n);
		expect(limitToMinor(100, 'JPY')).toBe(100n);
		expect(limitToMinor(null, 'USD')).toBeUndefined();
		expect(formatMinor(123456n, 2)).toBe('1234.56');
		expect(formatMinor(5n, 2)).toBe('0.05');
		expect(formatMinor(7n, 0)).toBe('7');
	});
});

describe('issue 12: amounts the API number cannot hold exactly, ISO codes', () => {
	it('refuses amounts beyond the safe integer range in minor units, never rounding', () => {
		expect(parseAmount('12345678901234.56', 'USD')).toMatchObject({
			ok: true,
			text: '12345678901234.56',
		});
		expect(parseAmount('90071992547409.92', 'USD')).toMatchObject({
			ok: false,
			rule: expect.stringContaining('too large'),
		});
		expect(parseAmount('9007199254740992', 'JPY')).toMatchObject({
			ok: false,
			rule: expect.stringContaining('too large'),
		});
		expect(parseAmount(1e16, 'USD')).toMatchObject({ ok: false });
	});

	it('refuses amounts with more significant digits than a double keeps', () => {
		expect(parseAmount('72860530685245.99', 'USD')).toMatchObject({
			ok: false,
			rule: expect.stringContaining('72860530685245.98'),
		});
	});

	it('knows ISO 4217 codes', () => {
		expect(isCurrencyCode('USD')).toBe(true);
		expect(isCurrencyCode('KWD')).toBe(true);
		expect(isCurrencyCode('XYZ')).toBe(false);
		expect(isCurrencyCode('EUD')).toBe(false);
		expect(isCurrencyCode('usd')).toBe(false);
	});
});
