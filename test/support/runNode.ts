/**
 * Shorthands for the node's workflow tests: run one PaymentsTrust node (Start → rows → PaymentsTrust) against a
 * sandbox credential and read what came out.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { SandboxCredentials } from '../../sandbox';
import { runWorkflow, type WorkflowRunResult } from '../../harness/runWorkflow';
import { paymentsTrustWorkflow, PT_NODE } from './payoutWorkflow';

/** Node JSON that turns "Continue On Fail" on, as the editor's "On Error: Continue" writes it. */
export const CONTINUE_ON_FAIL: IDataObject = { onError: 'continueRegularOutput' };

export interface NodeRun {
	result: WorkflowRunResult;
	/** The node's output items (throws with the node's error if it failed). */
	items(): INodeExecutionData[];
	/** `json` of each output item. */
	json(): IDataObject[];
}

/** Credential data: the sandbox's as they are, or edited (`{ ...sandbox.credentials, apiKey: 'wrong' }`). */
export type CredentialData = SandboxCredentials | ICredentialDataDecryptedObject;

export async function runNode(
	credentials: CredentialData,
	parameters: IDataObject,
	rows: IDataObject[] = [{}],
	node: IDataObject = {},
): Promise<NodeRun> {
	const result = await runWorkflow({
		workflow: paymentsTrustWorkflow(parameters, rows, node),
		credentials: { paymentsTrustApi: credentials as ICredentialDataDecryptedObject },
	});
	return {
		result,
		items: () => result.outputOf(PT_NODE),
		json: () => result.outputOf(PT_NODE).map((item) => item.json),
	};
}

/** The error that stopped the run, as one string of message and description (for "does it say X" checks). */
export function failureText(result: WorkflowRunResult): string {
	const error = result.executionError ?? result.errorOf(PT_NODE);
	if (!error) throw new Error(`The run did not fail (status ${result.status})`);
	return `${error.message}\n${String(error.description ?? '')}`;
}

/**
 * With Continue On Fail a run that stops as a whole (an approval that does not match) comes out as error items
 * only, all saying the same: that message.
 */
export function stoppedWith(output: IDataObject[]): string {
	expect(output.length).toBeGreaterThan(0);
	for (const item of output) expect(item.error).toEqual(output[0].error);
	return String(output[0].error);
}
