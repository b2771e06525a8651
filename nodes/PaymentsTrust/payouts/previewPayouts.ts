import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { maskCardNumber, isCardField } from '../../shared/redact';
import { approvalOf } from './approvalCode';
import { attemptCounts, attemptPreview } from './attempts';
import { checkRows, problemItem } from './checkRows';
import { costFields, costOf, runSummary, type RowCost } from './costPreview';
import type { PayoutRunOptions } from './payoutRun';
import type { PayoutRequest, ValidPayout } from './types';

function maskedFields(fields: IDataObject): IDataObject {
	const masked: IDataObject = {};
	for (const [key, value] of Object.entries(fields)) {
		masked[key] = isCardField(key) && typeof value === 'string' ? maskCardNumber(value) : value;
	}
	return masked;
}

function validatedItem(payout: ValidPayout, cost: RowCost, testMode: boolean): INodeExecutionData {
	return {
		json: {
			valid: true,
			// Which environment the run would pay in: the mode every invoice of this run is created in.
			environment: testMode ? 'test' : 'live',
			testMode,
			row: payout.row ?? payout.itemIndex + 1,
			referenceId: payout.referenceId,
			service: payout.service,
			currency: payout.currency,
			amount: payout.amountText,
			...costFields(cost),
			fields: maskedFields(payout.fields),
			...(payout.attempt ? attemptPreview(payout.attempt) : {}),
		},
		pairedItem: { item: payout.itemIndex },
	};
}

/**
 * The Validate dry run: every row is checked as a paying run checks it, and nothing is sent. One
 * item per input row, in input order, with "valid" true or false and the row's cost; the first
 * item also carries the run's summary: totals and the approval.
 */
export async function previewPayouts(
	ctx: IExecuteFunctions,
	requests: PayoutRequest[],
	options: PayoutRunOptions,
): Promise<INodeExecutionData[]> {
	const { valid, problems, rulesByCode, samePayee } = await checkRows(ctx, requests, options);
	// A cost preview: each valid row's fee and what its recipient gets, and the run's totals.
	const costs = valid.map((payout) => costOf(payout, rulesByCode.get(payout.service)));
	const summary = {
		...runSummary(costs, requests.length),
		approval: approvalOf(valid, options.approval.scope, {
			samePayeeAllowed: options.allowSamePayee,
		}),
		// One payee in several rows: a paying run stops on it unless the option allows it (payee.ts).
		samePayee: { allowed: options.allowSamePayee, groups: samePayee },
		...(options.retry ? { attempts: attemptCounts(valid) } : {}),
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
	// The run's summary (with the approval, one line per row) on the first item only: n8n's Table view
	// shows a nested object open, so on every item it made each row a screen tall (issue 30). Every
	// consumer reads it as `$('Validate').first().json.summary`; an extra summary item would break the
	// one item per row that Merge and sheet updates rely on.
	return requests.map((request, position) => {
		const item = byRow.get(request.itemIndex)!;
		return position === 0 ? { ...item, json: { ...item.json, summary } } : item;
	});
}
