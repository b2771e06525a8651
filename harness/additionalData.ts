/**
 * The `IWorkflowExecuteAdditionalData` n8n-core needs to run nodes: what n8n's CLI builds per execution
 * (`WorkflowExecuteAdditionalData.getBase`). n8n's own harness uses a jest mock here; a real object keeps
 * a forgotten field from silently returning a mock instead of failing.
 */
import { ExecutionLifecycleHooks, ExternalSecretsProxy } from 'n8n-core';
import type {
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import type { HarnessCredentialsHelper } from './credentialsHelper';
import { prepareEngine } from './engine';

let executionCounter = 0;

/** Execution ids unique within the test process, like n8n's numeric ids. */
export function nextExecutionId(): string {
	executionCounter += 1;
	return String(executionCounter);
}

export interface AdditionalDataOptions {
	credentialsHelper: HarnessCredentialsHelper;
	executionId?: string;
	hooks?: ExecutionLifecycleHooks;
	/** Base of production webhook URLs, e.g. `http://127.0.0.1:PORT/webhook` (what `getNodeWebhookUrl` prefixes). */
	webhookBaseUrl?: string;
	/** Node parameters the load-options context reads through `getCurrentNodeParameter`. */
	currentNodeParameters?: IWorkflowExecuteAdditionalData['currentNodeParameters'];
}

const NOT_SUPPORTED = (what: string) => async () => {
	throw new Error(`${what} is not supported by the test harness`);
};

export function createAdditionalData(
	options: AdditionalDataOptions,
): IWorkflowExecuteAdditionalData {
	prepareEngine();
	const base = 'http://127.0.0.1:5678';
	const webhookBaseUrl = options.webhookBaseUrl ?? `${base}/webhook`;
	const origin = webhookBaseUrl.replace(/\/webhook$/, '');
	return {
		credentialsHelper: options.credentialsHelper,
		hooks: options.hooks,
		executionId: options.executionId,
		currentNodeExecutionIndex: 0,
		currentNodeParameters: options.currentNodeParameters,
		restApiUrl: `${origin}/rest`,
		instanceBaseUrl: origin,
		formWaitingBaseUrl: `${origin}/form-waiting`,
		webhookBaseUrl,
		webhookWaitingBaseUrl: `${origin}/webhook-waiting`,
		webhookTestBaseUrl: `${origin}/webhook-test`,
		variables: {},
		externalSecretsProxy: new ExternalSecretsProxy(),
		executeWorkflow: NOT_SUPPORTED('Running a sub-workflow'),
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: NOT_SUPPORTED('The Code node task runner'),
	} as IWorkflowExecuteAdditionalData;
}

/** Lifecycle hooks for one execution; `workflowData` is only read by hook handlers, which we own. */
export function createHooks(
	mode: WorkflowExecuteMode,
	executionId: string,
	workflowData: IWorkflowBase,
): ExecutionLifecycleHooks {
	return new ExecutionLifecycleHooks(mode, executionId, workflowData);
}
