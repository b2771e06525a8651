/**
 * Checks of the large-sheet examples (docs/large-sheets.md), judged by the sandbox's ledger, shared by the
 * single-process part (`e2e/parts/largeSheets.ts`) and queue mode (`e2e/queueScenario.ts`):
 *
 *   - the sheet (the "payouts" Data Table) says what the ledger says, row by row;
 *   - the PostgreSQL record holds one row per (invoice, final status) and nothing else, and every recorded outcome
 *     reached the notification receiver at least once, each attempt with its idempotency key;
 *   - the callback storm: every signed callback again, to every webhook process at the same moment, in order
 *     and reversed, then all at once.
 */
import { CallbackRelay, ChunkCall, forward, RelayedCallback } from './callbackRelay';
import { FINAL_STATUSES, NO_MONEY_STATUSES, PAID_STATUSES } from './callbacks';
import type { DataTableRow } from './dataTables';
import type { Report } from './report';
import { waitFor } from './processes';
import type { LedgerLike } from './sandbox';
import { sql } from './services';
import { OUTCOMES_TABLE } from './sheetWorkflows';

type LedgerInvoice = LedgerLike['invoices'][number];

/** The sheet's Max Attempts per Row (Validate the sheet, Pay each row: examples/pay-*.workflow.json). */
export const MAX_ATTEMPTS_PER_ROW = 3;

/**
 * Each reference's attempts in the ledger, by attempt number (docs/retries.md): attempt 1 is the row's own
 * reference ID, attempt n is `<reference>~n`. Index 0 is attempt 1; a gap is `undefined`.
 */
export function attemptsByRow(
	ledger: LedgerLike,
	references: string[],
): Map<string, Array<LedgerInvoice | undefined>> {
	const refs = new Set(references);
	const out = new Map<string, Array<LedgerInvoice | undefined>>();
	for (const invoice of ledger.invoices) {
		const match = /^(.*)~(\d+)$/.exec(invoice.referenceId);
		const [ref, n] =
			match && refs.has(match[1]) ? [match[1], Number(match[2])] : [invoice.referenceId, 1];
		if (!refs.has(ref)) continue;
		const list = out.get(ref) ?? [];
		list[n - 1] = invoice;
		out.set(ref, list);
	}
	return out;
}

/**
 * What is wrong with one row's attempts in the ledger (`attemptsByRow`), or `undefined`: an attempt missing or
 * not created exactly once, a next attempt though an earlier one did not end without payment (so two attempts of
 * the row could both pay), or more than Max Attempts per Row.
 */
export function attemptChainProblem(
	ref: string,
	chain: Array<LedgerInvoice | undefined>,
	maxAttemptsPerRow = MAX_ATTEMPTS_PER_ROW,
): { notOnce?: string; badChain?: string } {
	const out: { notOnce?: string; badChain?: string } = {};
	if (chain.length === 0 || chain.some((i) => !i || i.createsCommitted !== 1))
		out.notOnce = `${ref}: ${chain.map((i, n) => `#${n + 1} ${i ? i.createsCommitted : 'missing'}`).join(' ') || 'none'}`;
	const earlierWithMoney = chain.slice(0, -1).filter((i) => i && !NO_MONEY_STATUSES.has(i.status));
	if (earlierWithMoney.length > 0 || chain.length > maxAttemptsPerRow)
		out.badChain = `${ref}: ${chain.map((i) => `${i?.referenceId} ${i?.status}`).join(', ')}`;
	return out;
}

/**
 * The paid invoices of every attempt of the rows, by payee (the row's account; a row without one counts as its own
 * payee): how many payees were paid, and those paid more than once (`<payee> ×n`).
 */
export function payeesPaidTwice(
	attempts: Map<string, Array<LedgerInvoice | undefined>>,
	accountOf: Map<string, string>,
): { paidByPayee: Map<string, number>; twice: string[] } {
	const paidByPayee = new Map<string, number>();
	for (const [ref, chain] of attempts)
		for (const invoice of chain)
			if (invoice && PAID_STATUSES.has(invoice.status)) {
				const payee = accountOf.get(ref) ?? ref;
				paidByPayee.set(payee, (paidByPayee.get(payee) ?? 0) + 1);
			}
	const twice = [...paidByPayee].filter(([, n]) => n > 1).map(([payee, n]) => `${payee} ×${n}`);
	return { paidByPayee, twice };
}

/** Whether an attempt in this status ended without money moving (a next attempt of its row may follow). */
export const endedWithoutPayment = (status: string) => NO_MONEY_STATUSES.has(status);

const key = (invoiceId: string, status: string) => `${invoiceId} ${status}`;

/**
 * Every reference of the sheet is one row of the table, and the row agrees with the ledger's latest attempt of the
 * row (docs/retries.md): `paid` exactly when it is paid; when it ended without payment `retry` (or `failed`, as the
 * callback workflow writes it) below Max Attempts per Row and `stopped` at it; `stopped` also for a partly paid
 * attempt. Its invoice ID, status, `attempt_reference_id`, `attempt` and `attempts` are the ledger's. An invalid
 * row is rejected with an error and has no invoice. `allFinal`: every valid row must have reached a final outcome
 * by now (after the callbacks settled).
 */
export function checkSheetAgainstLedger(
	report: Report,
	label: string,
	table: DataTableRow[],
	ledger: LedgerLike,
	sheet: { references: string[]; invalid: Set<string> },
	allFinal: boolean,
	maxAttemptsPerRow = MAX_ATTEMPTS_PER_ROW,
): void {
	const refs = new Set(sheet.references);
	const rowsByRef = new Map<string, DataTableRow[]>();
	for (const row of table) {
		const ref = String(row.reference_id);
		if (refs.has(ref)) rowsByRef.set(ref, [...(rowsByRef.get(ref) ?? []), row]);
	}
	const notOnce = sheet.references.filter((ref) => rowsByRef.get(ref)?.length !== 1);
	report.check(
		`${label}: the sheet still has each of its ${sheet.references.length} rows exactly once`,
		notOnce.length === 0,
		notOnce.slice(0, 5).join(', '),
	);
	const attempts = attemptsByRow(ledger, sheet.references);
	const counts: Record<string, number> = {};
	const wrong: string[] = [];
	const notFinal: string[] = [];
	const FINAL_OUTCOMES = ['paid', 'failed', 'retry', 'stopped'];
	for (const ref of sheet.references) {
		const row = rowsByRef.get(ref)?.[0];
		if (!row) continue;
		const outcome = String(row.outcome ?? '');
		counts[outcome || '(empty)'] = (counts[outcome || '(empty)'] ?? 0) + 1;
		const chain = attempts.get(ref) ?? [];
		const invoice = chain[chain.length - 1];
		const number = chain.length;
		const says = `${ref}: sheet ${JSON.stringify({ outcome: row.outcome, status: row.status, invoice_id: row.invoice_id, attempt_reference_id: row.attempt_reference_id, attempts: row.attempts })}, ledger ${invoice ? `${invoice.referenceId} ${invoice.id} ${invoice.status} (${number} attempts)` : 'no invoice'}`;
		if (sheet.invalid.has(ref)) {
			// Never sent, never final; "rejected" with the error once its chunk answered (a dead chunk writes nothing).
			if (invoice || FINAL_OUTCOMES.includes(outcome)) wrong.push(says);
			else if (outcome === 'rejected' && !row.error) wrong.push(says);
			else if (outcome !== 'rejected') notFinal.push(says);
			continue;
		}
		const status = invoice?.status ?? '';
		const truth: string[] | undefined = !invoice
			? undefined
			: PAID_STATUSES.has(status)
				? ['paid']
				: NO_MONEY_STATUSES.has(status)
					? number < maxAttemptsPerRow
						? ['retry', 'failed']
						: ['stopped']
					: FINAL_STATUSES.has(status)
						? ['stopped', 'failed']
						: undefined;
		if (truth) {
			// A final invoice: the sheet may lag (not written yet) but must never say something else.
			if (FINAL_OUTCOMES.includes(outcome)) {
				if (
					!truth.includes(outcome) ||
					row.status !== status ||
					row.invoice_id !== invoice!.id ||
					String(row.attempt_reference_id ?? '') !== invoice!.referenceId ||
					String(row.attempt ?? '') !== String(number) ||
					String(row.attempts ?? '') !== String(number) ||
					(outcome === 'stopped' && !String(row.retry_note ?? ''))
				)
					wrong.push(says);
			} else notFinal.push(says);
		} else if (FINAL_OUTCOMES.includes(outcome)) {
			// The sheet says final while the platform does not (or has no invoice at all).
			wrong.push(says);
		} else notFinal.push(says);
	}
	report.info(`${label}: the sheet's outcomes ${JSON.stringify(counts)}`);
	report.check(
		`${label}: no row of the sheet says paid, retry, failed or stopped unless the ledger's latest attempt of the row says so, with its invoice ID, status, attempt reference and attempts count (stopped with its retry note); invalid rows say rejected, with an error, and have no invoice`,
		wrong.length === 0,
		`${wrong.length} wrong: ${wrong.slice(0, 5).join('; ')}`,
	);
	if (allFinal)
		report.check(
			`${label}: every valid row of the sheet has its final outcome`,
			notFinal.length === 0,
			`${notFinal.length} not final: ${notFinal.slice(0, 5).join('; ')}`,
		);
}

export interface Notification {
	invoiceId: string;
	status: string;
	outcome?: string;
	referenceId?: string;
	executionId?: string;
	/** The body's idempotency key. */
	idempotencyKey?: string;
	/** The `Idempotency-Key` header the request carried (added by the relay). */
	keyHeader?: string;
}

/** The idempotency key the Postgres example sends for one outcome. */
export const notificationKey = (invoiceId: string, status: string) =>
	`paymentstrust:${invoiceId}:${status}`;

/**
 * The notification step of the Postgres example, at least once: every recorded row (`[invoice_id, status,
 * outcome, notified_at]`) is marked notified and was accepted by the receiver at least once; every attempt,
 * accepted or refused, carried its outcome's idempotency key in the header and the body, so a receiver can drop
 * a repeat; nothing was sent for an outcome that is not recorded. Repeats are reported, not failed: at least once
 * allows them, the key makes them harmless.
 */
export function checkNotifiedAtLeastOnce(
	report: Report,
	label: string,
	recorded: string[][],
	accepted: Notification[],
	refused: Notification[],
): void {
	const rows = new Set(recorded.map(([invoiceId, status]) => key(invoiceId, status)));
	const unmarked = recorded.filter((r) => !r[3]).map((r) => key(r[0], r[1]));
	const times = new Map<string, number>();
	for (const n of accepted)
		times.set(key(n.invoiceId, n.status), (times.get(key(n.invoiceId, n.status)) ?? 0) + 1);
	const never = [...rows].filter((k) => !times.has(k));
	report.check(
		`${label}: every recorded outcome reached the receiver at least once and is marked notified (${rows.size} outcomes, ${accepted.length} accepted, ${refused.length} refused attempts)`,
		rows.size > 0 && never.length === 0 && unmarked.length === 0,
		`never accepted: ${never.slice(0, 5).join(', ')}; not marked: ${unmarked.slice(0, 5).join(', ')}`,
	);
	const wrongKey = [...accepted, ...refused].filter(
		(n) =>
			n.keyHeader !== notificationKey(n.invoiceId, n.status) ||
			n.idempotencyKey !== notificationKey(n.invoiceId, n.status),
	);
	const strays = [...times.keys()].filter((k) => !rows.has(k));
	const repeats = [...times].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
	report.check(
		`${label}: every attempt carried its outcome's Idempotency-Key (header and body), none for an outcome not recorded (${repeats.length} outcomes accepted more than once)`,
		wrongKey.length === 0 && strays.length === 0,
		`wrong key: ${wrongKey
			.slice(0, 3)
			.map((n) => JSON.stringify(n))
			.join('; ')}; for no row: ${strays.slice(0, 5).join(', ')}`,
	);
	if (repeats.length)
		report.info(`${label}: accepted more than once: ${repeats.slice(0, 10).join(', ')}`);
}

/**
 * The PostgreSQL record (`[invoice_id, status, outcome, …]` rows) holds exactly the (invoice, final status) pairs of
 * `expected` (invoice ID → final status), once each, with the right outcome, no non-final status.
 */
export function checkRecordedOnce(
	report: Report,
	label: string,
	recorded: string[][],
	expected: Map<string, string>,
): void {
	const rows = new Map<string, number>();
	for (const [invoiceId, status] of recorded)
		rows.set(key(invoiceId, status), (rows.get(key(invoiceId, status)) ?? 0) + 1);
	const wanted = new Set([...expected].map(([id, status]) => key(id, status)));
	const missing = [...wanted].filter((k) => !rows.has(k));
	const extra = [...rows.keys()].filter((k) => !wanted.has(k));
	const twice = [...rows].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
	report.check(
		`${label}: the PostgreSQL table holds exactly one row per invoice and final status (${wanted.size})`,
		missing.length === 0 && extra.length === 0 && twice.length === 0,
		`missing ${missing.length} (${missing.slice(0, 5).join(', ')}); not expected ${extra.length} (${extra.slice(0, 5).join(', ')}); twice ${twice.join(', ')}`,
	);
	const nonFinal = recorded.filter(([, status]) => !FINAL_STATUSES.has(status));
	const wrongOutcome = recorded.filter(
		([, status, outcome]) => outcome !== (PAID_STATUSES.has(status) ? 'paid' : 'failed'),
	);
	report.check(
		`${label}: no non-final status recorded, and "paid" exactly for processed and partially processed`,
		nonFinal.length === 0 && wrongOutcome.length === 0,
		`non-final ${nonFinal.map((r) => r.join(' ')).join(', ')}; wrong outcome ${wrongOutcome
			.slice(0, 5)
			.map((r) => r.join(' '))
			.join(', ')}`,
	);
}

/**
 * The storm: every callback again, to every URL at the same moment, in order, then in reverse order (a late
 * non-final status after its final one), then every callback to every URL in bursts of 16. Returns how many answers
 * were not 200.
 */
export async function callbackStorm(
	callbacks: RelayedCallback[],
	urls: string[],
): Promise<{ sent: number; notOk: string[] }> {
	// Each distinct callback once: the relay also recorded the platform's own retries of the same bytes.
	const seen = new Set<string>();
	callbacks = callbacks.filter((c) => !seen.has(c.body) && seen.add(c.body));
	const notOk: string[] = [];
	let sent = 0;
	const send = async (c: RelayedCallback, url: string) => {
		sent++;
		const r = await forward(url, c.body, c.signature);
		if (r.status !== 200) notOk.push(`${c.invoiceId} ${c.invoiceStatus} → ${url}: ${r.status}`);
	};
	for (const order of [callbacks, [...callbacks].reverse()])
		for (const c of order) await Promise.all(urls.map(async (url) => await send(c, url)));
	// All at once, 16 requests at a time: n8n answers a webhook's requests one after another (~0.2 s each).
	const all = callbacks.flatMap((c) => urls.map((url) => [c, url] as const));
	for (let i = 0; i < all.length; i += 16)
		await Promise.all(all.slice(i, i + 16).map(async ([c, url]) => await send(c, url)));
	return { sent, notOk };
}

/**
 * The ledger, restricted to one sheet's references and their attempts (`<reference>~n`): every valid row has its
 * attempt 1, each attempt created once, none for an invalid row; a next attempt only after every earlier one ended
 * without money moving, so at most one attempt of a row paid; no more than Max Attempts per Row; every invoice
 * created in Test with test_mode said explicitly, none processed twice.
 */
export function checkLedgerForSheet(
	report: Report,
	label: string,
	ledger: LedgerLike,
	sheet: { references: string[]; invalid: Set<string> },
	maxAttemptsPerRow = MAX_ATTEMPTS_PER_ROW,
): void {
	const attempts = attemptsByRow(ledger, sheet.references);
	const notOne: string[] = [];
	const badChain: string[] = [];
	for (const ref of sheet.references) {
		if (sheet.invalid.has(ref)) continue;
		const problem = attemptChainProblem(ref, attempts.get(ref) ?? [], maxAttemptsPerRow);
		if (problem.notOnce) notOne.push(problem.notOnce);
		if (problem.badChain) badChain.push(problem.badChain);
	}
	const invalidPaid = [...sheet.invalid].filter((ref) => attempts.has(ref));
	const rows = sheet.references.length - sheet.invalid.size;
	const total = [...attempts.values()].reduce((n, chain) => n + chain.length, 0);
	report.check(
		`${label}: the ledger has each attempt of every valid row (${rows}) exactly once, ${total} invoices in all, and none for the ${sheet.invalid.size} invalid rows`,
		notOne.length === 0 && invalidPaid.length === 0,
		`not one: ${notOne.slice(0, 5).join(', ')}; invalid with an invoice: ${invalidPaid.join(', ')}`,
	);
	report.check(
		`${label}: a row has a next attempt only after every earlier one ended without payment, at most ${maxAttemptsPerRow} (so no row paid twice)`,
		badChain.length === 0,
		badChain.slice(0, 5).join('; '),
	);
	const invoices = [...attempts.values()].flat().filter((i): i is LedgerInvoice => !!i);
	const notTest = invoices.filter((i) => !i.testModeExplicit || i.testMode !== true);
	const processedTwice = invoices.filter((i) => i.processCommitted > 1);
	report.check(
		`${label}: every invoice created in Test (test_mode said explicitly), none processed twice`,
		notTest.length === 0 && processedTwice.length === 0,
		`not test: ${notTest.map((i) => i.referenceId).join(', ')}; processed twice: ${processedTwice.map((i) => i.referenceId).join(', ')}`,
	);
}

/** Invoice ID → status of every invoice of `references` that reached a final status, by the ledger. */
export function finalStatusesOf(ledger: LedgerLike, references: string[]): Map<string, string> {
	const refs = new Set(references);
	return new Map(
		ledger.invoices
			.filter((i) => refs.has(i.referenceId) && FINAL_STATUSES.has(i.status))
			.map((i) => [i.id, i.status]),
	);
}

/**
 * The rows "Pay a chunk" answered for, over the chunk calls given (answers that are row lists), by the row's own
 * reference ID (an attempt's item names it as `originalReferenceId`).
 */
export function referencesSent(chunks: ChunkCall[]): Set<string> {
	const refs = new Set<string>();
	for (const chunk of chunks)
		if (Array.isArray(chunk.body))
			for (const row of chunk.body as Array<Record<string, unknown>>)
				refs.add(String(row.originalReferenceId ?? row.referenceId ?? ''));
	return refs;
}

/** The attempts "Pay a chunk" sent the create of in those calls (`retried`: attempt 2 or later), by reference ID. */
export function retriesSent(chunks: ChunkCall[]): Set<string> {
	const refs = new Set<string>();
	for (const chunk of chunks)
		if (Array.isArray(chunk.body))
			for (const row of chunk.body as Array<Record<string, unknown>>)
				if (row.retried === true) refs.add(String(row.referenceId ?? ''));
	return refs;
}

/**
 * The final statuses among `callbacks` that no delivery attempt got a 200 for. Under load an attempt may time
 * out (the platform then sends it again): what counts is that every final status was answered 200 at last.
 */
export function finalStatusesNeverAcknowledged(callbacks: RelayedCallback[]): string[] {
	const acknowledged = new Set(
		callbacks.filter((c) => c.httpStatus === 200).map((c) => key(c.invoiceId, c.invoiceStatus)),
	);
	return [
		...new Set(
			callbacks
				.filter((c) => FINAL_STATUSES.has(c.invoiceStatus))
				.map((c) => key(c.invoiceId, c.invoiceStatus)),
		),
	].filter((k) => !acknowledged.has(k));
}

/**
 * The Postgres example while its notification receiver is down (answers 503): every final outcome is recorded and
 * none is marked notified, nothing was accepted, the sends were refused, and the executions that tried ended in
 * error (loud, not lost). `recorded` rows are `[invoice_id, status, outcome, notified_at]`.
 */
export function checkHeldWhileReceiverDown(
	report: Report,
	label: string,
	recorded: string[][],
	sink: { accepted: number; refused: number },
	failedExecutions: number,
): void {
	const marked = recorded.filter((r) => r[3]);
	report.check(
		`${label}: while the receiver answers 503, every outcome is recorded and none marked notified, and the executions that tried ended in error (${recorded.length} rows, ${sink.refused} sends refused, ${failedExecutions} executions in error)`,
		recorded.length > 0 &&
			marked.length === 0 &&
			sink.accepted === 0 &&
			sink.refused > 0 &&
			failedExecutions > 0,
		`marked ${marked.length}, accepted ${sink.accepted}`,
	);
}

/** The Postgres callback example's records, as `[invoice_id, status, outcome, notified_at]` rows. */
export async function recordedOutcomes(
	db: { database: string },
	logDir: string,
): Promise<string[][]> {
	return await sql(
		db,
		`select invoice_id, status, outcome, coalesce(notified_at::text, '') from ${OUTCOMES_TABLE}`,
		logDir,
	);
}

/**
 * The Postgres example's records once the callbacks settled: one row per (invoice, final status) in `expected`
 * (checkRecordedOnce), each notified at least once through the relay's sink (checkNotifiedAtLeastOnce).
 */
export function checkRecordedAndNotified(
	report: Report,
	label: string,
	recorded: string[][],
	expected: Map<string, string>,
	relay: Pick<CallbackRelay, 'sink' | 'sinkRefused'>,
): void {
	checkRecordedOnce(report, label, recorded, expected);
	checkNotifiedAtLeastOnce(
		report,
		label,
		recorded,
		relay.sink as unknown as Notification[],
		relay.sinkRefused as unknown as Notification[],
	);
}

/**
 * Waits until every row `recordedRows` returns (`[invoice_id, status, outcome, notified_at]`) is marked notified,
 * calling `nudge` (a new callback: the claim runs after every callback) every `nudgeEveryMs`; the example's
 * schedule claims every minute as well. Returns the rows.
 */
export async function waitUntilNotified(
	recordedRows: () => Promise<string[][]>,
	opts: { timeoutMs: number; nudge: () => Promise<void>; nudgeEveryMs: number },
): Promise<string[][]> {
	let lastNudge = Date.now();
	return await waitFor(
		'every recorded outcome to be marked notified (new callbacks, and the schedule every minute)',
		async () => {
			const rows = await recordedRows();
			if (rows.length > 0 && rows.every((r) => r[3])) return rows;
			if (Date.now() - lastNudge >= opts.nudgeEveryMs) {
				lastNudge = Date.now();
				await opts.nudge();
			}
			return undefined;
		},
		{ timeoutMs: opts.timeoutMs, intervalMs: 2_000 },
	);
}

/**
 * Every execution of the callback workflow succeeded, except ones that started while the notification receiver was
 * down (before `recoveredAt`), which end in error when their send is refused.
 */
export function checkExecutionsAfterRecovery(
	report: Report,
	label: string,
	executions: Array<{ id: string; status: string; startedAt?: string }>,
	recoveredAt: number,
): void {
	const failed = executions.filter((e) => e.status !== 'success');
	const late = failed.filter((e) => !e.startedAt || Date.parse(e.startedAt) >= recoveredAt);
	report.check(
		`${label}: every execution of the callback workflow succeeded once the receiver answered again (${executions.length} executions, ${failed.length} failed, all of them started while it was down)`,
		late.length === 0,
		late
			.slice(0, 5)
			.map((e) => `${e.id}: ${e.status} at ${e.startedAt}`)
			.join(', '),
	);
}

/**
 * Where Retry Failed Rows leaves the sheet once it converged (docs/large-sheets.md), by the ledger: every row that
 * can be paid is paid exactly once across its attempts (a `failOnce` row by its attempt 2, after its attempt 1
 * failed; any other by attempt 1), no payee (the row's account) paid twice, every `alwaysFail` row stopped at Max
 * Attempts per Row with every attempt failed, and the sheet says so: `stopped` with its retry note.
 */
export function checkRetriesConverged(
	report: Report,
	label: string,
	ledger: LedgerLike,
	table: DataTableRow[],
	sheet: {
		references: string[];
		invalid: Set<string>;
		alwaysFail: Set<string>;
		failOnce: Set<string>;
		accountOf: Map<string, string>;
	},
	maxAttemptsPerRow = MAX_ATTEMPTS_PER_ROW,
): void {
	const attempts = attemptsByRow(ledger, sheet.references);
	const wrong: string[] = [];
	let paid = 0;
	for (const ref of sheet.references) {
		if (sheet.invalid.has(ref)) continue;
		const chain = attempts.get(ref) ?? [];
		const statuses = chain.map((i) => i?.status ?? 'missing');
		const paidAttempts = chain.filter((i) => i && PAID_STATUSES.has(i.status)).length;
		paid += paidAttempts;
		const expected = sheet.alwaysFail.has(ref)
			? Array<string>(maxAttemptsPerRow).fill('process_failed')
			: sheet.failOnce.has(ref)
				? ['process_failed', 'processed']
				: ['processed'];
		if (JSON.stringify(statuses) !== JSON.stringify(expected))
			wrong.push(`${ref}: ${statuses.join(', ')} (expected ${expected.join(', ')})`);
	}
	const payable = sheet.references.length - sheet.invalid.size - sheet.alwaysFail.size;
	report.check(
		`${label}: every row that can be paid is paid exactly once across its attempts (${payable}: ${sheet.failOnce.size} by their attempt 2 after a failed attempt 1), and the ${sheet.alwaysFail.size} rows the bank always refuses have ${maxAttemptsPerRow} failed attempts and no more`,
		wrong.length === 0 && paid === payable,
		`${paid} paid; ${wrong.slice(0, 5).join('; ')}`,
	);
	const { paidByPayee, twice } = payeesPaidTwice(attempts, sheet.accountOf);
	report.check(
		`${label}: no payee paid twice (${paidByPayee.size} payees paid, by the ledger's paid invoices of every attempt)`,
		twice.length === 0,
		twice.join(', '),
	);
	const byRef = new Map(table.map((row) => [String(row.reference_id), row]));
	const notStopped = [...sheet.alwaysFail].filter((ref) => {
		const row = byRef.get(ref);
		return (
			row?.outcome !== 'stopped' ||
			!/Max Attempts per Row \(\d+\) is reached/.test(String(row?.retry_note ?? ''))
		);
	});
	report.check(
		`${label}: the rows the bank always refuses say stopped, with the note that Max Attempts per Row is reached`,
		notStopped.length === 0,
		notStopped
			.slice(0, 3)
			.map((ref) => `${ref}: ${JSON.stringify(byRef.get(ref))}`)
			.join('; '),
	);
}
