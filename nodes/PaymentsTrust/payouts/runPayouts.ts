import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { errorItem } from '../helpers/items';
import { maskCardNumber, isCardField } from '../helpers/redact';
import { rowOutput, runRows, throwFirstFailure } from '../helpers/rowRunner';
import { approvalOf, compareApproval } from './approvalCode';
import { isOutcomeUnknown } from '../platform/invoiceLookup';
import { payOne } from './payOne';
import { newRowProgress, type PayoutRunOptions, type RowProgress } from './payoutRun';
import { settleUnknownRows } from './settleUnknown';
import { costFields, costOf, runSummary, type RowCost } from './costPreview';
import { ServiceCatalogue, type ServiceRules } from '../platform/serviceCatalogue';
import { problemMessage, type PayoutRequest, type RowProblem, type ValidPayout } from './types';
import { applySafetyLimits, validatePayout } from './validateRows';

/** One paid row's end: its item, or the error it ended with, and how far it got. */
interface RowResult {
	item?: INodeExecutionData;
	error?: unknown;
	payout: ValidPayout;
	progress: RowProgress;
}

function maskedFields(fields: IDataObject): IDataObject {
	const masked: IDataObject = {};
	for (const [key, value] of Object.entries(fields)) {
		masked[key] = isCardField(key) && typeof value === 'string' ? maskCardNumber(value) : value;
	}
	return masked;
}

function problemItem(problem: RowProblem): INodeExecutionData {
	return errorItem({ message: problemMessage(problem) }, problem.itemIndex, {
		referenceId: problem.referenceId || null,
		stage: problem.stage,
		field: problem.field,
		rule: problem.rule,
		...(problem.pattern ? { pattern: problem.pattern } : {}),
	});
}

/** Checks every row against the account's services and the run's safety limits; sends nothing. */
async function checkRows(
	ctx: IExecuteFunctions,
	requests: PayoutRequest[],
	options: PayoutRunOptions,
): Promise<{
	valid: ValidPayout[];
	problems: RowProblem[];
	rulesByCode: Map<string, ServiceRules | undefined>;
	reserved: ValidPayout[];
}> {
	const catalogue = new ServiceCatalogue(ctx, options.policy);
	const codes = [...new Set(requests.map((request) => request.service).filter(Boolean))];
	const rulesByCode = new Map(
		await Promise.all(codes.map(async (code) => [code, await catalogue.rulesFor(code)] as const)),
	);
	const references = new Set<string>();
	const valid: ValidPayout[] = [];
	const problems: RowProblem[] = [];
	for (const request of requests) {
		const result = validatePayout(request, rulesByCode.get(request.service), references);
		if ('rule' in result) problems.push(result);
		else valid.push(result);
	}
	// No await between the check and the reservation: an overlapping call of the same tool sees it.
	const { allowed, stopped, reserved } =
		options.budget && options.mode !== 'validate'
			? options.budget.reserve(valid, options.safetyLimits)
			: {
					...applySafetyLimits(valid, options.safetyLimits, options.budget?.spentSoFar()),
					reserved: [],
				};
	return { valid: allowed, problems: [...problems, ...stopped], rulesByCode, reserved };
}

function validatedItem(payout: ValidPayout, cost: RowCost, testMode: boolean): INodeExecutionData {
	return {
		json: {
			valid: true,
			// Which environment the run would pay in: the mode every invoice of this run is created in.
			environment: testMode ? 'test' : 'live',
			testMode,
			row: payout.itemIndex + 1,
			referenceId: payout.referenceId,
			service: payout.service,
			currency: payout.currency,
			amount: payout.amountText,
			...costFields(cost),
			fields: maskedFields(payout.fields),
		},
		pairedItem: { item: payout.itemIndex },
	};
}

/**
 * A bulk payout run: every row is checked first and nothing is sent until all rows have been
 * checked; then the valid rows are paid with bounded concurrency, each exactly once. Output items
 * stay in input order, one per row. Without "Continue On Fail" a refused row stops the run before
 * any money moves, and a failing payment stops new rows from starting (those in flight finish) and
 * fails the node.
 */
export async function runPayouts(
	ctx: IExecuteFunctions,
	requests: PayoutRequest[],
	options: PayoutRunOptions,
): Promise<INodeExecutionData[]> {
	const continueOnFail = ctx.continueOnFail();
	const { valid, problems, rulesByCode, reserved } = await checkRows(ctx, requests, options);
	const budget = options.budget;
	const reservedHere = new Set(reserved);
	/**
	 * A reservation of this call goes back only when nothing was sent or the platform definitely
	 * refused it.
	 */
	const release = (payout: ValidPayout) => {
		if (budget && reservedHere.delete(payout)) budget.release(payout);
	};

	if (options.mode === 'validate') {
		// A cost preview: each valid row's fee and what its recipient gets, and on every item the run's
		// totals.
		const costs = valid.map((payout) => costOf(payout, rulesByCode.get(payout.service)));
		// One summary object shared by every item: n8n stores shared objects once (flatted), so the
		// per-reference digests of the approval do not grow with rows × rows.
		const summary = {
			...runSummary(costs, requests.length),
			approval: approvalOf(valid, options.approval.scope),
		};
		const byRow = new Map<number, INodeExecutionData>();
		valid.forEach((payout, position) =>
			byRow.set(payout.itemIndex, validatedItem(payout, costs[position], options.testMode)),
		);
		for (const problem of problems) {
			const item = problemItem(problem);
			item.json.valid = false;
			item.json.environment = options.testMode ? 'test' : 'live';
			byRow.set(problem.itemIndex, item);
		}
		return requests.map((request) => {
			const item = byRow.get(request.itemIndex)!;
			return { ...item, json: { ...item.json, summary } };
		});
	}

	// The approval is checked before anything else can stop or start the run, Continue On Fail or not:
	// a run that is not the approved one sends nothing at all.
	const approved = options.approval.approved;
	if (approved) {
		const own = approvalOf(valid, options.approval.scope);
		const mismatch = compareApproval(approved, own, requests);
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

	// A row whose outcome is unknown is not a failure yet: it is asked about again once the other rows
	// are done.
	const stopsRun = (result: RowResult) =>
		result.error !== undefined && !isOutcomeUnknown(result.error);
	const results = await runRows(
		ctx,
		valid,
		options.concurrency,
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
	const failed = results.some((result) => result !== undefined && stopsRun(result));
	// Rows that never started (the run stopped at a failure) sent nothing.
	valid.forEach((payout, position) => {
		if (!results[position]) release(payout);
	});

	// Without Continue On Fail a failed row stops the run as it always did; otherwise unknown rows are
	// settled.
	if (!failed || continueOnFail) {
		const unknown = results.flatMap((result) =>
			result && result.item === undefined && isOutcomeUnknown(result.error) ? [result] : [],
		);
		const settled = await settleUnknownRows(ctx, unknown, options);
		unknown.forEach((result, position) => {
			result.item = settled[position].item;
			result.error = settled[position].error;
		});
	}

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
			rowOutput(result, payout.itemIndex, { referenceId: payout.referenceId || null }),
		);
	});
	return requests.map((request) => byRow.get(request.itemIndex)!);
}
