import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { rowName } from '../../helpers/items';
import type { AgentBudget } from '../../payouts/agentBudget';
import { approvalScopeOf, parseApprovedCode, type ApprovedCode } from '../../payouts/approvalCode';
import { APPROVAL_COVERAGES, type ApprovalCoverage } from '../../payouts/approvalPart';
import type { PayoutMode, PayoutRunOptions } from '../../payouts/payoutRun';
import type { PayoutRequest } from '../../payouts/types';
import { parseSafetyLimits, type SafetyLimitEntry } from '../../payouts/validateRows';
import { environmentName } from '../../../shared/environment';
import { credentialsFor } from '../../transport/request';
import type { OperationRun } from '../operation';
import {
	concurrencyFrom,
	readOptions,
	retryFrom,
	retryPolicyFrom,
	waitOptionsFrom,
} from '../runOptions';
import { agentBudgetOf, windowBudgetOf } from '../toolGuard';
import { readRows } from './rowReaders/readRows';
import { withProcessing } from './withProcessing';

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
 * The "Approved Code" option of the pay operations and its scope, read before any request: a value
 * that is not a code, a scope without a code, or a part of a run given the code alone stops the run
 * here. No code when the option is not set (Validate never takes one).
 */
function readApprovedCode(
	ctx: IExecuteFunctions,
	options: IDataObject,
	mode: PayoutMode,
): { approved?: ApprovedCode; coverage: ApprovalCoverage } {
	if (mode === 'validate') return { coverage: 'run' };
	const stop = (message: string, description: string) =>
		new NodeOperationError(ctx.getNode(), message, {
			description: `Nothing was sent. ${description}`,
		});
	const coverage = (options.approvalScope ?? 'run') as ApprovalCoverage;
	if (!APPROVAL_COVERAGES.includes(coverage))
		throw stop(
			`Option "Approved Code Scope" must be "This Run Exactly" or "A Part of the Approved Run ` +
				`(Chunk)", not ${String(JSON.stringify(options.approvalScope)).slice(0, 40)}`,
			'Pick one of the two.',
		);
	if (!('approvedCode' in options)) {
		if ('approvalScope' in options)
			throw stop(
				'Option "Approved Code Scope" is set but Approved Code is not',
				'The scope says what Approved Code is checked against; add Approved Code, or remove ' +
					'the scope.',
			);
		return { coverage };
	}
	const parsed = parseApprovedCode(options.approvedCode);
	if ('error' in parsed)
		throw stop(
			parsed.error,
			'Approved Code binds this run to the rows a person approved; remove the option to pay ' +
				'without an approval.',
		);
	if (coverage === 'part' && !parsed.manifest)
		throw stop(
			`Approved Code Scope "A Part of the Approved Run (Chunk)" checks each row against the ` +
				`approval's per-row digests: give the approval object, not the code ${parsed.code} alone`,
			"Give Validate's summary.approval through an expression, e.g. " +
				"{{ $('Validate').first().json.summary.approval }}, or the approval a parent workflow " +
				'sent with the chunk.',
		);
	return { approved: parsed, coverage };
}

/**
 * "Run Safety Limits" as exact minor units per currency. A limit that cannot apply as written stops
 * the node.
 */
export function readSafetyLimits(
	ctx: IExecuteFunctions,
	options: IDataObject,
): Map<string, bigint> {
	return limitsOrStop(
		ctx,
		parseSafetyLimits(
			(((options.safetyLimits ?? {}) as IDataObject).limit ?? []) as SafetyLimitEntry[],
		),
	);
}

/** "Run Safety Limits per Payee" as exact minor units per currency, checked like the run limits. */
function readPayeeLimits(ctx: IExecuteFunctions, options: IDataObject): Map<string, bigint> {
	return limitsOrStop(
		ctx,
		parseSafetyLimits(
			(((options.payeeLimits ?? {}) as IDataObject).limit ?? []) as SafetyLimitEntry[],
			{ label: 'Per-payee safety limit', amount: 'maxPerPayee', amountLabel: 'max per payee' },
		),
	);
}

/**
 * "Allow Same Payee in Several Rows": true or false only. Anything else (an expression that gave
 * "yes") stops the run: the option decides whether a payee may be paid twice.
 */
function readAllowSamePayee(ctx: IExecuteFunctions, options: IDataObject): boolean {
	const value = options.allowSamePayee;
	if (value === undefined || value === null || typeof value === 'boolean') return value === true;
	throw new NodeOperationError(
		ctx.getNode(),
		`Option "Allow Same Payee in Several Rows" must be true or false, not ` +
			`${JSON.stringify(value)?.slice(0, 40) ?? typeof value}`,
		{ description: 'Nothing was sent: every run option is checked before the first request.' },
	);
}

function limitsOrStop(
	ctx: IExecuteFunctions,
	parsed: { limits: Map<string, bigint> } | { error: string },
): Map<string, bigint> {
	if ('error' in parsed) {
		throw new NodeOperationError(ctx.getNode(), parsed.error, {
			description: 'Nothing was sent: safety limits are checked before any money moves.',
		});
	}
	return parsed.limits;
}

/** A paying or validating run as read from the node before anything is sent. */
export interface PayoutRun {
	requests: PayoutRequest[];
	options: PayoutRunOptions;
	/** Set when the node runs as an AI agent tool: the budget all its calls share. */
	budget?: AgentBudget;
}

/**
 * What Create, Create and Process and Validate read before the first request: the options (a value
 * that cannot apply stops the run here), the approved code, the safety limits (as an agent tool, a
 * budget for all of this node's calls in this execution), and every row; a row asking for the other
 * mode than the credential's stops the run.
 */
export async function readPayoutRun(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	mode: PayoutMode,
	run: OperationRun,
): Promise<PayoutRun> {
	const options = readOptions(ctx);
	const { approved, coverage } = readApprovedCode(ctx, options, mode);
	const limits = readSafetyLimits(ctx, options);
	const payeeLimits = readPayeeLimits(ctx, options);
	const allowSamePayee = readAllowSamePayee(ctx, options);
	const retry = retryFrom(options, mode);
	if ('error' in retry)
		throw new NodeOperationError(ctx.getNode(), retry.error, {
			description: 'Nothing was sent: every run option is checked before the first request.',
		});
	// As an AI agent tool the limits are a budget for all of this node's calls in this execution.
	const budget = agentBudgetOf(ctx);
	const safetyLimits = budget ? budget.limitsFor(limits) : limits;
	const testMode = run.endpoints.testMode;
	// With a Budget Window they bound every payout of this tool in that window, across executions.
	const windowBudget = windowBudgetOf(ctx, mode, safetyLimits, testMode);
	// The API key keys the approval code; it stays out of the endpoints every request sees.
	const scope = approvalScopeOf(await credentialsFor(ctx));
	const requests = withProcessing(ctx, await readRows(ctx, items), mode);
	refuseOtherMode(ctx, requests, testMode);
	return {
		requests,
		budget,
		options: {
			mode,
			testMode,
			concurrency: concurrencyFrom(options),
			policy: retryPolicyFrom(options),
			wait: mode === 'createAndProcess' ? waitOptionsFrom(options) : undefined,
			safetyLimits,
			payeeLimits,
			allowSamePayee,
			budget,
			windowBudget,
			includeRaw: options.includeRaw === true,
			approval: { scope, approved, coverage },
			...retry,
		},
	};
}

/**
 * The model plans its next call with what is left, so every answer of the tool says it (and, with a
 * Budget Window, which window that is and when it ends).
 */
export function withBudgetLeft(
	output: INodeExecutionData[],
	{ budget, options }: PayoutRun,
): INodeExecutionData[] {
	if (!budget) return output;
	const executionLeft = budget.left(options.safetyLimits);
	const windowBudget = options.windowBudget;
	for (const item of output) {
		item.json.budgetLeft = windowBudget ? windowBudget.left(executionLeft) : executionLeft;
		const window = windowBudget?.describe();
		if (window) item.json.budgetWindow = window;
	}
	return output;
}
