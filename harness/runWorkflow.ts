/**
 * Runs an exported n8n workflow (JSON) with our real nodes inside n8n-core's real `WorkflowExecute`, the
 * way n8n's own `NodeTestHarness` does but without network mocks: requests go out through n8n's request
 * helpers to whatever server the credentials point at (the local sandbox, or a server the test starts).
 */
import { WorkflowExecute } from 'n8n-core';
import { Workflow, createRunExecutionData, deepCopy } from 'n8n-workflow';
import type {
	ICredentialType,
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	IPinData,
	IWorkflowBase,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { createAdditionalData, createHooks, nextExecutionId } from './additionalData';
import { HarnessCredentialTypes } from './credentialTypes';
import { HarnessCredentialsHelper } from './credentialsHelper';
import type { CredentialsByType } from './credentialsHelper';
import { HarnessNodeTypes, createNodeTypes } from './nodeTypes';
import type { NodeTypeRegistration } from './nodeTypes';
import { toWorkflowRunResult } from './result';
import type { WorkflowRunResult } from './result';

export type { WorkflowRunResult } from './result';

/** The parts of an exported workflow JSON the harness uses (extra fields such as `meta` are ignored). */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: Array<Partial<INode> & Pick<INode, 'name' | 'type' | 'typeVersion' | 'parameters'>>;
	connections: IConnections;
	settings?: IWorkflowSettings;
	pinData?: IPinData;
	staticData?: IDataObject;
}

export interface RunWorkflowOptions {
	workflow: WorkflowJson;
	/** Credential data by credential type name, e.g. `{ paymentsTrustApi: { baseUrl, accountId, apiKey } }`. */
	credentials?: CredentialsByType;
	/** Extra credential types (ours from `credentials/` are always known). */
	credentialTypes?: ICredentialType[];
	/** Extra node types by full type name, or a ready registry (e.g. to share loaded nodes between runs). */
	nodeTypes?: Record<string, NodeTypeRegistration> | HarnessNodeTypes;
	/** Node to start from; defaults to n8n's choice (the trigger / first node without inputs). */
	startNode?: string;
	/** Items handed to the start node, e.g. what a trigger would have emitted. Default: one empty item. */
	triggerItems?: Array<INodeExecutionData | IDataObject>;
	/** n8n execution mode; 'manual' (a click on "Execute workflow") unless given. */
	mode?: WorkflowExecuteMode;
	/** An existing `Workflow` object to run instead of building one from `workflow` (keeps its static data). */
	workflowInstance?: Workflow;
}

export function toItems(items: Array<INodeExecutionData | IDataObject>): INodeExecutionData[] {
	return items.map((item) =>
		item && typeof item === 'object' && 'json' in item && typeof item.json === 'object'
			? (item as INodeExecutionData)
			: { json: item as IDataObject },
	);
}

export function resolveNodeTypes(nodeTypes?: RunWorkflowOptions['nodeTypes']): HarnessNodeTypes {
	return nodeTypes instanceof HarnessNodeTypes ? nodeTypes : createNodeTypes(nodeTypes ?? {});
}

/**
 * Builds n8n's `Workflow` from JSON. The JSON is deep-copied first: n8n fills node parameter defaults in
 * place, and fixtures are often shared between tests.
 */
export function buildWorkflow(json: WorkflowJson, nodeTypes: HarnessNodeTypes): Workflow {
	const copy = deepCopy(json);
	const nodes = copy.nodes.map((node, index) => ({
		id: node.id ?? `node-${index}`,
		position: node.position ?? [index * 200, 0],
		...node,
	})) as INode[];
	return new Workflow({
		id: copy.id ?? 'test-workflow',
		name: copy.name ?? 'Test workflow',
		nodes,
		connections: copy.connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1', ...copy.settings },
		pinData: copy.pinData,
		staticData: copy.staticData,
	});
}

export function workflowBase(workflow: Workflow): IWorkflowBase {
	return {
		id: workflow.id,
		name: workflow.name ?? '',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: Object.values(workflow.nodes),
		connections: workflow.connectionsBySourceNode,
		settings: workflow.settings,
		pinData: workflow.pinData,
	} as IWorkflowBase;
}

export interface ExecuteFromOptions {
	workflow: Workflow;
	credentialsHelper: HarnessCredentialsHelper;
	startNode: INode;
	items: INodeExecutionData[][];
	mode: WorkflowExecuteMode;
	webhookBaseUrl?: string;
}

/** Runs `workflow` from `startNode`, whose output is taken to be `items` (one array per output). */
export async function executeFrom(options: ExecuteFromOptions): Promise<WorkflowRunResult> {
	const { workflow, credentialsHelper, startNode, items, mode } = options;
	const executionId = nextExecutionId();
	const hooks = createHooks(mode, executionId, workflowBase(workflow));
	const nodeExecutionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		nodeExecutionOrder.push(nodeName);
	});
	const additionalData = createAdditionalData({
		credentialsHelper,
		hooks,
		executionId,
		webhookBaseUrl: options.webhookBaseUrl,
	});
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: items }, source: null }],
		},
		// n8n honours pinned data only in manual (and evaluation) runs, never in production ones.
		resultData: { pinData: ['manual', 'evaluation'].includes(mode) ? workflow.pinData : undefined },
	});
	const workflowExecute = new WorkflowExecute(additionalData, mode, runExecutionData);
	try {
		const run = await workflowExecute.processRunExecutionData(workflow);
		return toWorkflowRunResult(run, nodeExecutionOrder);
	} catch (error) {
		// n8n refuses to start when a node has parameter issues (e.g. a required field left empty) and says only
		// "The workflow has issues": name the nodes and parameters, as the editor would show them.
		if ((error as Error).name === 'WorkflowHasIssuesError') {
			const issues = workflowExecute.checkReadyForExecution(workflow, {
				startNode: startNode.name,
				pinDataNodeNames: Object.keys(runExecutionData.resultData.pinData ?? {}),
			});
			(error as Error).message += ` Issues: ${JSON.stringify(issues)}`;
		}
		throw error;
	}
}

export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
	const nodeTypes = resolveNodeTypes(options.nodeTypes);
	const workflow = options.workflowInstance ?? buildWorkflow(options.workflow, nodeTypes);
	const credentialsHelper = new HarnessCredentialsHelper(
		new HarnessCredentialTypes(options.credentialTypes),
		{ ...options.credentials },
	);

	let startNode: INode | undefined;
	if (options.startNode) {
		startNode = workflow.getNode(options.startNode) ?? undefined;
		if (!startNode) throw new Error(`Start node "${options.startNode}" is not in the workflow`);
	} else {
		startNode = workflow.getStartNode();
		if (!startNode) throw new Error('The workflow has no node to start from; pass startNode');
	}

	return await executeFrom({
		workflow,
		credentialsHelper,
		startNode,
		items: [toItems(options.triggerItems ?? [{}])],
		mode: options.mode ?? 'manual',
	});
}
