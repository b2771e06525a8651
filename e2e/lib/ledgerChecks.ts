/** Checks of the sandbox's ledger that both end-to-end scenarios make. */
import { Report } from './report';
import { LedgerLike } from './sandbox';

/**
 * An omitted test_mode may be a live payout (docs/platform.md#test-or-live): every invoice the
 * node created must have said Test explicitly.
 */
export function checkCreatedInTest(
	report: Report,
	label: string,
	invoices: LedgerLike['invoices'],
): void {
	const notTest = invoices.filter((i) => !i.testModeExplicit || i.testMode !== true);
	report.check(
		`${label}: every invoice was created in Test, test_mode said explicitly`,
		notTest.length === 0,
		notTest
			.slice(0, 5)
			.map(
				(i) => `${i.referenceId}: test_mode ${i.testModeExplicit ? String(i.testMode) : 'omitted'}`,
			)
			.join(', '),
	);
}
