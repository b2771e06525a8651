/**
 * Money as exact decimals. Amounts are parsed from text (a spreadsheet cell) or a number, checked
 * digit by digit and compared as integers of minor units, so 0.1 + 0.2 never decides whether
 * someone is paid.
 */

/** ISO 4217 minor units that differ from the usual 2. */
const MINOR_UNITS: Record<string, number> = {
	BIF: 0,
	CLP: 0,
	DJF: 0,
	GNF: 0,
	ISK: 0,
	JPY: 0,
	KMF: 0,
	KRW: 0,
	PYG: 0,
	RWF: 0,
	UGX: 0,
	UYI: 0,
	VND: 0,
	VUV: 0,
	XAF: 0,
	XOF: 0,
	XPF: 0,
	BHD: 3,
	IQD: 3,
	JOD: 3,
	KWD: 3,
	LYD: 3,
	OMR: 3,
	TND: 3,
	CLF: 4,
	UYW: 4,
};

export function minorUnitsOf(currency: string): number {
	return MINOR_UNITS[currency] ?? 2;
}

/**
 * Active ISO 4217 currency codes (funds and precious metals included): a limit in "USS" or "EUD" is
 * a typo.
 */
const ISO_4217 = new Set(
	(
		'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD ' +
		'BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP ' +
		'DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS ' +
		'INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD ' +
		'MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR ' +
		'PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS ' +
		'SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW ' +
		'UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS ' +
		'XUA YER ZAR ZMW ZWG ZWL'
	).split(' '),
);

export function isCurrencyCode(value: string): boolean {
	return /^[A-Z]{3}$/.test(value) && ISO_4217.has(value);
}

export type ParsedAmount =
	| { ok: true; text: string; minor: bigint; decimals: number }
	| { ok: false; rule: string };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Reads an amount the way a person writes it in a sheet: `100`, `100.55`, `"100.55"`. Refused:
 * thousands separators (`1,000`), decimal commas, signs, exponents, blanks, zero and anything not a
 * number. A JS number is taken through its shortest text form, so 0.30000000000000004 is refused as
 * having too many decimals.
 */
export function parseAmount(value: unknown, currency: string): ParsedAmount {
	let text: string;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return { ok: false, rule: 'must be a finite number' };
		text = String(value);
		if (/e/i.test(text)) return { ok: false, rule: 'must be written as a plain decimal number' };
	} else if (typeof value === 'string') {
		text = value.trim();
	} else if (value === null || value === undefined) {
		return { ok: false, rule: 'is required' };
	} else {
		return { ok: false, rule: 'must be a number' };
	}
	if (text === '') return { ok: false, rule: 'is required' };
	if (text.startsWith('-')) return { ok: false, rule: 'must be positive' };
	if (/,/.test(text))
		return { ok: false, rule: 'must not contain commas (write 1000.50, not 1,000.50)' };
	const match = DECIMAL.exec(text);
	if (!match) return { ok: false, rule: 'must be a plain decimal number like 100.55' };
	const decimals = match[2]?.length ?? 0;
	const allowed = minorUnitsOf(currency);
	const fraction = (match[2] ?? '').replace(/0+$/, '');
	if (fraction.length > allowed) {
		return {
			ok: false,
			rule:
				allowed === 0
					? `must be a whole number in ${currency}`
					: `must have at most ${allowed} decimals in ${currency}`,
		};
	}
	const minor = BigInt(match[1] + fraction.padEnd(allowed, '0'));
	if (minor <= 0n) return { ok: false, rule: 'must be greater than 0' };
	const canonical = formatMinor(minor, allowed);
	// The API takes the amount as a JSON number: refuse what that number cannot hold exactly, never
	// round it.
	if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
		return {
			ok: false,
			rule:
				`is too large: in ${currency} minor units it is beyond what the API's number holds ` +
				`exactly`,
		};
	}
	if (!sameDecimal(String(Number(canonical)), canonical)) {
		return {
			ok: false,
			rule:
				`has more significant digits than the API's number holds exactly (it would be sent ` +
				`as ${String(Number(canonical))})`,
		};
	}
	return { ok: true, text: canonical, minor, decimals };
}

/** Two decimal texts are the same number (`10.50` and `10.5`); an exponent form never is. */
function sameDecimal(a: string, b: string): boolean {
	const canonical = (text: string) =>
		text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
	return !/e/i.test(a) && canonical(a) === canonical(b);
}

export function formatMinor(minor: bigint, decimals: number): string {
	const negative = minor < 0n;
	const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
	const whole = decimals ? digits.slice(0, -decimals) : digits;
	const fraction = decimals ? `.${digits.slice(-decimals)}` : '';
	return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** A limit from the API (a JSON number such as 0.01 or 9999999) in minor units of the currency. */
export function limitToMinor(limit: unknown, currency: string): bigint | undefined {
	if (limit === null || limit === undefined || limit === '') return undefined;
	const numeric = typeof limit === 'number' ? limit : Number(limit);
	if (!Number.isFinite(numeric)) return undefined;
	const decimals = minorUnitsOf(currency);
	// toFixed on the API's own decimal keeps 0.01 as "0.01" rather than 0.01000000000000000020816…
	const [whole, fraction = ''] = numeric.toFixed(decimals).split('.');
	return BigInt(whole + fraction);
}
