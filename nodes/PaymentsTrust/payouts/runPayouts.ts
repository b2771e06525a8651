import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { rowOutput, throwFirstFailure } from '../helpers/rowRunner';
import { isOutcomeUnknown } from '../platform/invoiceLookup';
import { approvalOf, compareApproval } from './approvalCode';
import { compareApprovalPart } from './approvalPart';
import { checkRows, problemItem } from './checkRows';
import { samePayeeStop } from './payee';
import { payOne } from './payOne';
import { newRowProgress, type PayoutRunOptions } from './payoutRun';
import { rateLimitedInvoiceState } from './processInvoice';
import { isOpen, payAndSettle, type RowResult } from './settleUnknown';
import { problemMessage, type PayoutRequest, type ValidPayout } from './types';

/**
 * A bulk payout run: every row is checked first and nothing is sent until all rows have been
 * checked; then the valid rows are paid with bounded concurrency, each exactly once. Output items
 * stay in input order, one per row. Without "Continue On Fail" a refused row stops the run before
 * any money moves, and a failing payment stops new rows from starting (those in flight finish) and
 * fails the node. For Create and Create and Process; the Validate dry run is previewPayouts.
 */
export async function runPayouts(
	ctx: IExecuteFunctions,
	requests: PayoutRequest[],
	options: PayoutRunOptions,
): Promise<INodeExecutionData[]> {
	const continueOnFail = ctx.continueOnFail();
	const { valid, problems, reserved, samePayee } = await checkRows(ctx, requests, options);
	const budget = options.budget;
	const reservedHere = new Set(reserved);
	/**
	 * A reservation of this call goes back only when nothing was sent or the platform definitely
	 * refused it.
	 */
	const release = (payout: ValidPayout) => {
		if (budget && reservedHere.delete(payout)) budget.release(payout);
	};

	// The approval is checked before anything else can stop or start the run, Continue On Fail or not:
	// a run that is not the approved one sends nothing at all.
	const approved = options.approval.approved;
	if (approved) {
		const own = approvalOf(valid, options.approval.scope, {
			samePayeeAllowed: options.allowSamePayee,
		});
		// A part is checked row by row against the approval's digests (it needs the manifest:
		// readPayoutRun stops a part given the code alone). With Retry Failed Rows a row's payout is its
		// attempt (`R~2`): named with its row too.
		const named = [...requests, ...valid];
		const mismatch =
			options.approval.coverage === 'part' && approved.manifest
				? compareApprovalPart(approved.manifest, own, named)
				: compareApproval(approved, own, named);
		// No itemIndex: the run stops as a whole, so with Continue On Fail every row gets this error as
		// its item.
		if (mismatch) {
			// Nothing is sent, so nothing of an agent's budget stays reserved for this call.
			valid.forEach(release);
			throw new NodeOperationError(ctx.getNode(), mismatch.message, {
				description: mismatch.description,
			});
		}
	}

	// One payee in several rows stops the whole run, Continue On Fail or not: which row is the extra
	// one is a person's call.
	if (samePayee.length > 0 && !options.allowSamePayee) {
		valid.forEach(release);
		const stop = samePayeeStop(samePayee);
		throw new NodeOperationError(ctx.getNode(), stop.message, { description: stop.description });
	}

	if (problems.length > 0 && !continueOnFail) {
		valid.forEach(release);
		const first = [...problems].sort((a, b) => a.itemIndex - b.itemIndex)[0];
		const others = problems.length - 1;
		throw new NodeOperationError(ctx.getNode(), problemMessage(first), {
			itemIndex: first.itemIndex,
			description:
				(first.pattern ? `The service's pattern for this field: ${first.pattern}. ` : '') +
				'Nothing was sent: every row is checked before any money moves.' +
				(others
					? ` ${others} other row${others > 1 ? 's have' : ' has'} problems too; run the ` +
						'Validate operation to list them all, or turn on "Continue On Fail" to pay the ' +
						'valid rows and get one error item per refused row.'
					: ''),
		});
	}

	// A row whose outcome is unknown is not a failure yet, nor is a process request refused with 429
	// (the invoice still in `created`): both are asked about again while the run goes on and after it
	// (payAndSettle), and only a row that ends in another error stops the run.
	const stopsRun = (result: RowResult) => result.error !== undefined && !isOpen(result);
	const results = await payAndSettle(
		ctx,
		valid,
		options,
		async (payout): Promise<RowResult> => {
			const progress = newRowProgress();
			try {
				return { item: await payOne(ctx, payout, options, progress), payout, progress };
			} catch (error) {
				// An unknown outcome keeps the amount spent (money may have moved); so does any error nobody
				// planned for. Only our own errors before any invoice was seen are the platform refusing the
				// create (a look-up by reference ID confirmed it where in doubt), and give the amount back.
				const refused =
					progress.invoiceSeen === undefined &&
					(error instanceof NodeApiError || error instanceof NodeOperationError) &&
					!isOutcomeUnknown(error);
				if (refused) release(payout);
				return { error, payout, progress };
			}
		},
		stopsRun,
	);
	// Rows that never started (the run stopped at a failure) sent nothing.
	valid.forEach((payout, position) => {
		if (!results[position]) release(payout);
	});

	throwFirstFailure(
		ctx,
		results.map((result, position) => ({ end: result, itemIndex: valid[position].itemIndex })),
	);

	// One item per input row, in input order: refused, paid, failed or not run.
	const byRow = new Map<number, INodeExecutionData>();
	for (const problem of problems) byRow.set(problem.itemIndex, problemItem(problem));
	results.forEach((result, position) => {
		const payout = valid[position];
		byRow.set(
			payout.itemIndex,
			rowOutput(result, payout.itemIndex, {
				...(payout.row !== undefined ? { row: payout.row } : {}),
				referenceId: payout.referenceId || null,
				...rateLimitedInvoiceState(result?.error),
				...(payout.attempt
					? { originalReferenceId: payout.attempt.original, attempt: payout.attempt.number }
					: {}),
			}),
		);
	});
	return requests.map((request) => byRow.get(request.itemIndex)!);
}
