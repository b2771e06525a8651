/**
 * Calls a node's loadOptions / resourceMapping methods the way the n8n editor backend does
 * (`DynamicNodeParametersService` in packages/cli): a one-node temporary workflow holding the node's current
 * parameters and credentials, `additionalData.currentNodeParameters` set, and n8n-core's real
 * `LoadOptionsContext`. Requests therefore go through n8n's request helpers and the harness credentials helper,
 * exactly as in a workflow run.
 */
import { LoadOptionsContext } from 'n8n-core';
import { Workflow } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	INode,
	INodeParameters,
	INodePropertyOptions,
	INodeType,
	ResourceMapperFields,
} from 'n8n-workflow';

import { createAdditionalData } from '../harness/additionalData';
import { HarnessCredentialTypes } from '../harness/credentialTypes';
import { HarnessCredentialsHelper } from '../harness/credentialsHelper';
import { createNodeTypes } from '../harness/nodeTypes';
import { PT_TYPE } from './payoutWorkflow';

export interface LoadOptionsCall {
	/** Method name under `methods.loadOptions` or `methods.resourceMapping`. */
	method: string;
	/** The node's current parameters, as the editor sends them. */
	parameters?: INodeParameters;
	/** Data of the `paymentsTrustApi` credential. */
	credentials: ICredentialDataDecryptedObject;
	/** Parameter path the editor asks for (`parameters.service`); only `&` relative look-ups use it. */
	path?: string;
	nodeType?: string;
}

function contextFor(call: LoadOptionsCall): { context: LoadOptionsContext; nodeType: INodeType } {
	const typeName = call.nodeType ?? PT_TYPE;
	const nodeTypes = createNodeTypes();
	const nodeType = nodeTypes.getByNameAndVersion(typeName, 1);
	const node: INode = {
		id: 'load-options-node',
		name: 'PaymentsTrust',
		type: typeName,
		typeVersion: 1,
		position: [0, 0],
		parameters: call.parameters ?? {},
		credentials: { paymentsTrustApi: { id: '1', name: 'PaymentsTrust sandbox' } },
	};
	// Like n8n, the Workflow fills in the node's parameter defaults.
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const credentialsHelper = new HarnessCredentialsHelper(new HarnessCredentialTypes(), {
		paymentsTrustApi: call.credentials,
	});
	const additionalData = createAdditionalData({ credentialsHelper, currentNodeParameters: call.parameters ?? {} });
	const context = new LoadOptionsContext(workflow, workflow.getNode(node.name)!, additionalData, call.path ?? 'parameters');
	return { context, nodeType };
}

export async function callLoadOptions(call: LoadOptionsCall): Promise<INodePropertyOptions[]> {
	const { context, nodeType } = contextFor(call);
	const method = nodeType.methods?.loadOptions?.[call.method];
	if (!method) throw new Error(`The node has no loadOptions method "${call.method}"`);
	return await method.call(context);
}

export async function callResourceMapper(call: LoadOptionsCall): Promise<ResourceMapperFields> {
	const { context, nodeType } = contextFor(call);
	const method = nodeType.methods?.resourceMapping?.[call.method];
	if (!method) throw new Error(`The node has no resourceMapping method "${call.method}"`);
	return await method.call(context);
}
