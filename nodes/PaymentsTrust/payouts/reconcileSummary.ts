import type { IDataObject } from 'n8n-workflow';

import { isFinalStatus, PAID_STATUSES } from '../../shared/invoice';
import { formatMinor, minorUnitsOf } from '../helpers/money';

/**
 * A found invoice, in the friendly shape, counted once however many sheet rows name its reference
 * ID.
 */
export interface ReconciledInvoice {
	invoice: IDataObject;
}

/**
 * An amount the API gave (a JSON number such as 10.5) as exact minor units of `currency`, or
 * undefined when it is not a plain non-negative number or has more decimals than the currency has:
 * then it cannot equal any amount of the sheet, and no rounding ever makes it so.
 */
export function exactMinor(value: unknown, currency: string): bigint | undefined {
	const text =
		typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
	if (!match) return undefined;
	const decimals = minorUnitsOf(currency);
	const fraction = (match[2] ?? '').replace(/0+$/, '');
	if (fraction.length > decimals) return undefined;
	return BigInt(match[1] + fraction.padEnd(decimals, '0'));
}

interface CurrencyTotals {
	invoices: number;
	paid: bigint;
	pending: bigint;
	notPaid: bigint;
	/**
	 * Paid invoices whose paid amount the platform did not give (partially processed without
	 * processed_amount).
	 */
	paidAmountMissing: number;
}

/**
 * The run at a glance, on every item (as Validate's summary is):
 * - `outcomes`: sheet rows per outcome (found, missing, unknown, invalid, error); `mismatchedRows`
 *   and `duplicateRows` count rows too;
 * - `statuses`: found invoices per status, each invoice once (a reference ID twice in the sheet is
 *   one payout);
 * - `byCurrency`, per invoice currency, each invoice once:
 *   `paid`: invoices in processed or partially_processed, by the amount the platform says it
 *           paid out (`processed_amount`; the invoice amount for a processed invoice that does
 *           not say);
 *   `pending`: invoices not yet final (created, processing, process_pending, process_error,
 *           canceling, …), by amount: money that may still leave the balance;
 *   `notPaid`: invoices final without payment (process_failed, expired, terminated, canceled, …),
 *   by amount.
 */
export function reconcileSummary(rows: IDataObject[], invoices: ReconciledInvoice[]): IDataObject {
	const outcomes: Record<string, number> = {
		found: 0,
		missing: 0,
		unknown: 0,
		invalid: 0,
		error: 0,
	};
	let mismatchedRows = 0;
	let duplicateRows = 0;
	for (const row of rows) {
		const outcome = String(row.outcome);
		outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
		if (Array.isArray(row.mismatches) && row.mismatches.length > 0) mismatchedRows++;
		if (row.duplicateReference === true) duplicateRows++;
	}
	const statuses: Record<string, number> = {};
	const totals = new Map<string, CurrencyTotals>();
	for (const { invoice } of invoices) {
		const status = String(invoice.status);
		statuses[status] = (statuses[status] ?? 0) + 1;
		const currency = typeof invoice.currency === 'string' ? invoice.currency.toUpperCase() : '?';
		const entry = totals.get(currency) ?? {
			invoices: 0,
			paid: 0n,
			pending: 0n,
			notPaid: 0n,
			paidAmountMissing: 0,
		};
		entry.invoices++;
		const amount = exactMinor(invoice.amount, currency) ?? 0n;
		if (PAID_STATUSES.includes(status)) {
			const processed = exactMinor(invoice.processedAmount, currency);
			if (processed !== undefined && processed > 0n) entry.paid += processed;
			else if (status === 'processed') entry.paid += amount;
			else entry.paidAmountMissing++;
		} else if (isFinalStatus(status)) entry.notPaid += amount;
		else entry.pending += amount;
		totals.set(currency, entry);
	}
	const money = (minor: bigint, currency: string) => formatMinor(minor, minorUnitsOf(currency));
	return {
		rows: rows.length,
		outcomes,
		mismatchedRows,
		duplicateRows,
		invoices: invoices.length,
		statuses,
		byCurrency: [...totals.entries()]
			.sort(([a], [b]) => a.localeCompare(b))
			.map(([currency, entry]) => ({
				currency,
				invoices: entry.invoices,
				paid: money(entry.paid, currency),
				pending: money(entry.pending, currency),
				notPaid: money(entry.notPaid, currency),
				...(entry.paidAmountMissing ? { paidAmountMissing: entry.paidAmountMissing } : {}),
			})),
	};
}
