/**
 * An AI agent's tool calls, as n8n runs them, without a model: one execution in which the PaymentsTrust node runs
 * under its Tool type once per "call" node feeding it (n8n's v1 execution order), its errors handed on as items
 * (an agent reads a failed call and goes on). Each `runAgent` is one execution: one webhook call, one chat message.
 */
import type { IDataObject } from 'n8n-workflow';

import { PaymentsTrust } from '../../nodes/PaymentsTrust/PaymentsTrust.node';
import { runWorkflow, type WorkflowJson } from '../../harness/runWorkflow';
import type { SandboxCredentials } from '../../sandbox';
import { PT_NODE } from './payoutWorkflow';
import { CONTINUE_ON_FAIL } from './runNode';

export const TOOL_TYPE = 'n8n-nodes-paymentstrust.paymentsTrustTool';
/** The tool node's ID: a windowed budget is kept per workflow and node (`<workflow id>/<node id>`). */
export const TOOL_NODE_ID = 'pay-out-tool';

export function asTool(): PaymentsTrust {
	const node = new PaymentsTrust();
	node.description = { ...node.description, name: `${node.description.name}Tool` };
	return node;
}

/**
 * One execution in which the tool node is called once per entry of `calls` (each entry: the rows of that call,
 * the stand-in for what the model asked), in order. `workflowId` names the workflow (a windowed budget is kept
 * per workflow and node).
 */
export function agentExecution(
	parameters: IDataObject,
	calls: IDataObject[][],
	workflowId?: string,
): WorkflowJson {
	const callNodes = calls.map((rows, index) => ({
		name: `Call ${index + 1}`,
		type: 'test.items',
		typeVersion: 1,
		position: [200, index * 200] as [number, number],
		parameters: { items: JSON.stringify(rows) },
	}));
	return {
		...(workflowId ? { id: workflowId } : {}),
		nodes: [
			{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
			...callNodes,
			{
				id: TOOL_NODE_ID,
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

/** Runs one execution; every call's answer (its first item), in call order. */
export async function runAgent(
	credentials: SandboxCredentials & { baseUrl: string },
	parameters: IDataObject,
	calls: IDataObject[][],
	workflowId?: string,
): Promise<IDataObject[]> {
	const result = await runWorkflow({
		workflow: agentExecution(parameters, calls, workflowId),
		credentials: { paymentsTrustApi: credentials },
		nodeTypes: { [TOOL_TYPE]: asTool() },
	});
	const runs = result.runData[PT_NODE] ?? [];
	expect(runs).toHaveLength(calls.length);
	return runs.map((_run, index) => result.outputOf(PT_NODE, 0, index)[0].json);
}
