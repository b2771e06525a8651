import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError, errorItem } from '../helpers/items';
import { endpointsFor } from '../transport/request';
import { assertToolMayRun } from './toolGuard';

import type { Operation } from './operation';
import * as payoutInvoice from './payoutInvoice/PayoutInvoice.resource';
import * as payoutService from './payoutService/PayoutService.resource';
import * as prerequest from './prerequest/Prerequest.resource';

/**
 * Every operation of every resource, from the resources' own tables (each beside its Operation
 * dropdown; test/node/operations.test.ts proves the two agree).
 */
export const operations = {
	payoutInvoice: payoutInvoice.operations,
	payoutService: payoutService.operations,
	prerequest: prerequest.operations,
} satisfies Record<string, Record<string, Operation>>;

export type PaymentsTrustResource = keyof typeof operations;
export type PaymentsTrustOperation<R extends PaymentsTrustResource = PaymentsTrustResource> =
	keyof (typeof operations)[R] & string;

const hasOwn = <T extends object>(object: T, key: string): key is Extract<keyof T, string> =>
	Object.prototype.hasOwnProperty.call(object, key);

/** The operation the node's parameters name, if the node has it. */
function operationFor(resource: string, operation: string): Operation | undefined {
	if (!hasOwn(operations, resource)) return undefined;
	const ofResource: Record<string, Operation> = operations[resource];
	return hasOwn(ofResource, operation) ? ofResource[operation] : undefined;
}

/**
 * Hands the whole batch of items to the chosen operation, after what every operation needs once:
 * the AI-tool guard, the credential's key check (endpointsFor), and afterwards the test-or-live
 * stamp on every output item. Operations take all items at once (see Operation).
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = operationFor(resource, operation);
	if (!handler) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of resource "${resource}" is not supported`,
		);
	}
	// Not inside the try: a refused tool call is never turned into error items, it stops before
	// anything runs.
	assertToolMayRun(this, operation);
	try {
		// Before any request of any operation: the keys must agree with the Environment, and the Private
		// API is found.
		const endpoints = await endpointsFor(this, { privateApi: resource !== 'prerequest' });
		const output = await handler.execute.call(this, items, { endpoints });
		// Every output item says its mode: the platform's own test_mode where it gave one, else the
		// credential's. The one place the run's mode is stamped.
		for (const item of output)
			if (item.json.testMode === undefined) item.json.testMode = endpoints.testMode;
		return [output];
	} catch (error) {
		// A failure before any row could run (credentials unreadable, service list unreachable) fails
		// every row.
		if (
			!this.continueOnFail() ||
			(error as { context?: { itemIndex?: number } }).context?.itemIndex !== undefined
		) {
			throw asNodeError(this.getNode(), error);
		}
		// errorItem keeps the description (what to do, e.g. check the API key) and the HTTP code.
		return [items.map((_item, itemIndex) => errorItem(error, itemIndex, { stage: 'node' }))];
	}
}
