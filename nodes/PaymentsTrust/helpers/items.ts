import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { maskCardNumbersDeep, maskCardNumbersIn } from '../../shared/redact';

interface ErrorLike {
	message?: string;
	description?: string | null;
	httpCode?: string | null;
	context?: IDataObject;
}

/**
 * Masks card numbers in a message but leaves the row's own reference ID readable: a numeric order
 * number of 13–19 digits would otherwise be masked in the very message that tells the user to look
 * it up.
 */
function maskKeepingReference(message: string, referenceId: unknown): string {
	if (typeof referenceId !== 'string' || referenceId === '') return maskCardNumbersIn(message);
	return message.split(referenceId).map(maskCardNumbersIn).join(referenceId);
}

/**
 * How every message names a row: its place in the sheet (1-based, as the `row` field of every item
 * and as a person counts data rows) beside n8n's own item number (0-based, as in the "[item 0]"
 * n8n adds to an error and in the input panel), so the two never seem to disagree:
 * `Row 1 (item 0, reference ID "pay-1")`. `row` is the sheet's own row number when the run knows it
 * (Column Names → Row Number Column): a chunk of a sheet then names the row as the sheet does, not
 * by its place in the chunk. `inSentence` starts it with a small "row".
 */
export function rowName(
	itemIndex: number,
	how: { referenceId?: string; inSentence?: boolean; row?: number } = {},
): string {
	const reference = how.referenceId ? `, reference ID "${how.referenceId}"` : '';
	const row = how.row ?? itemIndex + 1;
	return `${how.inSentence ? 'row' : 'Row'} ${row} (item ${itemIndex}${reference})`;
}

/** The stage an error of ours names in its context (`outcome_unknown`, `process_rate_limited`). */
export function stageOf(error: unknown): unknown {
	return (error as { context?: { stage?: unknown } } | undefined)?.context?.stage;
}

/**
 * The item a failed row becomes when "Continue On Fail" is on: it names the row (1-based, as in a
 * spreadsheet), the reference ID, the stage that failed and, for a refused row, the field and the
 * rule.
 */
export function errorItem(
	error: unknown,
	itemIndex: number,
	details: IDataObject = {},
): INodeExecutionData {
	const { message, description, httpCode, context } = (error ?? {}) as ErrorLike;
	const json: IDataObject = {
		error: maskKeepingReference(String(message ?? error), details.referenceId),
		row: itemIndex + 1,
		...details,
	};
	if (context?.stage && json.stage === undefined) json.stage = context.stage;
	if (json.stage === undefined) json.stage = httpCode ? 'api' : 'node';
	if (httpCode) json.httpCode = httpCode;
	if (description) json.description = maskCardNumbersIn(String(description));
	return { json, pairedItem: { item: itemIndex } };
}

/**
 * The error as n8n expects a node to throw it: our own NodeApiError/NodeOperationError as they are,
 * anything else wrapped.
 */
export function asNodeError(
	node: INode,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error as Error, { itemIndex });
}

/**
 * Runs a read-only operation item by item. With "Continue On Fail" a failing item becomes an error
 * item and the others go on; without it the first failure stops the node, as everywhere in n8n.
 */
export async function forEachItem(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	run: (itemIndex: number) => Promise<IDataObject | IDataObject[]>,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await run(itemIndex);
			for (const json of Array.isArray(result) ? result : [result]) {
				output.push({ json: maskCardNumbersDeep(json), pairedItem: { item: itemIndex } });
			}
		} catch (error) {
			if (!ctx.continueOnFail()) throw asNodeError(ctx.getNode(), error, itemIndex);
			output.push(errorItem(error, itemIndex));
		}
	}
	return output;
}
