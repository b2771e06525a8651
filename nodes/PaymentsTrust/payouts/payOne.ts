import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toFriendlyInvoice } from '../../shared/invoice';
import { maskCardNumbersDeep } from '../../shared/redact';
import { attemptFields, classOf } from './attempts';
import { asksAutoProcess, autoProcessed, ensureAutoProcessAvailable } from './autoProcess';
import { createInvoiceOnce, ensureSamePayout, type CreatedInvoice } from './createInvoice';
import { ensureInvoiceMode } from './invoiceMode';
import { statusOf } from '../platform/invoiceLookup';
import { processInvoiceOnce } from './processInvoice';
import type { PayoutRunOptions, RowProgress } from './payoutRun';
import type { ValidPayout } from './types';
import { waitForFinalStatus } from './waitForFinal';

/**
 * Creates (and processes, and waits for) one valid row. Every write goes through the exactly-once
 * helpers.
 */
export async function payOne(
	ctx: IExecuteFunctions,
	payout: ValidPayout,
	options: PayoutRunOptions,
	progress: RowProgress,
): Promise<INodeExecutionData> {
	// An attempt of Retry Failed Rows the run found before sending: no create goes out for it. It
	// must be the row's payout, unless it ended without money moving (the row may have been fixed
	// since, and nothing is sent for it: it is only reported, at Max Attempts per Row).
	const found = payout.attempt?.found;
	if (found && classOf(statusOf(found)) !== 'noMoney') ensureSamePayout(ctx, found, payout);
	if (!found && asksAutoProcess(payout, options)) {
		ensureAutoProcessAvailable(ctx, payout);
		// The create itself may process the invoice: settling reads before believing "created".
		progress.processAttempted = true;
	}
	const created: CreatedInvoice = found
		? { invoice: found, alreadyExisted: true, foundAfterError: false }
		: await createInvoiceOnce(ctx, payout, options.policy, options.testMode);
	progress.invoiceSeen = created.invoice;
	return await completePayout(ctx, payout, created, options, progress, {
		knownCreated: !created.alreadyExisted,
	});
}

/**
 * The rest of a row once its invoice is known: processed only while in `created` (never a second
 * time), then waited for. `knownCreated` says the caller has just read the invoice in `created`
 * (and checked nothing lags).
 */
export async function completePayout(
	ctx: IExecuteFunctions,
	payout: ValidPayout,
	created: CreatedInvoice,
	options: PayoutRunOptions,
	progress: RowProgress,
	how: { knownCreated: boolean; settledAtEnd?: boolean },
): Promise<INodeExecutionData> {
	const context = { itemIndex: payout.itemIndex, referenceId: payout.referenceId, row: payout.row };
	ensureInvoiceMode(ctx, created.invoice, options.testMode, context);
	let invoice = created.invoice;
	let processRequested = false;
	let alreadyProcessed = false;
	const auto = asksAutoProcess(payout, options);
	if (auto) {
		// Processed by its create request or not at all: never a Process request for this row. Not
		// known to be this run's own create when the answer was lost or the reference existed.
		const settled = how.settledAtEnd === true && how.knownCreated;
		invoice = await autoProcessed(ctx, payout, created, options, settled);
		alreadyProcessed = created.alreadyExisted || created.foundAfterError;
	} else if (options.mode === 'createAndProcess' && statusOf(invoice) === 'created') {
		// A windowed agent budget decides here, after the create and before the one process request:
		// refused, the invoice stays in `created` and nothing is sent.
		await options.windowBudget?.mayProcess(ctx, payout, invoice, options.policy);
		// An invoice found under our reference is processed only while still in `created`: never a second
		// time.
		progress.processAttempted = true;
		const processed = await processInvoiceOnce(ctx, String(invoice.id), options.policy, context, {
			knownCreated: how.knownCreated,
		});
		invoice = processed.invoice;
		processRequested = !processed.alreadyProcessed;
		alreadyProcessed = processed.alreadyProcessed;
	} else if (options.mode === 'createAndProcess') {
		// Settled at the end: an invoice that left `created` after this run asked to process it was paid
		// by that request.
		processRequested = progress.processAttempted;
		alreadyProcessed = !progress.processAttempted;
	}
	let waitTimedOut: boolean | undefined;
	if (options.wait && options.mode === 'createAndProcess') {
		const waited = await waitForFinalStatus(ctx, invoice, options.wait, options.policy);
		invoice = waited.invoice;
		waitTimedOut = waited.timedOut;
	}
	const friendly = toFriendlyInvoice(invoice);
	const json: IDataObject = {
		...friendly,
		// An invoice that does not say its mode is in the one this run sent (ensureInvoiceMode refused
		// any other).
		testMode: friendly.testMode ?? options.testMode,
		row: payout.row ?? payout.itemIndex + 1,
		alreadyExisted: created.alreadyExisted,
		foundAfterError: created.foundAfterError,
	};
	if (options.mode === 'createAndProcess') {
		json.processRequested = processRequested;
		json.alreadyProcessed = alreadyProcessed;
		if (auto) json.autoProcess = true;
	}
	if (waitTimedOut !== undefined) json.waitTimedOut = waitTimedOut;
	if (how.settledAtEnd) json.settledAtEnd = true;
	if (payout.attempt) {
		const sentCreate = payout.attempt.action === 'create' && payout.attempt.number > 1;
		Object.assign(json, attemptFields(payout.attempt, invoice, sentCreate));
	}
	if (options.includeRaw) json.raw = invoice;
	return { json: maskCardNumbersDeep(json), pairedItem: { item: payout.itemIndex } };
}
