/**
 * Currency arithmetic. Amounts travel as JSON numbers (the reference's "float format"), so the sandbox rounds every
 * computed amount to the currency's minor units and refuses amounts with more decimals than the currency has.
 */
const DECIMALS: Record<string, number> = {
	JPY: 0,
	KRW: 0,
	VND: 0,
	CLP: 0,
	BHD: 3,
	KWD: 3,
	JOD: 3,
	USDT: 6,
};

export function currencyDecimals(currency: string): number {
	return DECIMALS[currency] ?? 2;
}

export function roundTo(value: number, decimals: number): number {
	const f = 10 ** decimals;
	// The epsilon nudges values such as 1.005 that binary floats store just below the half.
	return Math.round((value + Math.sign(value) * Number.EPSILON * Math.abs(value)) * f) / f;
}

export function roundMoney(value: number, currency: string): number {
	return roundTo(value, currencyDecimals(currency));
}

/** Decimals written in the number's shortest representation; exponent forms count as too many. */
export function decimalsOf(value: number): number {
	const s = String(value);
	if (/e/i.test(s)) {
		const m = /e-(\d+)$/i.exec(s);
		return m ? Number(m[1]) + (s.split('e')[0].split('.')[1]?.length ?? 0) : 0;
	}
	return s.split('.')[1]?.length ?? 0;
}
