import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { simplifyInvoice } from '../../helpers/invoice';
import { rowName } from '../../helpers/items';
import { isServiceId } from '../../helpers/locator';
import { approvalScopeOf, parseApprovedCode, type ApprovedCode } from '../../payouts/approvalCode';
import type { PayoutMode } from '../../payouts/payoutRun';
import { runPayouts } from '../../payouts/runPayouts';
import type { PayoutRequest } from '../../payouts/types';
import { environmentName } from '../../../shared/environment';
import { toNodeApiError } from '../../transport/errors';
import { credentialsFor } from '../../transport/request';
import { serviceCodesById } from '../../platform/services';
import type { OperationRun } from '../operation';
import { concurrencyFrom, readOptions, retryPolicyFrom, waitOptionsFrom } from '../runOptions';
import { agentBudgetOf, runsAsTool } from '../toolGuard';
import { ROWS_FROM_COLUMNS, ROWS_FROM_FIELDS } from './payout.description';
import { readColumnRequests } from './readColumnRequests';
import { readPayoutRequests, readSafetyLimits } from './readPayoutRequests';

/**
 * Rows may name their service by its `comcpos_…` ID (the service picker's By ID mode): the API
 * takes the code, so IDs are turned into codes with one read of the service list. An unknown ID
 * stays as it is and is refused by validation like an unknown code.
 */
async function withServiceCodes(
	ctx: IExecuteFunctions,
	requests: PayoutRequest[],
): Promise<PayoutRequest[]> {
	if (!requests.some((request) => isServiceId(request.service))) return requests;
	const codes = await serviceCodesById(ctx, (outcome) =>
		toNodeApiError(ctx.getNode(), outcome, { action: 'Reading the payout services' }),
	);
	return requests.map((request) =>
		isServiceId(request.service)
			? { ...request, service: codes.get(request.service) ?? request.service }
			: request,
	);
}

/**
 * A row that asks, through its extra fields JSON, for another mode than the credential's
 * Environment stops the whole run before anything is sent: test or live is the credential's to say,
 * and a row must not quietly change it.
 */
function refuseOtherMode(
	ctx: IExecuteFunctions,
	requests: PayoutRequest[],
	testMode: boolean,
): void {
	const other = requests.find(
		(request) => request.requestedTestMode !== undefined && request.requestedTestMode !== testMode,
	);
	if (!other) return;
	const environment = environmentName(testMode ? 'test' : 'live');
	throw new NodeOperationError(
		ctx.getNode(),
		`${rowName(other.itemIndex)}: the extra service fields JSON sets test_mode to ` +
			`${JSON.stringify(other.requestedTestMode)}, but the credential's Environment is ` +
			`${environment} (test_mode ${testMode}). Nothing was sent.`,
		{
			itemIndex: other.itemIndex,
			description:
				'Test or live is set by the credential’s Environment only. Remove test_mode from the ' +
				'extra fields JSON, or use a credential of the other Environment.',
		},
	);
}

/**
 * The "Approved Code" option of the pay operations, read before any request: a value that is not a
 * code stops the run here. Undefined when the option is not set (Validate never takes one).
 */
function readApprovedCode(
	ctx: IExecuteFunctions,
	options: IDataObject,
	mode: PayoutMode,
): ApprovedCode | undefined {
	if (mode === 'validate' || !('approvedCode' in options)) return undefined;
	const parsed = parseApprovedCode(options.approvedCode);
	if ('error' in parsed)
		throw new NodeOperationError(ctx.getNode(), parsed.error, {
			description:
				'Nothing was sent. Approved Code binds this run to the rows a person approved; remove the ' +
				'option to pay without an approval.',
		});
	return parsed;
}

/** Each input item as a payout, from the fields below or from the item's columns ("Rows From"). */
function readRows(ctx: IExecuteFunctions, items: INodeExecutionData[]): PayoutRequest[] {
	if (ctx.getNodeParameter('rowsFrom', 0, ROWS_FROM_FIELDS) !== ROWS_FROM_COLUMNS)
		return readPayoutRequests(ctx, items);
	// Not hidden for tools: a hidden Rows From would silently hide the fields too and refuse every row
	// for a missing reference ID. Said plainly instead.
	if (runsAsTool(ctx))
		throw new NodeOperationError(
			ctx.getNode(),
			'Rows From "Columns of Each Input Item" is not available to an AI agent',
			{
				description:
					'Nothing was sent. An agent gives its values through the fields ($fromAI): set Rows From ' +
					'to "Fields Below" for a tool.',
			},
		);
	return readColumnRequests(ctx, items);
}

/**
 * Create, Create and Process and Validate share one engine; they differ only in how far a row goes.
 */
export async function runPayoutOperation(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	mode: PayoutMode,
	run: OperationRun,
): Promise<INodeExecutionData[]> {
	const options = readOptions(ctx);
	const approved = readApprovedCode(ctx, options, mode);
	const limits = readSafetyLimits(ctx, options);
	// As an AI agent tool the limits are a budget for all of this node's calls in this execution.
	const budget = agentBudgetOf(ctx);
	const safetyLimits = budget ? budget.limitsFor(limits) : limits;
	const testMode = run.endpoints.testMode;
	// The API key keys the approval code; it stays out of the endpoints every request sees.
	const scope = approvalScopeOf(await credentialsFor(ctx));
	const requests = await withServiceCodes(ctx, readRows(ctx, items));
	refuseOtherMode(ctx, requests, testMode);
	const output = await runPayouts(ctx, requests, {
		mode,
		testMode,
		concurrency: concurrencyFrom(options),
		policy: retryPolicyFrom(options),
		wait: mode === 'createAndProcess' ? waitOptionsFrom(options) : undefined,
		safetyLimits,
		budget,
		includeRaw: options.includeRaw === true,
		approval: { scope, approved },
	});
	// Simplify shapes paid rows only: error items keep every detail, Validate has its own shape.
	const shaped =
		mode === 'validate' || ctx.getNodeParameter('simplify', 0, true) === false
			? output
			: output.map((item) =>
					item.json.error !== undefined ? item : { ...item, json: simplifyInvoice(item.json) },
				);
	// The model plans its next call with what is left, so every answer of the tool says it.
	if (budget) for (const item of shaped) item.json.budgetLeft = budget.left(safetyLimits);
	return shaped;
}
