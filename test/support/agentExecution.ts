/**
 * An AI agent's tool calls as n8n-core runs them: one execution in which the PaymentsTrust node, under its Tool
 * type, is run once per call (one "call" node feeding it per entry, as n8n's v1 execution order does), with the
 * tool's errors handed on as items (an agent reads a failed call and goes on).
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { PaymentsTrust } from '../../nodes/PaymentsTrust/PaymentsTrust.node';
import { runWorkflow, type WorkflowJson } from '../../harness/runWorkflow';
import { PT_NODE } from './payoutWorkflow';
import { CONTINUE_ON_FAIL } from './runNode';

export const TOOL_TYPE = 'n8n-nodes-paymentstrust.paymentsTrustTool';

/** The node as n8n's tool wrapper loads it: the same class under the `…Tool` name. */
export function asTool(): PaymentsTrust {
	const node = new PaymentsTrust();
	node.description = { ...node.description, name: `${node.description.name}Tool` };
	return node;
}

/**
 * One execution in which the tool node is called once per entry of `calls` (each entry: the rows of that
 * call, the stand-in for what the model asked), in order.
 */
export function agentExecution(parameters: IDataObject, calls: IDataObject[][]): WorkflowJson {
	const callNodes = calls.map((rows, index) => ({
		name: `Call ${index + 1}`,
		type: 'test.items',
		typeVersion: 1,
		position: [200, index * 200] as [number, number],
		parameters: { items: JSON.stringify(rows) },
	}));
	return {
		nodes: [
			{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
			...callNodes,
			{
				name: PT_NODE,
				type: TOOL_TYPE,
				typeVersion: 1,
				position: [400, 0],
				parameters,
				credentials: { paymentsTrustApi: { id: '1', name: 'PaymentsTrust sandbox' } },
				...CONTINUE_ON_FAIL,
			},
		],
		connections: {
			Start: { main: [callNodes.map((call) => ({ node: call.name, type: 'main', index: 0 }))] },
			...Object.fromEntries(
				callNodes.map((call) => [
					call.name,
					{ main: [[{ node: PT_NODE, type: 'main', index: 0 }]] },
				]),
			),
		},
	} as WorkflowJson;
}

/** Runs the execution; every call's answer (its first item), in call order. */
export async function runAgentCalls(
	credentials: ICredentialDataDecryptedObject,
	parameters: IDataObject,
	calls: IDataObject[][],
): Promise<IDataObject[]> {
	const result = await runWorkflow({
		workflow: agentExecution(parameters, calls),
		credentials: { paymentsTrustApi: credentials },
		nodeTypes: { [TOOL_TYPE]: asTool() },
	});
	const runs = result.runData[PT_NODE] ?? [];
	if (runs.length !== calls.length)
		throw new Error(`The tool ran ${runs.length} times for ${calls.length} calls`);
	return runs.map((_run, index) => result.outputOf(PT_NODE, 0, index)[0].json);
}
