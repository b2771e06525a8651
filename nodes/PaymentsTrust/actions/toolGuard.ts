import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { AgentBudget } from '../payouts/agentBudget';
import { BUDGET_WINDOWS, WindowBudget, type BudgetWindowKind } from '../payouts/budgetWindow';
import type { PayoutMode } from '../payouts/payoutRun';
import { readOptions } from './runOptions';

/**
 * Operations that can move money: Create too, since the Auto Process invoice option pays on create.
 */
const MONEY_OPERATIONS = ['create', 'createAndProcess', 'process'];
/** `$fromAI`, `$fromai`, `$fromAi`: n8n's ways of letting the model fill a parameter. */
const FROM_AI = /\$fromai\s*\(/i;

/**
 * n8n runs a node given to an AI Agent as a copy of its type named `<name>Tool`
 * (`n8n-nodes-paymentstrust.paymentsTrustTool`); the `@tool` display option reads the same suffix.
 */
export function runsAsTool(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

/**
 * The AI tool guardrail: a model decides amounts, currencies and how often it calls, so a
 * money-moving operation runs as a tool only when the node caps what the agent may pay (Run Safety
 * Limits, the tool's budget per currency for the whole execution: see AgentBudget). Process has no
 * amounts to bound before it runs, so it is not offered to agents at all. The limits themselves
 * must not come from the model. Messages are short and say what to do: the model reads them (the
 * description is for the person).
 */
export function assertToolMayRun(ctx: IExecuteFunctions, operation: string): void {
	if (!runsAsTool(ctx) || !MONEY_OPERATIONS.includes(operation)) return;
	if (operation === 'process') {
		throw new NodeOperationError(
			ctx.getNode(),
			'Process is not available to an AI agent: nothing was sent. Ask the user to process the ' +
				'invoice.',
			{
				description:
					'An agent could pay any invoice it names. Give the agent Create and Process with a Run ' +
					'Safety Limit instead, or run Process in a regular workflow.',
			},
		);
	}
	const parameters = ctx.getNode().parameters;
	const safetyLimits = (parameters.options as { safetyLimits?: unknown } | undefined)?.safetyLimits;
	// The window is part of the budget: a model that chose "This Execution" would reset its own cap.
	if (FROM_AI.test(JSON.stringify([safetyLimits ?? '', parameters.budgetWindow ?? '']))) {
		throw new NodeOperationError(
			ctx.getNode(),
			'This payout tool refuses to run: its budget (Run Safety Limits or Budget Window) would ' +
				'come from the AI model. Nothing was sent; tell the user.',
			{
				description:
					'The model must not set its own cap. Write the Run Safety Limits and the Budget Window ' +
					'as fixed values (or expressions that do not use $fromAI).',
			},
		);
	}
	const limits = (((readOptions(ctx).safetyLimits ?? {}) as { limit?: unknown[] }).limit ??
		[]) as unknown[];
	if (limits.length === 0) {
		throw new NodeOperationError(
			ctx.getNode(),
			'This payout tool needs a Run Safety Limit. Nothing was sent; tell the user that the ' +
				'workflow must set one.',
			{
				description:
					'Used by an AI agent, an operation that moves money runs only when the node caps what ' +
					'the agent may pay. Add Options → Run Safety Limits (a currency and a max total) to this ' +
					'node: they bound all calls of one execution together, per currency, and any other ' +
					'currency is refused.',
			},
		);
	}
}

/**
 * The budget of this tool node in this execution, or undefined when the node does not run as a
 * tool. Without an execution ID calls could not be added up, so a payout tool refuses to run.
 */
export function agentBudgetOf(ctx: IExecuteFunctions): AgentBudget | undefined {
	if (!runsAsTool(ctx)) return undefined;
	const executionId = ctx.getExecutionId();
	if (!executionId) {
		throw new NodeOperationError(
			ctx.getNode(),
			'This payout tool cannot keep its budget here: n8n gave no execution ID. Nothing was sent.',
		);
	}
	const node = ctx.getNode();
	return AgentBudget.of(executionId, node.id || node.name);
}

/**
 * The tool's budget over a time window (the Budget Window parameter), or undefined for a budget of
 * one execution. Every way the window could not apply as set stops the run before anything is
 * sent: a value that is not a window, a node that is not a tool (the parameter shows for tools
 * only), Create (a created invoice can be processed by others later, so no gate before a process
 * request would bound it). Validate sends nothing and needs no window.
 */
export function windowBudgetOf(
	ctx: IExecuteFunctions,
	mode: PayoutMode,
	limits: Map<string, bigint>,
	testMode: boolean,
): WindowBudget | undefined {
	const chosen = ctx.getNodeParameter('budgetWindow', 0, 'execution') as unknown;
	if (chosen === 'execution' || mode === 'validate') return undefined;
	const stop = (why: string) =>
		new NodeOperationError(ctx.getNode(), `Budget Window: ${why}. Nothing was sent.`, {
			description:
				'A Budget Window makes the Run Safety Limits of an AI agent tool hold across executions. ' +
				'It applies to Create and Process run as a tool; set it to "This Execution" otherwise.',
		});
	if (typeof chosen !== 'string' || !(BUDGET_WINDOWS as readonly string[]).includes(chosen))
		throw stop(`${JSON.stringify(chosen)} is not one of ${BUDGET_WINDOWS.join(', ')}`);
	if (!runsAsTool(ctx)) throw stop('it applies only when the node runs as an AI agent tool');
	if (mode !== 'createAndProcess') throw stop('it applies only to Create and Process');
	const workflowId = ctx.getWorkflow().id;
	if (!workflowId) throw stop('the workflow has no ID to keep its budget under; save it first');
	const node = ctx.getNode();
	const key = `${workflowId}/${node.id || node.name}`;
	return new WindowBudget(chosen as BudgetWindowKind, key, limits, testMode);
}
