import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { runRows } from '../helpers/rowRunner';
import { isFinalStatus, toFriendlyInvoice } from '../../shared/invoice';
import { asNodeError, errorItem, rowName } from '../helpers/items';
import { isCurrencyCode, parseAmount } from '../helpers/money';
import { maskCardNumbersDeep } from '../../shared/redact';
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
	includeRaw: boolean;
}

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
	if (!amount.ok) return refuse('expected amount', amount.rule);
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
 * One reference ID on the platform, under the money path's read rules: every read is retried by the
 * policy, an answer that cannot be read is `unknown` (never `missing`), and `missing` is believed
 * only after `settleReads` readable answers in a row say so (a look-up may lag behind a write made
 * a moment ago). A definite refusal (401, 403, 404 of the list itself) is an error, not an outcome.
 */
async function lookUp(
	ctx: IExecuteFunctions,
	referenceId: string,
	policy: RetryPolicy,
	itemIndex: number,
): Promise<Lookup> {
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
		if (read >= policy.settleReads) return { outcome: 'missing' };
		await sleep(settleDelayMs(read, policy));
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
			const policyFor = (settled: boolean) =>
				settled ? options.policy : { ...options.policy, settleReads: 1 };
			return await followAttempts(
				referenceId,
				async (reference, settled) => await lookUp(ctx, reference, policyFor(settled), itemIndex),
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
			amount: friendly.amount,
			currency: friendly.currency,
			service: friendly.service,
			processedAmount: friendly.processedAmount,
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
