/** Checks of the sandbox's ledger that the end-to-end scenarios make. */
import { Report } from './report';
import { RowOutcome } from './rowOutcomes';
import { LedgerLike } from './sandbox';
import {
	attemptChainProblem,
	attemptsByRow,
	MAX_ATTEMPTS_PER_ROW,
	payeesPaidTwice,
} from './sheetChecks';

type LedgerInvoice = LedgerLike['invoices'][number];

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
	const notOne = sent.filter((r) => byRef.get(r.attemptReferenceId) !== 1);
	report.check(
		`${label}: exactly one invoice per reference of every row that reached the API (${sent.length})`,
		notOne.length === 0,
		notOne
			.map((r) => `${r.attemptReferenceId}: ${byRef.get(r.attemptReferenceId) ?? 0}`)
			.join(', '),
	);
	const sentRefs = new Set(sent.map((r) => r.attemptReferenceId));
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

/**
 * The ledger, restricted to one sheet's rows and their attempts (`<reference>~n`, docs/retries.md): every attempt
 * created once and processed at most once, a next attempt only after every earlier one ended without payment (so
 * no row paid twice), no payee paid twice; every row that reached the API has its attempts in the ledger and its
 * answer names the latest of them, with the ledger's status; a rejected row has no attempt at all.
 */
export function checkSheetLedger(
	report: Report,
	label: string,
	ledger: LedgerLike,
	outcomes: Map<string, RowOutcome>,
	sheet: { references: string[]; accountOf: Map<string, string> },
	maxAttemptsPerRow = MAX_ATTEMPTS_PER_ROW,
): void {
	const attempts = attemptsByRow(ledger, sheet.references);
	const invoices = [...attempts.values()].flat().filter((i): i is LedgerInvoice => !!i);
	const perRef = createsPerReference(invoices);
	const createdTwice = [...perRef].filter(([, n]) => n > 1).map(([ref]) => ref);
	const badChains = [...attempts]
		.map(([ref, chain]) => attemptChainProblem(ref, chain, maxAttemptsPerRow).badChain)
		.filter((p): p is string => p !== undefined);
	const { twice: payeesTwice } = payeesPaidTwice(attempts, sheet.accountOf);
	report.check(
		`${label}: the ledger has no reference paid twice`,
		createdTwice.length === 0 &&
			badChains.length === 0 &&
			payeesTwice.length === 0 &&
			ledger.summary.referencesWithMultipleInvoices === 0 &&
			ledger.summary.invoicesProcessedMoreThanOnce === 0,
		`${createdTwice.length} references with several creates (${createdTwice.slice(0, 5).join(', ')}); ${badChains.length} rows with a next attempt after one that did not end without payment or more than ${maxAttemptsPerRow} (${badChains.slice(0, 3).join('; ')}); payees paid twice: ${payeesTwice.slice(0, 5).join(', ')}; summary ${JSON.stringify({ multi: ledger.summary.referencesWithMultipleInvoices, processedTwice: ledger.summary.invoicesProcessedMoreThanOnce })}`,
	);
	checkCreatedInTest(report, label, invoices);
	const sent = [...outcomes.values()].filter((r) => r.cls !== 'rejected');
	const notLatest = sent.filter((r) => {
		const chain = attempts.get(r.referenceId) ?? [];
		return (
			attemptChainProblem(r.referenceId, chain, maxAttemptsPerRow).notOnce !== undefined ||
			chain[chain.length - 1]?.referenceId !== r.attemptReferenceId
		);
	});
	const chainOf = (ref: string) =>
		(attempts.get(ref) ?? [])
			.map((i) => `${i?.referenceId ?? 'missing'}×${i?.createsCommitted ?? 0}`)
			.join(' ') || 'none';
	report.check(
		`${label}: every row that reached the API (${sent.length}) has each of its attempts exactly once in the ledger, and its answer names the latest`,
		notLatest.length === 0,
		notLatest
			.slice(0, 10)
			.map(
				(r) =>
					`${r.referenceId}: answer ${r.attemptReferenceId} (${r.cls} ${r.error ?? ''}), ledger ${chainOf(r.referenceId)}`,
			)
			.join('; '),
	);
	const rejectedWithInvoice = [...outcomes.values()].filter(
		(r) => r.cls === 'rejected' && attempts.has(r.referenceId),
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
