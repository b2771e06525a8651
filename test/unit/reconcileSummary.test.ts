/**
 * Reconcile's exact comparison and totals (issue 18): amounts in minor units, never floats; each payout counted
 * once; paid, pending and not paid by the platform's statuses.
 */
import { exactMinor, reconcileSummary } from '../../nodes/PaymentsTrust/payouts/reconcileSummary';

describe('exactMinor', () => {
	it.each([
		[10, 'USD', 1000n],
		[10.5, 'USD', 1050n],
		['10.50', 'USD', 1050n],
		[0.1 + 0.2, 'USD', undefined],
		[10.001, 'USD', undefined],
		[1500, 'JPY', 1500n],
		[1500.5, 'JPY', undefined],
		[1.234, 'KWD', 1234n],
		[1e21, 'USD', undefined],
		[-5, 'USD', undefined],
		[null, 'USD', undefined],
		['abc', 'USD', undefined],
	])('%p %s → %p', (value, currency, expected) => {
		expect(exactMinor(value, currency)).toBe(expected);
	});
});

describe('reconcileSummary', () => {
	const invoice = (status: string, amount: number, extra: Record<string, unknown> = {}) => ({
		invoice: { status, amount, currency: 'USD', processedAmount: null, ...extra },
	});

	it('paid by the amount paid out, pending for every status not final, not paid for final failures', () => {
		const summary = reconcileSummary(
			[
				{ outcome: 'found', mismatches: ['amount'], duplicateReference: true },
				{ outcome: 'found', mismatches: [], duplicateReference: true },
				{ outcome: 'missing', mismatches: [] },
				{ outcome: 'unknown', mismatches: [] },
				{ outcome: 'invalid' },
			],
			[
				invoice('processed', 10.1),
				invoice('partially_processed', 50, { processedAmount: 25.05 }),
				invoice('partially_processed', 50),
				invoice('created', 1.01),
				invoice('process_error', 2.02),
				invoice('canceling', 3.03),
				invoice('process_failed', 7),
				invoice('canceled', 8),
			],
		);
		expect(summary).toEqual({
			rows: 5,
			outcomes: { found: 2, missing: 1, unknown: 1, invalid: 1, error: 0 },
			mismatchedRows: 1,
			duplicateRows: 2,
			invoices: 8,
			statuses: {
				processed: 1,
				partially_processed: 2,
				created: 1,
				process_error: 1,
				canceling: 1,
				process_failed: 1,
				canceled: 1,
			},
			byCurrency: [
				{
					currency: 'USD',
					invoices: 8,
					paid: '35.15',
					pending: '6.06',
					notPaid: '15.00',
					paidAmountMissing: 1,
				},
			],
		});
	});
});
