import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readOptions } from './runOptions';

/** Operations that can move money: Create too, since the Auto Process invoice option pays on create. */
const MONEY_OPERATIONS = ['create', 'createAndProcess', 'process'];

/**
 * n8n runs a node given to an AI Agent as a copy of its type named `<name>Tool`
 * (`n8n-nodes-paymentstrust.paymentsTrustTool`); the `@tool` display option reads the same suffix.
 */
export function runsAsTool(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

/**
 * The AI tool guardrail: a model decides amounts and how often it calls, so a money-moving operation runs
 * as a tool only when the node bounds what one call may pay (a Run Safety Limit). Process has no amounts to
 * bound before it runs, so it is not offered to agents at all. Amounts and reference IDs a model supplies
 * then pass every row check like a sheet's.
 */
export function assertToolMayRun(ctx: IExecuteFunctions, operation: string): void {
	if (!runsAsTool(ctx) || !MONEY_OPERATIONS.includes(operation)) return;
	if (operation === 'process') {
		throw new NodeOperationError(ctx.getNode(), 'Process is not available to an AI agent', {
			description:
				'An agent could pay any invoice it names. Give the agent Create and Process with a Run Safety Limit instead, or run Process in a regular workflow.',
		});
	}
	const limits = (((readOptions(ctx).safetyLimits ?? {}) as { limit?: unknown[] }).limit ??
		[]) as unknown[];
	if (limits.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'This payout tool needs a Run Safety Limit', {
			description:
				'Used by an AI agent, an operation that moves money runs only when the node caps what one call may pay. Add Options → Run Safety Limits (a currency and a max total) to this node.',
		});
	}
}
