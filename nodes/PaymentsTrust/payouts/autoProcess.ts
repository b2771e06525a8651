import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { rowName } from '../helpers/items';
import { readInvoiceSettled, statusOf } from '../platform/invoiceLookup';
import type { CreatedInvoice } from './createInvoice';
import type { PayoutRunOptions } from './payoutRun';
import type { ValidPayout } from './types';

/**
 * Auto Process (Create and Process with Processing "In the Create Request"): the create request
 * carries `options.auto_process`, so the platform processes the invoice as it creates it and the
 * row costs one round trip instead of two. Invoice options are what the account has agreed with
 * PaymentsTrust (docs/platform.md#invoice-options): an account without this one creates the invoice
 * and leaves it in `created`. Such an invoice is never processed behind the user's back (no Process
 * request is ever sent for an auto row): the row fails saying so, and the run sends nothing more.
 */

/** The create body of this row asks the platform to process the invoice on creation. */
export function asksAutoProcess(payout: ValidPayout, options: PayoutRunOptions): boolean {
	const invoiceOptions = payout.extra.options as IDataObject | undefined;
	return options.mode === 'createAndProcess' && invoiceOptions?.auto_process === true;
}

const NOT_AUTO_PROCESSED = 'not_auto_processed';

/**
 * The row whose own create came back in `created` and stayed there, per node run: after it no auto
 * row sends anything (an account without the option would otherwise leave one unprocessed invoice
 * per row). Keyed by the run's context object, which n8n gives an operation once per run.
 */
const refusedBy = new WeakMap<object, ValidPayout>();

const WAY_OUT =
	'Account options such as auto_process are agreed with PaymentsTrust: ask your PaymentsTrust ' +
	'manager to enable it, or set Processing to "Separate Process Request". Running the sheet again ' +
	'that way processes each such invoice once (it is found by its reference ID).';

function notProcessed(
	ctx: IExecuteFunctions,
	payout: ValidPayout,
	message: string,
	description: string,
): NodeOperationError {
	const error = new NodeOperationError(ctx.getNode(), message, {
		itemIndex: payout.itemIndex,
		description,
	});
	error.context.stage = NOT_AUTO_PROCESSED;
	return error;
}

/**
 * Throws, sending nothing, once another row of this run showed the account does not auto process.
 */
export function ensureAutoProcessAvailable(ctx: IExecuteFunctions, payout: ValidPayout): void {
	const first = refusedBy.get(ctx);
	if (!first) return;
	const name = rowName(payout.itemIndex, { referenceId: payout.referenceId });
	const other = rowName(first.itemIndex, { referenceId: first.referenceId, inSentence: true });
	throw notProcessed(
		ctx,
		payout,
		`${name}: not sent: the platform did not process the invoice of ${other} on creation ` +
			'(Auto Process), so this run creates no more invoices. Nothing was paid for this row.',
		WAY_OUT,
	);
}

/**
 * An auto row's invoice as it ended up: past `created` (paid by its create request, or earlier), or
 * an error when it stays in `created`. "Still created" is believed only after settled reads (the
 * platform may apply auto_process a moment after answering); `settled` says the caller has just
 * done them.
 */
export async function autoProcessed(
	ctx: IExecuteFunctions,
	payout: ValidPayout,
	created: CreatedInvoice,
	options: PayoutRunOptions,
	settled: boolean,
): Promise<IDataObject> {
	let invoice = created.invoice;
	if (statusOf(invoice) === 'created' && !settled) {
		invoice = await readInvoiceSettled(
			ctx,
			String(invoice.id),
			options.policy,
			{ itemIndex: payout.itemIndex, referenceId: payout.referenceId },
			'whether the payout was processed',
		);
	}
	if (statusOf(invoice) !== 'created') return invoice;
	const name = rowName(payout.itemIndex, { referenceId: payout.referenceId });
	const id = String(invoice.id);
	if (!created.alreadyExisted && !created.foundAfterError) {
		// Our own create made it and the platform left it: the account does not have the option.
		if (!refusedBy.has(ctx)) refusedBy.set(ctx, payout);
		throw notProcessed(
			ctx,
			payout,
			`${name}: invoice ${id} was created but not processed: the create request asked the ` +
				'platform to process it (Auto Process), and it is still in status "created". No ' +
				'Process request was sent; nothing was paid for this row.',
			`Your PaymentsTrust account probably does not have the auto_process option. ${WAY_OUT} ` +
				'This run created no more invoices after this one.',
		);
	}
	throw notProcessed(
		ctx,
		payout,
		`${name}: invoice ${id} under this reference ID is still in status "created": it was not ` +
			'processed on creation (created earlier without Auto Process, or the account does not ' +
			'have the option). No Process request was sent; nothing was paid for this row.',
		'To pay it, run this row with Processing set to "Separate Process Request": the invoice is ' +
			'found by its reference ID and processed once. Or check it in the PaymentsTrust dashboard.',
	);
}
