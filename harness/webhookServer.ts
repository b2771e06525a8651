/**
 * A real HTTP server that plays n8n's production webhook endpoint (`/webhook/…`) for one trigger node of
 * one workflow, following n8n's `LiveWebhooks` + `executeWebhook`:
 *
 * - on start, like activating the workflow: the trigger's `webhookMethods` (checkExists → create) run;
 *   on close, `delete` runs;
 * - per request: a fresh `Workflow` built from the JSON with the saved static data (n8n reloads it from the
 *   database per request), the request decorated as n8n does (see webhookHttp.ts), the node's `webhook()`
 *   called with n8n-core's `WebhookContext`, static data saved if `__dataChanged` (so a trigger remembers
 *   what it saw via `getWorkflowStaticData('node')`, and forgets what n8n would not have saved);
 * - the answer: nothing if the node returned `noWebhookResponse` (it wrote to the response itself);
 *   otherwise the webhook description's `responseCode` (default 200) with `webhookResponse`, or
 *   `{"message":"Workflow was started"}` (mode onReceived), `{"message":"Webhook call received"}` (no
 *   `workflowData`), or the last node's first item (mode lastNode);
 * - when the node returned `workflowData`, the rest of the workflow runs from the trigger through
 *   `WorkflowExecute` in 'webhook' mode, and each execution is recorded.
 */
import { createServer } from 'http';
import type { IncomingMessage, Server, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { HookContext, WebhookContext } from 'n8n-core';
import { Node, NodeHelpers, createRunExecutionData } from 'n8n-workflow';
import type {
	ICredentialType,
	IDataObject,
	IHttpRequestMethods,
	INode,
	INodeExecutionData,
	IRun,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	Workflow,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { createAdditionalData } from './additionalData';
import { HarnessCredentialTypes } from './credentialTypes';
import { HarnessCredentialsHelper } from './credentialsHelper';
import type { CredentialsByType } from './credentialsHelper';
import { toWorkflowRunResult } from './result';
import type { WorkflowRunResult } from './result';
import { buildWorkflow, executeFrom, resolveNodeTypes } from './runWorkflow';
import type { RunWorkflowOptions, WorkflowJson } from './runWorkflow';
import { BodyParseError, captureBody, toWebhookRequest, toWebhookResponse } from './webhookHttp';

export interface StartWebhookServerOptions {
	workflow: WorkflowJson;
	/** Name of the webhook trigger node in `workflow`. */
	triggerNodeName: string;
	credentials?: CredentialsByType;
	credentialTypes?: ICredentialType[];
	nodeTypes?: RunWorkflowOptions['nodeTypes'];
	/** Static data the workflow starts with (as saved in n8n's database). */
	staticData?: IDataObject;
}

/** One answer the server gave, in the order they finished. */
export interface RecordedResponse {
	method: string;
	path: string;
	statusCode: number;
	headers: Record<string, unknown>;
	body: string;
	/** `body` parsed as JSON, when it is JSON. */
	json?: unknown;
}

export interface WebhookEndpoint {
	/** Name in the node's description (usually 'default'). */
	name: string;
	httpMethod: IHttpRequestMethods;
	/** Path under /webhook/, as n8n computes it (`<webhookId>/<path>` for nodes with a webhookId). */
	path: string;
	url: string;
}

export interface WebhookServer {
	/** Origin of the server, e.g. http://127.0.0.1:40123 */
	url: string;
	/** Production URL of the trigger's first webhook: what `getNodeWebhookUrl('default')` returns. */
	webhookUrl: string;
	endpoints: WebhookEndpoint[];
	/** Finished executions, in the order they finished (webhook() failures are recorded as 'error' runs). */
	executions: WorkflowRunResult[];
	responses: RecordedResponse[];
	/** The workflow's saved static data (a copy), e.g. `staticData['node:My Trigger']`. */
	readonly staticData: IDataObject;
	/** Resolves once `count` executions have finished; rejects after `timeoutMs`. */
	waitForExecutions(count: number, timeoutMs?: number): Promise<WorkflowRunResult[]>;
	/**
	 * Resolves once no request is being handled and no execution is running: await it before asserting that
	 * a request did NOT start an execution (with onReceived the answer comes before the run ends).
	 */
	settled(): Promise<void>;
	/** Waits until settled, runs the trigger's webhookMethods.delete, then stops the server. */
	close(): Promise<void>;
}

const MODE: WorkflowExecuteMode = 'webhook';

function jsonCopy<T>(value: T): T {
	return JSON.parse(JSON.stringify(value ?? {})) as T;
}

/** The trigger's webhooks, computed from its description as n8n's `WebhookService.getNodeWebhooks` does. */
function nodeWebhooks(
	workflow: Workflow,
	node: INode,
): Array<{ description: IWebhookDescription; httpMethod: IHttpRequestMethods; path: string }> {
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const found = [];
	for (const description of nodeType.description.webhooks ?? []) {
		if (description.restartWebhook === true) continue;
		const raw = workflow.expression.getSimpleParameterValue(node, description.path, 'internal', {});
		if (raw === undefined) continue;
		const nodePath = String(raw).replace(/^\//, '').replace(/\/$/, '');
		const isFullPath = workflow.expression.getSimpleParameterValue(
			node,
			description.isFullPath,
			'internal',
			{},
			undefined,
			false,
		) as boolean;
		const path = NodeHelpers.getNodeWebhookPath(workflow.id, node, nodePath, isFullPath, false);
		const methods = workflow.expression.getSimpleParameterValue(
			node,
			description.httpMethod,
			'internal',
			{},
			undefined,
			'GET',
		);
		for (const httpMethod of String(methods)
			.split(',')
			.map((m) => m.trim())
			.filter(Boolean)) {
			found.push({ description, httpMethod: httpMethod as IHttpRequestMethods, path });
		}
	}
	return found;
}

/** Matches a request path against a webhook path, filling `:param` segments like n8n's dynamic webhooks. */
function matchPath(pattern: string, actual: string): Record<string, string> | undefined {
	const want = pattern.split('/');
	const got = actual.split('/');
	if (want.length !== got.length) return undefined;
	const params: Record<string, string> = {};
	for (let i = 0; i < want.length; i++) {
		if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
		else if (want[i] !== got[i]) return undefined;
	}
	return params;
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown) {
	if (res.headersSent || res.writableEnded) return;
	const response = toWebhookResponse(res);
	response.status(statusCode);
	if (body === undefined) response.end();
	else if (typeof body === 'string') response.send(body);
	else response.json(body);
}

export async function startWebhookServer(
	options: StartWebhookServerOptions,
): Promise<WebhookServer> {
	const nodeTypes = resolveNodeTypes(options.nodeTypes);
	const credentialsHelper = new HarnessCredentialsHelper(
		new HarnessCredentialTypes(options.credentialTypes),
		{ ...options.credentials },
	);
	let savedStaticData: IDataObject = jsonCopy(
		options.staticData ?? options.workflow.staticData ?? {},
	);
	const executions: WorkflowRunResult[] = [];
	const responses: RecordedResponse[] = [];
	/** Request handlers still at work (each awaits the execution it started). */
	const inFlight = new Set<Promise<unknown>>();
	const waiters: Array<() => void> = [];

	/** A Workflow as n8n builds it for each request: from the saved JSON and the saved static data. */
	const loadWorkflow = () =>
		buildWorkflow({ ...options.workflow, staticData: jsonCopy(savedStaticData) }, nodeTypes);
	/** n8n's WorkflowStaticDataService.saveStaticData: only when something flagged the data as changed. */
	const saveStaticData = (workflow: Workflow) => {
		if (workflow.staticData.__dataChanged === true) {
			savedStaticData = jsonCopy(workflow.staticData);
			workflow.staticData.__dataChanged = false;
		}
	};
	const recordExecution = (result: WorkflowRunResult) => {
		executions.push(result);
		waiters.splice(0).forEach((wake) => wake());
	};

	const probe = loadWorkflow();
	const trigger = probe.getNode(options.triggerNodeName);
	if (!trigger) throw new Error(`Trigger node "${options.triggerNodeName}" is not in the workflow`);
	const triggerType = probe.nodeTypes.getByNameAndVersion(trigger.type, trigger.typeVersion);
	if (typeof triggerType.webhook !== 'function') {
		throw new Error(`Node "${trigger.name}" (${trigger.type}) has no webhook() method`);
	}
	if (!nodeWebhooks(probe, trigger).length)
		throw new Error(`Node "${trigger.name}" declares no webhooks`);

	const server: Server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const webhookBaseUrl = `${origin}/webhook`;

	const webhookDataFor = (
		workflow: Workflow,
		node: INode,
		hook: ReturnType<typeof nodeWebhooks>[number],
		additionalData = createAdditionalData({ credentialsHelper, webhookBaseUrl }),
	): IWebhookData => ({
		httpMethod: hook.httpMethod,
		node: node.name,
		path: hook.path,
		webhookDescription: hook.description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: hook.path.includes(':') ? node.webhookId : undefined,
	});

	/** Runs webhookMethods[name][method] with n8n-core's HookContext, as activation / deactivation do. */
	const runWebhookMethod = async (
		method: 'checkExists' | 'create' | 'delete',
		activation: WorkflowActivateMode,
	) => {
		const workflow = loadWorkflow();
		const node = workflow.getNode(options.triggerNodeName)!;
		const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		const results: boolean[] = [];
		for (const hook of nodeWebhooks(workflow, node)) {
			const fn = nodeType.webhookMethods?.[hook.description.name]?.[method];
			if (!fn) continue;
			const webhookData = webhookDataFor(workflow, node, hook);
			const context = new HookContext(
				workflow,
				node,
				webhookData.workflowExecuteAdditionalData,
				method === 'delete' ? 'internal' : 'trigger',
				activation,
				webhookData,
			);
			results.push((await fn.call(context)) as boolean);
		}
		saveStaticData(workflow);
		return results;
	};

	const handle = async (req: IncomingMessage, res: ServerResponse) => {
		const readBody = captureBody(res);
		res.on('finish', () => {
			const body = readBody().toString('utf-8');
			let json: unknown;
			try {
				json = body ? JSON.parse(body) : undefined;
			} catch {
				json = undefined;
			}
			responses.push({
				method: req.method ?? '',
				path: req.url ?? '',
				statusCode: res.statusCode,
				headers: res.getHeaders(),
				body,
				json,
			});
		});

		const url = new URL(req.url ?? '/', origin);
		const method = (req.method ?? 'GET') as IHttpRequestMethods;
		const requestPath = decodeURI(url.pathname.replace(/^\/webhook\//, '')).replace(/\/$/, '');
		const workflow = loadWorkflow();
		const node = workflow.getNode(options.triggerNodeName)!;
		const hooks = nodeWebhooks(workflow, node);
		let params: Record<string, string> | undefined;
		const hook = url.pathname.startsWith('/webhook/')
			? hooks.find(
					(h) => h.httpMethod === method && (params = matchPath(h.path, requestPath)) !== undefined,
				)
			: undefined;
		if (!hook) {
			req.resume();
			return sendJson(res, 404, {
				code: 404,
				message: `The requested webhook "${method} ${requestPath}" is not registered.`,
			});
		}

		let request;
		try {
			request = await toWebhookRequest(req, url, params ?? {});
		} catch (error) {
			if (!(error instanceof BodyParseError)) throw error;
			return sendJson(res, 422, {
				code: 422,
				message: 'Failed to parse request body',
				hint: error.message,
			});
		}
		const response = toWebhookResponse(res);

		const additionalData = createAdditionalData({ credentialsHelper, webhookBaseUrl });
		additionalData.httpRequest = request as never;
		additionalData.httpResponse = response as never;
		const webhookData = webhookDataFor(workflow, node, hook, additionalData);

		const description = hook.description;
		const evaluate = <T>(value: unknown, fallback: T): T =>
			(workflow.expression.getSimpleParameterValue(
				node,
				value as string,
				MODE,
				{},
				undefined,
				fallback as string,
			) ?? fallback) as T;
		const responseMode = evaluate<string>(description.responseMode, 'onReceived');
		const responseCode = Number(evaluate(description.responseCode, 200));
		const responseData = evaluate<string | undefined>(description.responseData, undefined);
		if (!['onReceived', 'lastNode'].includes(responseMode)) {
			return sendJson(res, 500, {
				code: 0,
				message: `The response mode '${responseMode}' is not supported by the test harness`,
			});
		}

		let result: IWebhookResponseData;
		try {
			const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
			const context = new WebhookContext(
				workflow,
				node,
				additionalData,
				MODE,
				webhookData,
				[],
				null,
			);
			result =
				nodeType instanceof Node
					? await nodeType.webhook!(context)
					: await nodeType.webhook!.call(context);
		} catch (error) {
			// n8n hides the cause from the caller and records a failed execution holding the error.
			sendJson(res, 500, {
				code: 0,
				message: 'Workflow Webhook Error: Workflow could not be started!',
			});
			recordExecution(failedWebhookRun(node, error as Error));
			return;
		}
		saveStaticData(workflow);

		if (result.noWebhookResponse !== true && result.workflowData === undefined) {
			sendJson(
				res,
				responseCode,
				result.webhookResponse !== undefined
					? result.webhookResponse
					: { message: 'Webhook call received' },
			);
		}
		if (result.workflowData === undefined) return;
		if (responseMode === 'onReceived' && result.noWebhookResponse !== true) {
			// 'firstEntryJson' / 'allEntries' only mean something for lastNode; a custom string is sent as is.
			const custom =
				responseData && !['firstEntryJson', 'allEntries'].includes(responseData)
					? responseData
					: undefined;
			const body =
				responseData === 'noData'
					? undefined
					: (custom ??
						(result.webhookResponse !== undefined
							? result.webhookResponse
							: { message: 'Workflow was started' }));
			sendJson(res, responseCode, body);
		}

		const execution = await executeFrom({
			workflow,
			credentialsHelper,
			startNode: node,
			items: result.workflowData,
			mode: MODE,
			webhookBaseUrl,
		});
		saveStaticData(workflow);
		recordExecution(execution);
		if (responseMode === 'lastNode')
			sendJson(res, ...lastNodeResponse(execution, responseCode, responseData));
	};

	server.on('request', (req, res) => {
		const handling = handle(req, res).catch((error: Error) =>
			sendJson(res, 500, { code: 0, message: error.message }),
		);
		inFlight.add(handling);
		void handling.finally(() => inFlight.delete(handling));
	});
	const settled = async () => {
		while (inFlight.size) await Promise.allSettled([...inFlight]);
	};

	const exists = await runWebhookMethod('checkExists', 'activate');
	if (!exists.length || exists.some((found) => !found))
		await runWebhookMethod('create', 'activate');

	const endpoints = nodeWebhooks(probe, trigger).map((hook) => ({
		name: hook.description.name,
		httpMethod: hook.httpMethod,
		path: hook.path,
		url: `${webhookBaseUrl}/${hook.path}`,
	}));

	return {
		url: origin,
		webhookUrl: endpoints[0].url,
		endpoints,
		executions,
		responses,
		get staticData() {
			return jsonCopy(savedStaticData);
		},
		waitForExecutions: (count, timeoutMs = 10_000) =>
			new Promise((resolve, reject) => {
				const check = () => {
					if (executions.length < count) return false;
					clearTimeout(timer);
					resolve(executions.slice(0, count));
					return true;
				};
				const timer = setTimeout(() => {
					reject(
						new Error(
							`Waited ${timeoutMs} ms for ${count} execution(s), got ${executions.length}. ` +
								`Responses so far: ${JSON.stringify(responses.map((r) => `${r.statusCode} ${r.body}`))}`,
						),
					);
				}, timeoutMs);
				if (check()) return;
				const wake = () => {
					if (!check()) waiters.push(wake);
				};
				waiters.push(wake);
			}),
		settled,
		close: async () => {
			await settled();
			await runWebhookMethod('delete', 'manual').catch(() => undefined);
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** n8n's answer in responseMode 'lastNode': the last node's first item (or all items, or nothing). */
function lastNodeResponse(
	run: WorkflowRunResult,
	responseCode: number,
	responseData?: string,
): [number, unknown] {
	const lastNode = run.run.data.resultData.lastNodeExecuted;
	const lastRuns = lastNode ? run.runData[lastNode] : undefined;
	const task = lastRuns?.[lastRuns.length - 1];
	if (run.executionError || task?.error) return [500, { message: 'Error in workflow' }];
	const items: INodeExecutionData[] = task?.data?.main?.[0] ?? [];
	if (responseData === 'noData') return [responseCode, undefined];
	if (responseData === 'allEntries') return [responseCode, items.map((item) => item.json)];
	if (!items.length)
		return [responseCode, { message: 'Workflow executed successfully but no data was returned' }];
	return [responseCode, items[0].json];
}

/** What n8n stores when the trigger's webhook() throws: an execution in error, without node data. */
function failedWebhookRun(node: INode, error: Error): WorkflowRunResult {
	const data = createRunExecutionData({
		resultData: {
			runData: {},
			lastNodeExecuted: node.name,
			error: { ...error, message: error.message, stack: error.stack } as never,
		},
	});
	const now = new Date();
	return toWorkflowRunResult(
		{ data, mode: MODE, status: 'error', startedAt: now, stoppedAt: now, finished: false } as IRun,
		[],
	);
}
