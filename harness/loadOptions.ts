/**
 * Calls a node's dynamic-parameter methods (`methods.loadOptions`, `methods.listSearch`,
 * `methods.resourceMapping`) the way the n8n editor's backend does (`DynamicNodeParametersService`): a
 * one-node workflow holding the current parameters and credentials, an n8n-core `LoadOptionsContext`, and
 * `additionalData.currentNodeParameters` set so `getCurrentNodeParameter()` sees what the user typed.
 */
import { LoadOptionsContext } from 'n8n-core';
import { Workflow } from 'n8n-workflow';
import type {
	ICredentialType,
	INode,
	INodeCredentials,
	INodeListSearchResult,
	INodeParameters,
	INodePropertyOptions,
	ResourceMapperFields,
} from 'n8n-workflow';

import { createAdditionalData } from './additionalData';
import { HarnessCredentialTypes } from './credentialTypes';
import { HarnessCredentialsHelper } from './credentialsHelper';
import type { CredentialsByType } from './credentialsHelper';
import { resolveNodeTypes } from './runWorkflow';
import type { RunWorkflowOptions } from './runWorkflow';

export interface LoadOptionsCallOptions {
	/** Full node type name, e.g. 'n8n-nodes-paymentstrust.paymentsTrust'. */
	nodeType: string;
	typeVersion?: number;
	/** The node's current parameters (what the user has filled in so far). */
	parameters?: INodeParameters;
	/** Credential data by type name; the node gets a reference `{ id: '1', name: … }` for each. */
	credentials?: CredentialsByType;
	credentialTypes?: ICredentialType[];
	nodeTypes?: RunWorkflowOptions['nodeTypes'];
	/** Path of the parameter asking for options, e.g. 'parameters.serviceId' (used by `&sibling` lookups). */
	path?: string;
}

type Kind = 'loadOptions' | 'listSearch' | 'resourceMapping';

function buildContext(kind: Kind, method: string, options: LoadOptionsCallOptions) {
	const nodeTypes = resolveNodeTypes(options.nodeTypes);
	const nodeType = nodeTypes.getByNameAndVersion(options.nodeType, options.typeVersion);
	const fn = (nodeType.methods?.[kind] as Record<string, Function> | undefined)?.[method];
	if (typeof fn !== 'function') {
		const known = Object.keys(nodeType.methods?.[kind] ?? {}).join(', ') || 'none';
		throw new Error(`${options.nodeType} has no methods.${kind}.${method} (has: ${known})`);
	}

	const nodeCredentials: INodeCredentials = {};
	Object.keys(options.credentials ?? {}).forEach((type, index) => {
		nodeCredentials[type] = { id: String(index + 1), name: `${type} account` };
	});
	const node: INode = {
		id: 'load-options-node',
		name: 'Temp-Node',
		type: options.nodeType,
		typeVersion:
			options.typeVersion ?? Math.max(...([] as number[]).concat(nodeType.description.version)),
		position: [0, 0],
		parameters: { ...(options.parameters ?? {}) },
		credentials: nodeCredentials,
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const credentialsHelper = new HarnessCredentialsHelper(
		new HarnessCredentialTypes(options.credentialTypes),
		{ ...options.credentials },
	);
	// The editor sends the node's parameters with defaults filled in; the Workflow constructor just did that.
	const additionalData = createAdditionalData({
		credentialsHelper,
		currentNodeParameters: workflow.nodes[node.name].parameters,
	});
	const context = new LoadOptionsContext(
		workflow,
		workflow.nodes[node.name],
		additionalData,
		options.path ?? `parameters.${method}`,
	);
	return { fn, context };
}

/** `methods.loadOptions[method]` → the dropdown's options. */
export async function loadOptions(
	method: string,
	options: LoadOptionsCallOptions,
): Promise<INodePropertyOptions[]> {
	const { fn, context } = buildContext('loadOptions', method, options);
	return (await fn.call(context)) as INodePropertyOptions[];
}

/** `methods.listSearch[method]` (resource locator "From list"), with the user's filter and page token. */
export async function listSearch(
	method: string,
	options: LoadOptionsCallOptions & { filter?: string; paginationToken?: string },
): Promise<INodeListSearchResult> {
	const { fn, context } = buildContext('listSearch', method, options);
	return (await fn.call(context, options.filter, options.paginationToken)) as INodeListSearchResult;
}

/** `methods.resourceMapping[method]` → the fields of a resource mapper. */
export async function resourceMapping(
	method: string,
	options: LoadOptionsCallOptions,
): Promise<ResourceMapperFields> {
	const { fn, context } = buildContext('resourceMapping', method, options);
	return (await fn.call(context)) as ResourceMapperFields;
}
