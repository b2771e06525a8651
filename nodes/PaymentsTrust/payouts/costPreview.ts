import type { IDataObject } from 'n8n-workflow';

import { formatMinor, limitToMinor, minorUnitsOf } from '../helpers/money';
import type { ServiceRules } from '../platform/serviceCatalogue';
import type { ValidPayout } from './types';

/**
 * What a payout will cost, worked out before anything is sent (the Validate operation's preview),
 * from the service's own rules as the API publishes them: fee = fee_fix + amount × fee_rate / 100,
 * rounded to the invoice currency, at least fee_min and at most fee_max when those are set (above
 * 0); total cost = amount + fee (what leaves the balance, the invoice's `writeoff`); the recipient
 * gets amount × exchange_rate in the service currency (the invoice's `service_amount`). All in
 * exact integers of minor units; rates are read digit by digit from the API's numbers.
 */
export interface RowCost {
	currency: string;
	amountMinor: bigint;
	feeMinor?: bigint;
	recipientCurrency: string;
	recipientMinor?: bigint;
	exchangeRate?: number;
}

/** A JSON number such as 1.5 or 0.307 as digits and a scale (1.5 → 15 / 10¹). */
function decimal(value: unknown): { digits: bigint; scale: number } | undefined {
	if (value === null || value === undefined || value === '') return undefined;
	const numeric = typeof value === 'number' ? value : Number(value);
	if (!Number.isFinite(numeric) || numeric < 0) return undefined;
	let text = String(numeric);
	if (/e/i.test(text)) text = numeric.toFixed(12).replace(/0+$/, '');
	const [whole, fraction = ''] = text.split('.');
	return { digits: BigInt(whole + fraction), scale: fraction.length };
}

/** n / d rounded half up (n, d ≥ 0), as the platform rounds money. */
function divideRounded(n: bigint, d: bigint): bigint {
	return (n * 2n + d) / (d * 2n);
}

const pow10 = (exponent: number): bigint => 10n ** BigInt(exponent);

export function feeOf(amountMinor: bigint, rules: ServiceRules): bigint | undefined {
	const fix = limitToMinor(rules.feeFix ?? 0, rules.currency || 'USD');
	const rate = decimal(rules.feeRate ?? 0);
	if (fix === undefined || !rate) return undefined;
	let fee = fix + divideRounded(amountMinor * rate.digits, 100n * pow10(rate.scale));
	const min = limitToMinor(rules.feeMin, rules.currency);
	const max = limitToMinor(rules.feeMax, rules.currency);
	if (min !== undefined && min > 0n && fee < min) fee = min;
	if (max !== undefined && max > 0n && fee > max) fee = max;
	return fee;
}

export function costOf(payout: ValidPayout, rules: ServiceRules | undefined): RowCost {
	const currency = payout.currency;
	const recipientCurrency = rules?.serviceCurrency || currency;
	const cost: RowCost = { currency, amountMinor: payout.amountMinor, recipientCurrency };
	if (!rules) return cost;
	cost.feeMinor = feeOf(payout.amountMinor, rules);
	// Without a public key there is no pre-request to read the rate from; a same-currency service
	// pays 1:1.
	const rateValue = rules.exchangeRate ?? (recipientCurrency === currency ? 1 : undefined);
	const rate = decimal(rateValue);
	if (rate) {
		cost.exchangeRate = Number(rateValue);
		const from = minorUnitsOf(currency);
		const to = minorUnitsOf(recipientCurrency);
		cost.recipientMinor = divideRounded(
			payout.amountMinor * rate.digits * pow10(to),
			pow10(from + rate.scale),
		);
	}
	return cost;
}

const money = (minor: bigint | undefined, currency: string): string | null =>
	minor === undefined ? null : formatMinor(minor, minorUnitsOf(currency));

/** The cost fields of one valid row in the Validate output. */
export function costFields(cost: RowCost): IDataObject {
	return {
		fee: money(cost.feeMinor, cost.currency),
		totalCost:
			cost.feeMinor === undefined ? null : money(cost.amountMinor + cost.feeMinor, cost.currency),
		recipientAmount: money(cost.recipientMinor, cost.recipientCurrency),
		recipientCurrency: cost.recipientCurrency,
		exchangeRate: cost.exchangeRate ?? null,
	};
}

/**
 * The whole run at a glance, for approving a sheet before paying it: per invoice currency what the
 * valid rows pay, cost in fees and take from the balance in total; per recipient currency what
 * arrives.
 */
export function runSummary(costs: RowCost[], rows: number): IDataObject {
	const byCurrency = new Map<
		string,
		{ rows: number; amount: bigint; fees: bigint; feesKnown: boolean }
	>();
	const received = new Map<string, { rows: number; amount: bigint; known: boolean }>();
	for (const cost of costs) {
		const entry = byCurrency.get(cost.currency) ?? {
			rows: 0,
			amount: 0n,
			fees: 0n,
			feesKnown: true,
		};
		entry.rows++;
		entry.amount += cost.amountMinor;
		if (cost.feeMinor === undefined) entry.feesKnown = false;
		else entry.fees += cost.feeMinor;
		byCurrency.set(cost.currency, entry);
		const got = received.get(cost.recipientCurrency) ?? { rows: 0, amount: 0n, known: true };
		got.rows++;
		if (cost.recipientMinor === undefined) got.known = false;
		else got.amount += cost.recipientMinor;
		received.set(cost.recipientCurrency, got);
	}
	const sorted = <T>(map: Map<string, T>) =>
		[...map.entries()].sort(([a], [b]) => a.localeCompare(b));
	return {
		rows,
		validRows: costs.length,
		invalidRows: rows - costs.length,
		byCurrency: sorted(byCurrency).map(([currency, entry]) => ({
			currency,
			rows: entry.rows,
			amount: money(entry.amount, currency),
			fees: entry.feesKnown ? money(entry.fees, currency) : null,
			totalCost: entry.feesKnown ? money(entry.amount + entry.fees, currency) : null,
		})),
		recipientsGet: sorted(received).map(([currency, entry]) => ({
			currency,
			rows: entry.rows,
			amount: entry.known ? money(entry.amount, currency) : null,
		})),
	};
}
