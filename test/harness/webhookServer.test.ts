/**
 * Proves the webhook server behaves like n8n's production webhook endpoint for a trigger node: rawBody
 * holds the exact bytes, credentials and static data work inside webhook(), the node can answer itself,
 * webhookMethods run on activation/deactivation, and the workflow runs after the trigger.
 * Uses a dummy trigger, not the product trigger.
 */
import { createHmac } from 'crypto';
import type {
	ICredentialType,
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { startWebhookServer } from '../../harness/webhookServer';
import type { WebhookServer } from '../../harness/webhookServer';
import type { WorkflowJson } from '../../harness/runWorkflow';

class DummySigningApi implements ICredentialType {
	name = 'dummySigningApi';
	displayName = 'Dummy Signing';
	properties: ICredentialType['properties'] = [
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
	];
}

/**
 * Verifies an HMAC of the raw body, drops duplicates it remembers in static data, and starts the
 * workflow with what it received. Its response mode comes from a parameter, like n8n's Webhook node.
 */
class DummyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Dummy Trigger',
		name: 'dummyTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Signed callbacks',
		defaults: { name: 'Dummy Trigger' },
		inputs: [],
		outputs: ['main'],
		credentials: [{ name: 'dummySigningApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: '={{$parameter["responseMode"]}}',
				path: 'callback',
			},
		],
		properties: [
			{
				displayName: 'Response Mode',
				name: 'responseMode',
				type: 'options',
				options: [
					{ name: 'On Received', value: 'onReceived' },
					{ name: 'Last Node', value: 'lastNode' },
				],
				default: 'onReceived',
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return this.getWorkflowStaticData('node').registeredUrl !== undefined;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				this.getWorkflowStaticData('node').registeredUrl = this.getNodeWebhookUrl('default');
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				delete this.getWorkflowStaticData('node').registeredUrl;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		if (req.headers['x-explode']) throw new Error('boom inside webhook()');
		const { secret } = await this.getCredentials('dummySigningApi');
		const expected = createHmac('sha256', secret as string)
			.update(req.rawBody)
			.digest('hex');
		if (req.headers['x-signature'] !== expected) {
			this.getResponseObject().status(401).json({ error: 'bad signature' });
			return { noWebhookResponse: true };
		}
		const body = this.getBodyData();
		const data = this.getWorkflowStaticData('node');
		const seen = (data.seen as string[] | undefined) ?? [];
		if (seen.includes(body.id as string)) return { webhookResponse: { duplicate: true } };
		data.seen = [...seen, body.id as string];
		return {
			workflowData: [
				[
					{
						json: {
							body,
							rawBase64: req.rawBody.toString('base64'),
							query: this.getQueryData() as IDataObject,
							contentType: this.getHeaderData()['content-type'] as string,
						},
					},
				],
			],
		};
	}
}

const SECRET = 'sk_test_dummy';
const sign = (raw: Buffer | string) => createHmac('sha256', SECRET).update(raw).digest('hex');

function workflow(responseMode = 'onReceived'): WorkflowJson {
	return {
		nodes: [
			{
				name: 'Callbacks',
				type: 'test.dummyTrigger',
				typeVersion: 1,
				webhookId: '6f1c2d4e-0000-4000-8000-000000000001',
				parameters: { responseMode },
				credentials: { dummySigningApi: { id: '1', name: 'Signing' } },
			},
			{ name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
		],
		connections: { Callbacks: { main: [[{ node: 'After', type: 'main', index: 0 }]] } },
	};
}

const start = (responseMode?: string) =>
	startWebhookServer({
		workflow: workflow(responseMode),
		triggerNodeName: 'Callbacks',
		credentials: { dummySigningApi: { secret: SECRET } },
		credentialTypes: [new DummySigningApi()],
		nodeTypes: { 'test.dummyTrigger': DummyTrigger },
	});

const post = (url: string, raw: string | Buffer, headers: Record<string, string> = {}) =>
	fetch(url, {
		method: 'POST',
		body: raw,
		headers: { 'content-type': 'application/json', ...headers },
	});

describe('startWebhookServer', () => {
	let server: WebhookServer;
	afterEach(async () => {
		await server?.close();
	});

	it('hands the exact bytes as rawBody, parses body and query, answers as n8n and runs the workflow', async () => {
		server = await start();
		// Odd spacing, key order and a non-ASCII character: re-serialising the parsed body would change the bytes.
		const raw = Buffer.from('{ "id":"evt_1",  "amount": 10.50, "note":"café" }', 'utf-8');

		const res = await post(`${server.webhookUrl}?attempt=2&tag=a&tag=b`, raw, {
			'x-signature': sign(raw),
		});

		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ message: 'Workflow was started' });
		const [execution] = await server.waitForExecutions(1);
		expect(execution.status).toBe('success');
		const [item] = execution.outputOf('After');
		expect(Buffer.from(item.json.rawBase64 as string, 'base64').equals(raw)).toBe(true);
		expect(item.json.body).toEqual({ id: 'evt_1', amount: 10.5, note: 'café' });
		expect(item.json.query).toEqual({ attempt: '2', tag: ['a', 'b'] });
		expect(item.json.contentType).toBe('application/json');
		expect(execution.nodeExecutionOrder).toEqual(['Callbacks', 'After']);
	});

	it('keeps static data across requests: the second delivery of an event is answered without a run', async () => {
		server = await start();
		const raw = JSON.stringify({ id: 'evt_dup' });

		const first = await post(server.webhookUrl, raw, { 'x-signature': sign(raw) });
		await server.waitForExecutions(1);
		const second = await post(server.webhookUrl, raw, { 'x-signature': sign(raw) });

		expect(first.status).toBe(200);
		expect(second.status).toBe(200);
		expect(await second.json()).toEqual({ duplicate: true });
		await server.settled();
		expect(server.executions).toHaveLength(1);
		expect(server.staticData['node:Callbacks']).toMatchObject({ seen: ['evt_dup'] });
	});

	it('lets the node answer itself through the response object (noWebhookResponse)', async () => {
		server = await start();
		const res = await post(server.webhookUrl, '{"id":"evt_2"}', { 'x-signature': 'forged' });

		expect(res.status).toBe(401);
		expect(await res.json()).toEqual({ error: 'bad signature' });
		await server.settled();
		expect(server.executions).toHaveLength(0);
		expect(server.responses).toEqual([
			expect.objectContaining({
				method: 'POST',
				statusCode: 401,
				json: { error: 'bad signature' },
			}),
		]);
	});

	it('answers 404 for an unregistered path or method, like n8n', async () => {
		server = await start();
		const wrongPath = await post(`${server.url}/webhook/nope`, '{}');
		const wrongMethod = await fetch(server.webhookUrl);

		expect(wrongPath.status).toBe(404);
		expect(((await wrongPath.json()) as IDataObject).message).toMatch(/is not registered/);
		expect(wrongMethod.status).toBe(404);
	});

	it('a webhook() that throws: 500 with n8n’s generic message, and a failed execution holding the error', async () => {
		server = await start();
		const res = await post(server.webhookUrl, '{}', { 'x-explode': '1' });

		expect(res.status).toBe(500);
		expect(await res.json()).toEqual({
			code: 0,
			message: 'Workflow Webhook Error: Workflow could not be started!',
		});
		const [execution] = await server.waitForExecutions(1);
		expect(execution.status).toBe('error');
		expect(execution.executionError?.message).toBe('boom inside webhook()');
	});

	it('responseMode lastNode answers with the last node’s first item after the run', async () => {
		server = await start('lastNode');
		const raw = '{"id":"evt_3"}';
		const res = await post(server.webhookUrl, raw, { 'x-signature': sign(raw) });

		expect(res.status).toBe(200);
		expect(((await res.json()) as IDataObject).body).toEqual({ id: 'evt_3' });
		expect(server.executions).toHaveLength(1);
	});

	it('runs webhookMethods on activation (with the production URL) and delete on close', async () => {
		server = await start();
		expect(server.webhookUrl).toBe(
			`${server.url}/webhook/6f1c2d4e-0000-4000-8000-000000000001/callback`,
		);
		expect(server.staticData['node:Callbacks']).toEqual({ registeredUrl: server.webhookUrl });

		await server.close();
		expect(server.staticData['node:Callbacks']).toEqual({});
	});
});
