/** Shared by the trigger's HTTP tests: a minimal workflow around the trigger, and signing by the documented recipe. */
import { createHash } from 'crypto';
import type { INodeParameters } from 'n8n-workflow';

import type { WorkflowJson } from '../../harness/runWorkflow';

export const TRIGGER = 'PaymentsTrust Trigger';

/** PaymentsTrust Trigger → No Operation, with the credential; `parameters` are the trigger's. */
export function triggerWorkflow(
	parameters: INodeParameters = {},
	webhookId = '0b3e3a5e-1d0c-4b6f-9a53-7a1d2b8c9e01',
): WorkflowJson {
	return {
		nodes: [
			{
				name: TRIGGER,
				type: 'n8n-nodes-paymentstrust.paymentsTrustTrigger',
				typeVersion: 1,
				webhookId,
				parameters,
				credentials: { paymentsTrustApi: { id: '1', name: 'PaymentsTrust' } },
			},
			{ name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
		],
		connections: { [TRIGGER]: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
	};
}

/**
 * X-Signature computed here from docs/platform.md#callbacks (base64 of the raw SHA-1 digest), not with the node's
 * own helper.
 */
export function sign(body: string, secret: string): string {
	return createHash('sha1').update(`${secret}${body}${secret}`, 'utf8').digest('base64');
}
