/**
 * Issue 26: Retry Failed Rows under the fault proxy, shared by `test/money/retryFaults.test.ts` (CI size) and
 * `scripts/fault-test.ts --retries` (1,000 rows).
 *
 * N rows of Create and Process with Retry Failed Rows (Max Attempts per Row 3, wait for final status, Continue
 * On Fail) go through the seeded fault proxy three times, each run under other faults. A share of the rows fail
 * at the gateway now and then (test_usd's success rate), some always fail, some end partly paid, a few are
 * malformed. Judged by the sandbox's ledger after every run, never by the node's own word:
 * - no row has two attempts that moved money; no invoice created or processed twice;
 * - a row's attempts are `R`, `R~2`, … without gaps, at most Max Attempts per Row, and every attempt but the
 *   last ended in a final status in which no money moved;
 * - every row's item agrees with the ledger: the attempt it names exists with the status it reports; a row
 *   the ledger shows paid is never reported failed; `attempts` is what the ledger has;
 * - after the third run every row is paid once, or its item says why not (a note, or an error).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { LedgerSnapshot } from '../../sandbox';
import { CI_SETTINGS, runScenario, type NodeSettings } from './faultScenario';
import { startSandbox } from '../../sandbox';
import { startFaultProxy } from '../support/faultProxy';
import { PT_NODE } from '../support/payoutWorkflow';

export type RetryRowKind = 'pay' | 'flaky' | 'hopeless' | 'partly' | 'invalid';

export const MAX_ATTEMPTS_PER_ROW = 3;
const NO_MONEY = ['process_failed', 'expired', 'terminated', 'canceled'];
const MONEY_MOVED = ['processed', 'partially_processed', 'partially_canceled', 'cancel_failed'];

export function buildRetryRows(
	count: number,
	prefix: string,
): { rows: IDataObject[]; kinds: RetryRowKind[] } {
	const rows: IDataObject[] = [];
	const kinds: RetryRowKind[] = [];
	for (let i = 0; i < count; i++) {
		const reference_id = `${prefix}-${i + 1}`;
		const amount = `${((i * 37) % 999) + 1}.${String((i * 13) % 100).padStart(2, '0')}`;
		const account = String(200000 + i);
		if (i % 40 === 17) {
			rows.push({ reference_id, amount: '1,000', account });
			kinds.push('invalid');
		} else if (i % 25 === 11) {
			rows.push({ reference_id, amount, account, test_details_payout_status: 'process failed' });
			kinds.push('hopeless');
		} else if (i % 50 === 29) {
			rows.push({
				reference_id,
				amount,
				account,
				test_details_payout_status: 'partially processed',
			});
			kinds.push('partly');
		} else if (i % 10 === 3 || i % 10 === 6 || i % 10 === 8) {
			// Fails at the gateway 60 % of the time: each attempt draws again.
			rows.push({ reference_id, amount, account, test_details_success_rate: '40' });
			kinds.push('flaky');
		} else {
			rows.push({ reference_id, amount, account });
			kinds.push('pay');
		}
	}
	return { rows, kinds };
}

/** A reference in the ledger as (row's own reference, attempt number). */
function parseAttempt(reference: string): { original: string; attempt: number } {
	const match = /^(.*)~(\d+)$/.exec(reference);
	return match
		? { original: match[1], attempt: Number(match[2]) }
		: { original: reference, attempt: 1 };
}

type LedgerInvoice = LedgerSnapshot['invoices'][number];

export interface RetryRunNumbers {
	seconds: number;
	/** Items by what they say: a status, or an error's stage. */
	reported: Record<string, number>;
	/** Rows whose attempts in the ledger number 1, 2, 3. */
	attemptsPerRow: Record<number, number>;
	rowsPaid: number;
	rowsPaidTwice: number;
	retriesSent: number;
}

export interface RetryScenarioResult {
	violations: string[];
	runs: RetryRunNumbers[];
	/** After the last run: rows paid once, and rows not paid with the reason their item gives, by reason. */
	final: { paidOnce: number; explained: Record<string, number>; unexplained: number };
}

export async function runRetryScenario(options: {
	rows: number;
	seed: number;
	rate: number;
	lagReads: number;
	settings?: NodeSettings;
	log?: (line: string) => void;
}): Promise<RetryScenarioResult> {
	const settings = options.settings ?? CI_SETTINGS;
	const log = options.log ?? (() => undefined);
	const sandbox = await startSandbox({ port: 0, processDelayMs: 30, seed: options.seed });
	const proxy = await startFaultProxy(sandbox.baseUrl, {
		seed: options.seed,
		rate: options.rate,
		lagReads: options.lagReads,
		trickleMs: settings.requestTimeout * 1000 + 500,
	});
	const credentials = { ...sandbox.credentials, baseUrl: proxy.baseUrl } as unknown as IDataObject;
	const violations: string[] = [];
	const fail = (text: string) => {
		if (violations.length < 300) violations.push(text);
	};
	const runs: RetryRunNumbers[] = [];
	const { rows, kinds } = buildRetryRows(options.rows, `rt-${options.seed}`);
	const originals = new Set(rows.map((row) => String(row.reference_id)));
	let lastItems: INodeExecutionData[] = [];
	let lastChains = new Map<string, LedgerInvoice[]>();

	const chainsOf = (ledger: LedgerSnapshot) => {
		const chains = new Map<string, LedgerInvoice[]>();
		for (const invoice of ledger.invoices) {
			const { original, attempt } = parseAttempt(invoice.referenceId);
			if (!originals.has(original)) continue;
			const chain = chains.get(original) ?? [];
			chain[attempt - 1] = invoice;
			chains.set(original, chain);
		}
		return chains;
	};

	try {
		for (let run = 1; run <= 3; run++) {
			const label = `run ${run}`;
			proxy.configure({ seed: options.seed + run - 1 });
			const before = chainsOf(sandbox.ledger());
			const { result, items, seconds } = await runScenario(
				sandbox,
				rows,
				settings,
				credentials,
				run === 2 ? 'fields' : 'columns',
				{},
				{ retryFailedRows: true, maxAttemptsPerRow: MAX_ATTEMPTS_PER_ROW },
			);
			const ledger = sandbox.ledger();
			const chains = chainsOf(ledger);
			const nodeError = result.errorOf(PT_NODE) ?? result.executionError;
			if (nodeError) fail(`${label}: the node failed as a whole: ${nodeError.message}`);
			if (items.length !== rows.length)
				fail(`${label}: ${rows.length} rows in, ${items.length} out`);
			if (ledger.summary.referencesWithMultipleInvoices)
				fail(
					`${label}: ${ledger.summary.referencesWithMultipleInvoices} references with several invoices`,
				);
			if (ledger.summary.invoicesProcessedMoreThanOnce)
				fail(
					`${label}: ${ledger.summary.invoicesProcessedMoreThanOnce} invoices processed more than once`,
				);

			const numbers: RetryRunNumbers = {
				seconds,
				reported: {},
				attemptsPerRow: {},
				rowsPaid: 0,
				rowsPaidTwice: 0,
				retriesSent: 0,
			};
			rows.forEach((row, index) => {
				const original = String(row.reference_id);
				const rowLabel = `${label}: row ${index + 1} (${original}, ${kinds[index]})`;
				const chain = chains.get(original) ?? [];
				const json = items[index]?.json ?? {};

				// The ledger alone: dense attempts, never more than allowed, only after a final status without money.
				for (let n = 0; n < chain.length; n++) {
					const invoice = chain[n];
					if (!invoice)
						fail(`${rowLabel}: attempt ${n + 1} is missing, attempt ${chain.length} exists`);
					else {
						if (invoice.createsCommitted > 1)
							fail(`${rowLabel}: ${invoice.referenceId} created twice`);
						if (invoice.processCommitted > 1)
							fail(`${rowLabel}: ${invoice.referenceId} processed twice`);
						if (n < chain.length - 1 && !NO_MONEY.includes(invoice.status))
							fail(
								`${rowLabel}: a later attempt exists although ${invoice.referenceId} is ${invoice.status}`,
							);
					}
				}
				if (chain.length > MAX_ATTEMPTS_PER_ROW) fail(`${rowLabel}: ${chain.length} attempts`);
				const moved = chain.filter((invoice) => invoice && MONEY_MOVED.includes(invoice.status));
				if (moved.length > 1) {
					numbers.rowsPaidTwice++;
					fail(
						`${rowLabel}: PAID TWICE: ${moved.map((invoice) => invoice.referenceId).join(', ')}`,
					);
				}
				if (moved.length === 1) numbers.rowsPaid++;
				numbers.attemptsPerRow[chain.length] = (numbers.attemptsPerRow[chain.length] ?? 0) + 1;
				if (kinds[index] === 'invalid' && chain.length)
					fail(`${rowLabel}: a malformed row was sent`);
				if (kinds[index] === 'partly' && chain.length > 1)
					fail(`${rowLabel}: a partly paid row was retried`);
				if (kinds[index] === 'pay' && chain.length > 1)
					fail(`${rowLabel}: a row that cannot fail was retried`);
				const earlier = before.get(original) ?? [];
				if (chain.length > earlier.length + 1)
					fail(`${rowLabel}: ${chain.length - earlier.length} new attempts in one run`);
				if (chain.length > earlier.length && earlier.length > 0) numbers.retriesSent++;

				// The row's item against the ledger.
				const kind = json.error !== undefined ? `error ${String(json.stage)}` : String(json.status);
				numbers.reported[kind] = (numbers.reported[kind] ?? 0) + 1;
				const paidInLedger = moved.length > 0;
				if (json.error !== undefined) {
					const stage = String(json.stage);
					if (stage === 'validation') {
						if (kinds[index] !== 'invalid')
							fail(`${rowLabel}: a good row was refused: ${String(json.error)}`);
						return;
					}
					// Unknown (the platform could not be asked) and unreadable attempts are explanations, not claims.
					if (stage === 'outcome_unknown' || stage === 'attempts') return;
					if (paidInLedger)
						fail(
							`${rowLabel}: reported an error (${String(json.error)}), the ledger shows it paid`,
						);
					return;
				}
				if (json.originalReferenceId !== original)
					fail(`${rowLabel}: originalReferenceId ${String(json.originalReferenceId)}`);
				const attempt = Number(json.attempt);
				const invoice = chain[attempt - 1];
				if (!invoice) {
					fail(`${rowLabel}: reported attempt ${attempt}, the ledger has ${chain.length}`);
					return;
				}
				if (json.referenceId !== invoice.referenceId)
					fail(
						`${rowLabel}: reported reference ${String(json.referenceId)} for attempt ${attempt}`,
					);
				if (json.id !== invoice.id)
					fail(`${rowLabel}: reported invoice ${String(json.id)}, ledger ${invoice.id}`);
				if (json.attempts !== chain.length)
					fail(`${rowLabel}: reported ${String(json.attempts)} attempts, ledger ${chain.length}`);
				const stale = json.waitTimedOut === true && json.isFinal !== true;
				if (json.status !== invoice.status && !stale)
					fail(`${rowLabel}: reported ${String(json.status)}, ledger says ${invoice.status}`);
				if (paidInLedger && !MONEY_MOVED.includes(String(json.status)) && !stale)
					fail(`${rowLabel}: the ledger shows it paid, reported ${String(json.status)}`);
				if (!paidInLedger && MONEY_MOVED.includes(String(json.status)))
					fail(`${rowLabel}: reported ${String(json.status)}, nothing paid in the ledger`);
			});
			log(
				`${label}: ${seconds.toFixed(1)} s; items ${JSON.stringify(numbers.reported)}; ` +
					`rows paid ${numbers.rowsPaid}, paid twice ${numbers.rowsPaidTwice}, retries sent ` +
					`${numbers.retriesSent}; attempts per row ${JSON.stringify(numbers.attemptsPerRow)}`,
			);
			runs.push(numbers);
			lastItems = items;
			lastChains = chains;
		}

		// After the third run: paid once, or said why not.
		const final = { paidOnce: 0, explained: {} as Record<string, number>, unexplained: 0 };
		rows.forEach((row, index) => {
			const chain = lastChains.get(String(row.reference_id)) ?? [];
			const moved = chain.filter((invoice) => invoice && MONEY_MOVED.includes(invoice.status));
			const json = lastItems[index]?.json ?? {};
			if (moved.length === 1 && moved[0].status === 'processed') {
				final.paidOnce++;
				return;
			}
			const reason =
				json.error !== undefined
					? `error ${String(json.stage)}`
					: typeof json.retryNote === 'string' && json.retryNote
						? `${String(json.status)} with a note`
						: undefined;
			if (!reason) {
				final.unexplained++;
				fail(
					`after run 3: row ${index + 1} (${kinds[index]}) neither paid once nor explained: ${JSON.stringify(json).slice(0, 300)}`,
				);
			} else final.explained[reason] = (final.explained[reason] ?? 0) + 1;
		});
		log(`after run 3: ${JSON.stringify(final)}`);
		return { violations, runs, final };
	} finally {
		await proxy.close();
		await sandbox.close();
	}
}
