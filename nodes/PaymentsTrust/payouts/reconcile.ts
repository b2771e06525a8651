import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { runRows } from '../helpers/rowRunner';
import { isFinalStatus, toFriendlyInvoice } from '../../shared/invoice';
import { asNodeError, errorItem, rowName } from '../helpers/items';
import { formatMinor, isCurrencyCode, minorUnitsOf, parseAmount } from '../helpers/money';
import { displayValue, maskCardNumbersDeep } from '../../shared/redact';
import { describeOutcome, toNodeApiError } from '../transport/errors';
import { isTransient, type Outcome } from '../transport/request';
import { settleDelayMs, type RetryPolicy } from '../transport/retryPolicy';
import { lookUpReference } from '../platform/invoiceLookup';
import { attemptFields, followAttempts } from './reconcileAttempts';
import { exactMinor, reconcileSummary, type ReconciledInvoice } from './reconcileSummary';
import { referenceIdText } from './validateRows';

/** One sheet row as Reconcile reads it: what the sheet says was paid. Nothing is checked yet. */
export interface ReconcileRow {
	itemIndex: number;
	referenceId: unknown;
	amount: unknown;
	currency: unknown;
	/** Empty: the service is not compared. */
	service: string;
	/** Why the row's parameters could not be read at all (an expression that fails). */
	unreadable?: string;
}

interface CheckedRow {
	itemIndex: number;
	referenceId: string;
	amountText: string;
	amountMinor: bigint;
	currency: string;
	service: string;
}

interface RowError {
	itemIndex: number;
	referenceId: string;
	field: string;
	rule: string;
}

export interface ReconcileOptions {
	/** The credential's Environment: an invoice of the other mode is a mismatch (`testMode`). */
	testMode: boolean;
	concurrency: number;
	policy: RetryPolicy;
	/**
	 * How long readable answers must keep saying "no such payout" before a row is `missing` (Missing
	 * After): a read may lag behind a payout made a moment ago, and a `missing` row is one a person
	 * pays again.
	 */
	missingAfterMs: number;
	includeRaw: boolean;
}

/** Missing After's default: longer than the read lag a replica may show (issue 30 met 5 s). */
export const MISSING_AFTER_SECONDS = 10;

/**
 * What the platform says about one reference ID: the invoice, none, or no answer that could be
 * read.
 */
type Lookup =
	| { outcome: 'found'; invoice: IDataObject }
	| { outcome: 'missing' }
	| { outcome: 'unknown'; reason: string }
	| { outcome: 'error'; error: unknown };

function checkRow(row: ReconcileRow): CheckedRow | RowError {
	const reference = referenceIdText(row.referenceId);
	const referenceId = 'text' in reference ? reference.text : '';
	const refuse = (field: string, rule: string): RowError => ({
		itemIndex: row.itemIndex,
		referenceId,
		field,
		rule,
	});
	if (row.unreadable) return refuse('row', row.unreadable);
	if ('rule' in reference) return refuse('reference ID', reference.rule);
	if (!referenceId)
		return refuse('reference ID', 'is required: it is what finds the payout on the platform');
	const currency = typeof row.currency === 'string' ? row.currency.trim().toUpperCase() : '';
	if (!currency) return refuse('expected currency', 'is required');
	if (!isCurrencyCode(currency))
		return refuse(
			'expected currency',
			`"${String(row.currency).slice(0, 20)}" is not an ISO 4217 code`,
		);
	const amount = parseAmount(row.amount, currency);
	// The value it got, as Create's refusal shows it (masked, cut): "1,000" must not contain commas.
	if (!amount.ok)
		return refuse(
			'expected amount',
			amount.rule === 'is required'
				? amount.rule
				: `"${displayValue('amount', row.amount)}" ${amount.rule}`,
		);
	return {
		itemIndex: row.itemIndex,
		referenceId,
		amountText: amount.text,
		amountMinor: amount.minor,
		currency,
		service: row.service.trim(),
	};
}

function isReadable(outcome: Outcome): boolean {
	return outcome.kind === 'response' && outcome.statusCode === 200;
}

/**
 * One reference ID on the platform, under the money path's read rules: every read is retried by
 * the policy, an answer that cannot be read is `unknown` (never `missing`), and a definite refusal
 * (401, 403, 404 of the list itself) is an error, not an outcome. `missing` is believed only when
 * readable answers without the invoice span `missingAfterMs` (from the first such answer to the
 * last), at least `settleReads` of them: pauses of 0.3, 0.6, 1.2, 2.4, 4.8 s … between reads, the
 * last one shortened to end the window. An invoice found ends the look-up at once.
 */
async function lookUp(
	ctx: IExecuteFunctions,
	referenceId: string,
	options: ReconcileOptions,
	itemIndex: number,
): Promise<Lookup> {
	const policy = options.policy;
	let firstNoneAt: number | undefined;
	for (let read = 1; ; read++) {
		const { outcome, invoice } = await lookUpReference(ctx, referenceId, policy);
		if (!isReadable(outcome)) {
			if (outcome.kind === 'response' && !isTransient(outcome)) {
				return {
					outcome: 'error',
					error: toNodeApiError(ctx.getNode(), outcome, {
						action: 'Look up the payout by reference ID',
						itemIndex,
						referenceId,
					}),
				};
			}
			return {
				outcome: 'unknown',
				reason:
					`the look-up by reference ID failed with ${describeOutcome(outcome)}` +
					(read > 1
						? ` (after ${read - 1} readable answer${read > 2 ? 's' : ''} without the invoice)`
						: ''),
			};
		}
		if (invoice) return { outcome: 'found', invoice };
		firstNoneAt ??= Date.now();
		const windowLeft = options.missingAfterMs - (Date.now() - firstNoneAt);
		if (read >= policy.settleReads && windowLeft <= 0) return { outcome: 'missing' };
		const pause = settleDelayMs(read, policy);
		await sleep(windowLeft > 0 ? Math.min(pause, windowLeft) : pause);
	}
}

/**
 * Which of amount, currency, service and mode differ between the sheet and the platform; compared
 * exactly.
 */
function mismatchesOf(row: CheckedRow, invoice: IDataObject, testMode: boolean): string[] {
	const friendly = toFriendlyInvoice(invoice);
	const mismatches: string[] = [];
	const currency = typeof friendly.currency === 'string' ? friendly.currency.toUpperCase() : '';
	if (currency !== row.currency) mismatches.push('currency');
	// In the sheet's currency's minor units: an amount with more decimals than that currency has is a
	// difference.
	if (exactMinor(friendly.amount, row.currency) !== row.amountMinor) mismatches.push('amount');
	if (row.service && friendly.service !== row.service) mismatches.push('service');
	if (typeof friendly.testMode === 'boolean' && friendly.testMode !== testMode)
		mismatches.push('testMode');
	return mismatches;
}

/**
 * An amount of the invoice as exact decimal text in its currency (`20` → `"20.00"`), the type of
 * `expectedAmount` beside it: one item never mixes numbers and text for amounts. An amount with
 * more decimals than the currency has is shown as the platform gave it, as text; none stays null.
 */
function amountText(
	value: unknown,
	invoiceCurrency: unknown,
	sheetCurrency: string,
): string | null {
	if (value === undefined || value === null || value === '') return null;
	const currency =
		typeof invoiceCurrency === 'string' && isCurrencyCode(invoiceCurrency.toUpperCase())
			? invoiceCurrency.toUpperCase()
			: sheetCurrency;
	const minor = exactMinor(value, currency);
	return minor === undefined ? String(value) : formatMinor(minor, minorUnitsOf(currency));
}

function rowErrorItem(problem: RowError): INodeExecutionData {
	const row = rowName(problem.itemIndex, { referenceId: problem.referenceId });
	return errorItem({ message: `${row}: ${problem.field} ${problem.rule}` }, problem.itemIndex, {
		outcome: 'invalid',
		referenceId: problem.referenceId || null,
		stage: 'validation',
		field: problem.field,
		rule: problem.rule,
	});
}

/**
 * Reconcile: each sheet row against what the platform has under its reference ID. It only reads.
 * Rows are checked first (a row without a reference ID, or with an amount or currency that cannot
 * be read, gets an error item naming the field, whatever "Continue On Fail" says, like Validate's
 * refused rows); each distinct reference ID is then looked up once, with bounded concurrency, and
 * every row gets one item in input order. Every item carries the run's summary. A definite API
 * error (a wrong key) stops the node unless "Continue On Fail" is on, when it becomes that row's
 * error item.
 */
export async function reconcileRows(
	ctx: IExecuteFunctions,
	rows: ReconcileRow[],
	options: ReconcileOptions,
): Promise<INodeExecutionData[]> {
	const checked = rows.map(checkRow);
	const valid = checked.filter((row): row is CheckedRow => !('rule' in row));
	const rowsByReference = new Map<string, number[]>();
	for (const row of valid)
		rowsByReference.set(row.referenceId, [
			...(rowsByReference.get(row.referenceId) ?? []),
			row.itemIndex,
		]);
	const references = [...rowsByReference.keys()];

	// One look-up per distinct reference ID, in the shared row loop: a definite error stops new
	// look-ups unless "Continue On Fail" is on.
	// Each reference ID's attempts too (Retry Failed Rows: R, then R~2, …; reconcileAttempts.ts).
	const followed = await runRows(
		ctx,
		references,
		options.concurrency,
		async (referenceId) => {
			const itemIndex = rowsByReference.get(referenceId)![0];
			// A later attempt that cannot exist is looked for with one readable answer; one that may
			// exist gets the settled reads over Missing After (reconcileAttempts.ts).
			const optionsFor = (settled: boolean): ReconcileOptions =>
				settled
					? options
					: { ...options, policy: { ...options.policy, settleReads: 1 }, missingAfterMs: 0 };
			return await followAttempts(
				referenceId,
				async (reference, settled) => await lookUp(ctx, reference, optionsFor(settled), itemIndex),
			);
		},
		(found) => found.lookup.outcome === 'error',
	);
	const lookups = followed.map((entry) => entry?.lookup);
	const attemptsOf = new Map(references.map((reference, index) => [reference, followed[index]]));
	const byReference = new Map(references.map((reference, index) => [reference, lookups[index]]));
	if (!ctx.continueOnFail()) {
		const failed = lookups.find((lookup) => lookup?.outcome === 'error');
		if (failed?.outcome === 'error') throw asNodeError(ctx.getNode(), failed.error);
	}

	const invoices: ReconciledInvoice[] = [];
	for (const entry of followed)
		for (const attempt of entry?.chain ?? [])
			invoices.push({ invoice: toFriendlyInvoice(attempt.invoice) });

	const items = checked.map((row): INodeExecutionData => {
		if ('rule' in row) return rowErrorItem(row);
		const lookup = byReference.get(row.referenceId);
		const sameReference = rowsByReference.get(row.referenceId)!;
		const base: IDataObject = {
			row: row.itemIndex + 1,
			referenceId: row.referenceId,
			expectedAmount: row.amountText,
			expectedCurrency: row.currency,
			...(row.service ? { expectedService: row.service } : {}),
			duplicateReference: sameReference.length > 1,
			...(sameReference.length > 1
				? { duplicateRows: sameReference.map((index) => index + 1) }
				: {}),
		};
		if (lookup?.outcome === 'error')
			return errorItem(lookup.error, row.itemIndex, { ...base, outcome: 'error' });
		if (!lookup || lookup.outcome === 'unknown') {
			return {
				json: {
					...base,
					outcome: 'unknown',
					reason: lookup
						? `${lookup.reason}. Whether this payout exists is unknown: run Reconcile again later.`
						: 'not looked up: the run stopped before this row',
					id: null,
					status: null,
					isFinal: null,
					mismatches: [],
				},
				pairedItem: { item: row.itemIndex },
			};
		}
		if (lookup.outcome === 'missing') {
			return {
				json: {
					...base,
					outcome: 'missing',
					id: null,
					status: null,
					isFinal: null,
					mismatches: [],
				},
				pairedItem: { item: row.itemIndex },
			};
		}
		const friendly = toFriendlyInvoice(lookup.invoice);
		const attempts = attemptsOf.get(row.referenceId)!;
		const json: IDataObject = {
			...base,
			outcome: 'found',
			id: friendly.id,
			status: friendly.status,
			resolution: friendly.resolution,
			isFinal: isFinalStatus(friendly.status),
			mismatches: [
				...mismatchesOf(row, lookup.invoice, options.testMode),
				...(attempts.paidTwice ? ['paid_twice'] : []),
			],
			amount: amountText(friendly.amount, friendly.currency, row.currency),
			currency: friendly.currency,
			service: friendly.service,
			processedAmount: amountText(friendly.processedAmount, friendly.currency, row.currency),
			testMode: friendly.testMode,
			createdAt: friendly.createdAt,
			updatedAt: friendly.updatedAt,
			...attemptFields(attempts),
		};
		if (options.includeRaw) json.raw = lookup.invoice;
		return { json: maskCardNumbersDeep(json), pairedItem: { item: row.itemIndex } };
	});

	const summary = {
		...reconcileSummary(
			items.map((item) => item.json),
			invoices,
		),
		// Must always be 0: a row two of whose attempts moved money (reconcileAttempts.ts).
		paidTwiceRows: items.filter((item) => item.json.paidTwice === true).length,
	};
	return items.map((item) => ({ ...item, json: { ...item.json, summary } }));
}
