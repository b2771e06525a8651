/** Checks of the sandbox's ledger that the end-to-end scenarios make. */
import { Report } from './report';
import { RowOutcome } from './rowOutcomes';
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

/** Reference ID → the creates the ledger committed for it, over `invoices`. */
export function createsPerReference(invoices: LedgerLike['invoices']): Map<string, number> {
	const perRef = new Map<string, number>();
	for (const inv of invoices)
		perRef.set(inv.referenceId, (perRef.get(inv.referenceId) ?? 0) + inv.createsCommitted);
	return perRef;
}

/**
 * The ledger after a run of the bulk CSV example (every invoice but the seeded ones): no reference twice, nothing
 * processed twice, all in Test, one invoice per row the node sent and none for the others, statuses as reported.
 */
export function checkBulkLedger(
	report: Report,
	label: string,
	rows: RowOutcome[],
	ledger: LedgerLike,
): void {
	const sent = rows.filter((r) => r.cls !== 'rejected' && r.invoiceId);
	const invoices = ledger.invoices.filter((i) => !i.seeded);
	report.info(
		`${label}: sandbox ledger: ${invoices.length} invoices, by status ${JSON.stringify(ledger.summary.invoicesByStatus)}`,
	);
	report.check(
		`${label}: the ledger has no reference with two invoices`,
		ledger.summary.referencesWithMultipleInvoices === 0,
		`${ledger.summary.referencesWithMultipleInvoices} references with several invoices`,
	);
	report.check(
		`${label}: no invoice was processed twice`,
		ledger.summary.invoicesProcessedMoreThanOnce === 0,
		`${ledger.summary.invoicesProcessedMoreThanOnce}`,
	);
	checkCreatedInTest(report, label, invoices);
	const byRef = createsPerReference(invoices);
	const notOne = sent.filter((r) => byRef.get(r.referenceId) !== 1);
	report.check(
		`${label}: exactly one invoice per reference of every row that reached the API (${sent.length})`,
		notOne.length === 0,
		notOne.map((r) => `${r.referenceId}: ${byRef.get(r.referenceId) ?? 0}`).join(', '),
	);
	const sentRefs = new Set(sent.map((r) => r.referenceId));
	const extra = invoices.filter((i) => !sentRefs.has(i.referenceId));
	report.check(
		`${label}: no invoice for a row the node did not report as sent`,
		extra.length === 0,
		extra.map((i) => `${i.referenceId} (${i.status})`).join(', '),
	);
	const statusMismatch = sent.filter(
		(r) => invoices.find((i) => i.id === r.invoiceId)?.status !== r.status,
	);
	report.check(
		`${label}: the node's reported statuses match the ledger`,
		statusMismatch.length === 0,
		statusMismatch
			.map(
				(r) =>
					`${r.referenceId}: node ${r.status}, ledger ${invoices.find((i) => i.id === r.invoiceId)?.status}`,
			)
			.join(', '),
	);
}

/** The ledger, restricted to one sheet's references: one invoice per sent row, nothing else, statuses agree. */
export function checkSheetLedger(
	report: Report,
	label: string,
	ledger: LedgerLike,
	outcomes: Map<string, RowOutcome>,
	references: string[],
): void {
	const refs = new Set(references);
	const invoices = ledger.invoices.filter((i) => refs.has(i.referenceId));
	const perRef = createsPerReference(invoices);
	const paidTwice = [...perRef].filter(([, n]) => n > 1).map(([ref]) => ref);
	report.check(
		`${label}: the ledger has no reference paid twice`,
		paidTwice.length === 0 &&
			ledger.summary.referencesWithMultipleInvoices === 0 &&
			ledger.summary.invoicesProcessedMoreThanOnce === 0,
		`${paidTwice.length} references with several creates; summary ${JSON.stringify({ multi: ledger.summary.referencesWithMultipleInvoices, processedTwice: ledger.summary.invoicesProcessedMoreThanOnce })}`,
	);
	checkCreatedInTest(report, label, invoices);
	const sent = [...outcomes.values()].filter((r) => r.cls !== 'rejected');
	const notOne = sent.filter((r) => perRef.get(r.referenceId) !== 1);
	report.check(
		`${label}: exactly one invoice for every row that reached the API (${sent.length})`,
		notOne.length === 0,
		notOne
			.slice(0, 10)
			.map((r) => `${r.referenceId}: ${perRef.get(r.referenceId) ?? 0} (${r.cls} ${r.error ?? ''})`)
			.join('; '),
	);
	const rejectedWithInvoice = [...outcomes.values()].filter(
		(r) => r.cls === 'rejected' && perRef.has(r.referenceId),
	);
	report.check(
		`${label}: no invoice for a rejected row`,
		rejectedWithInvoice.length === 0,
		rejectedWithInvoice.map((r) => r.referenceId).join(', '),
	);
	const byId = new Map(invoices.map((i) => [i.id, i]));
	const mismatch = sent.filter((r) => !r.invoiceId || byId.get(r.invoiceId)?.status !== r.status);
	report.check(
		`${label}: every reported status matches the ledger`,
		mismatch.length === 0,
		mismatch
			.slice(0, 10)
			.map(
				(r) =>
					`${r.referenceId}: node ${r.status ?? r.error}, ledger ${byId.get(r.invoiceId ?? '')?.status}`,
			)
			.join('; '),
	);
}
