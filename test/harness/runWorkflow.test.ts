/**
 * Proves the harness runs nodes inside n8n-core for real: credentials reach a real HTTP server through
 * n8n's request helpers (generic and function-style `authenticate`), errors and continueOnFail behave as
 * in n8n, and versioned / pinned / stand-in nodes work. Uses dummy nodes only, not the product nodes.
 */
import { createServer } from 'http';
import type { AddressInfo } from 'net';
import type { IncomingMessage, Server } from 'http';
import { NodeApiError, NodeOperationError, VersionedNodeType } from 'n8n-workflow';
import type {
	ICredentialType,
	IExecuteFunctions,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	IHttpRequestMethods,
} from 'n8n-workflow';

import { runWorkflow } from '../../harness/runWorkflow';
import type { WorkflowJson } from '../../harness/runWorkflow';

interface Seen {
	method?: string;
	url?: string;
	authorization?: string;
	apiKeyHeader?: string;
	body: string;
}

/** A tiny API: 200 with the echo of the request when Basic auth is user:pass, 401 otherwise; /fail → 422. */
function startApi(): Promise<{ server: Server; url: string; seen: Seen[] }> {
	const seen: Seen[] = [];
	const server = createServer((req: IncomingMessage, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			seen.push({
				method: req.method,
				url: req.url,
				authorization: req.headers.authorization,
				apiKeyHeader: req.headers['x-api-key'] as string | undefined,
				body,
			});
			res.setHeader('content-type', 'application/json');
			const expected = 'Basic ' + Buffer.from('acct_1:secret-key').toString('base64');
			if (req.url?.includes('/fail')) {
				res.statusCode = 422;
				res.end(
					JSON.stringify({
						error: { title: 'Validation failed', status: 422, detail: 'amount is too small' },
					}),
				);
			} else if (req.headers.authorization !== expected && req.headers['x-api-key'] !== 'k-123') {
				res.statusCode = 401;
				res.end(JSON.stringify({ error: 'unauthorized' }));
			} else {
				res.end(
					JSON.stringify({ ok: true, path: req.url, received: body ? JSON.parse(body) : null }),
				);
			}
		});
	});
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as AddressInfo;
			resolve({ server, url: `http://127.0.0.1:${port}`, seen });
		}),
	);
}

/** Credential type in the generic style, like ours: Basic auth from two fields, one field with a default. */
class DummyBasicApi implements ICredentialType {
	name = 'dummyBasicApi';
	displayName = 'Dummy Basic API';
	properties: ICredentialType['properties'] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Path', name: 'path', type: 'string', default: '/v1' },
		{ displayName: 'User', name: 'user', type: 'string', default: '' },
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
	];
	authenticate: ICredentialType['authenticate'] = {
		type: 'generic',
		properties: {
			auth: { username: '={{$credentials.user}}', password: '={{$credentials.password}}' },
			headers: { 'X-Account': '={{$credentials.user.toUpperCase()}}' },
		},
	};
}

/** Credential type in the function style. */
class DummyKeyApi implements ICredentialType {
	name = 'dummyKeyApi';
	displayName = 'Dummy Key API';
	properties: ICredentialType['properties'] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Key', name: 'key', type: 'string', default: '' },
	];
	authenticate: ICredentialType['authenticate'] = async (credentials, requestOptions) => ({
		...requestOptions,
		headers: { ...requestOptions.headers, 'x-api-key': credentials.key as string },
	});
}

/** One authenticated request per item, honouring continueOnFail like a well-behaved community node. */
class DummyApiNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Dummy API',
		name: 'dummyApi',
		group: ['transform'],
		version: 1,
		description: 'Calls the dummy API',
		defaults: { name: 'Dummy API' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			{ name: 'dummyBasicApi', required: true, displayOptions: { show: { auth: ['basic'] } } },
			{ name: 'dummyKeyApi', required: true, displayOptions: { show: { auth: ['key'] } } },
		],
		properties: [
			{
				displayName: 'Auth',
				name: 'auth',
				type: 'options',
				options: [
					{ name: 'Basic', value: 'basic' },
					{ name: 'Key', value: 'key' },
				],
				default: 'basic',
			},
			{ displayName: 'Path', name: 'path', type: 'string', default: '/things' },
			{ displayName: 'Method', name: 'method', type: 'string', default: 'POST' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const credentialType =
					this.getNodeParameter('auth', i) === 'key' ? 'dummyKeyApi' : 'dummyBasicApi';
				const credentials = await this.getCredentials(credentialType);
				const prefix = credentialType === 'dummyBasicApi' ? (credentials.path as string) : '';
				const response = await this.helpers.httpRequestWithAuthentication.call(
					this,
					credentialType,
					{
						method: this.getNodeParameter('method', i) as IHttpRequestMethods,
						url: `${credentials.baseUrl as string}${prefix}${this.getNodeParameter('path', i) as string}`,
						body: items[i].json,
						json: true,
					},
				);
				out.push({ json: response, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}

/** Throws a NodeOperationError on purpose, to see where such errors land. */
class FailingNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Failing',
		name: 'failing',
		group: ['transform'],
		version: 1,
		description: 'Always fails',
		defaults: { name: 'Failing' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		throw new NodeOperationError(this.getNode(), 'Deliberate failure', {
			description: 'more detail',
		});
	}
}

/** A versioned node: v1 tags items 'v1', v2 tags them 'v2'. */
function taggingVersion(version: number): new () => INodeType {
	return class implements INodeType {
		description: INodeTypeDescription = {
			displayName: 'Tagger',
			name: 'tagger',
			group: ['transform'],
			version,
			description: 'Tags items with its version',
			defaults: { name: 'Tagger' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [],
		};

		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			return [
				this.getInputData().map((item) => ({ json: { ...item.json, version: `v${version}` } })),
			];
		}
	};
}

class Tagger extends VersionedNodeType {
	constructor() {
		const V1 = taggingVersion(1);
		const V2 = taggingVersion(2);
		super(
			{ 1: new V1(), 2: new V2() },
			{
				displayName: 'Tagger',
				name: 'tagger',
				group: ['transform'],
				description: 'x',
				defaultVersion: 2,
			},
		);
	}
}

/** Has a required parameter, to see how n8n treats a run where it is left empty. */
class NeedsAmount implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Needs Amount',
		name: 'needsAmount',
		group: ['transform'],
		version: 1,
		description: 'Requires an amount',
		defaults: { name: 'Needs Amount' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Amount', name: 'amount', type: 'string', default: '', required: true },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

const nodeTypes = {
	'test.needsAmount': NeedsAmount,
	'test.dummyApi': DummyApiNode,
	'test.failing': FailingNode,
	'test.tagger': Tagger,
};
const credentialTypes = [new DummyBasicApi(), new DummyKeyApi()];

function workflow(
	apiParameters: INodeParameters,
	extra: Partial<WorkflowJson['nodes'][number]> = {},
): WorkflowJson {
	return {
		nodes: [
			{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
			{
				name: 'Items',
				type: 'test.items',
				typeVersion: 1,
				parameters: { items: '[{"n":1},{"n":2}]' },
			},
			{
				name: 'Call API',
				type: 'test.dummyApi',
				typeVersion: 1,
				parameters: apiParameters,
				credentials: { dummyBasicApi: { id: '1', name: 'Dummy account' } },
				...extra,
			},
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Call API', type: 'main', index: 0 }]] },
		},
	};
}

describe('runWorkflow', () => {
	let api: Awaited<ReturnType<typeof startApi>>;
	beforeAll(async () => {
		api = await startApi();
	});
	afterAll(() => new Promise<void>((resolve) => api.server.close(() => resolve())));
	beforeEach(() => {
		api.seen.length = 0;
	});

	const basic = () => ({
		dummyBasicApi: { baseUrl: api.url, user: 'acct_1', password: 'secret-key' },
	});

	it('applies generic authenticate (Basic auth + header via expressions) and credential defaults over real HTTP', async () => {
		const result = await runWorkflow({
			workflow: workflow({}),
			credentials: basic(),
			nodeTypes,
			credentialTypes,
		});

		expect(result.executionError).toBeUndefined();
		expect(result.status).toBe('success');
		expect(result.nodeExecutionOrder).toEqual(['Start', 'Items', 'Call API']);
		expect(result.outputOf('Call API').map((item) => item.json)).toEqual([
			{ ok: true, path: '/v1/things', received: { n: 1 } },
			{ ok: true, path: '/v1/things', received: { n: 2 } },
		]);
		expect(api.seen).toHaveLength(2);
		expect(api.seen[0].authorization).toBe(
			'Basic ' + Buffer.from('acct_1:secret-key').toString('base64'),
		);
		expect(api.seen[0].method).toBe('POST');
	});

	it('applies function-style authenticate', async () => {
		const wf = workflow(
			{ auth: 'key' },
			{ credentials: { dummyKeyApi: { id: '2', name: 'Key account' } } },
		);
		const result = await runWorkflow({
			workflow: wf,
			credentials: { dummyKeyApi: { baseUrl: api.url, key: 'k-123' } },
			nodeTypes,
			credentialTypes,
		});

		expect(result.outputOf('Call API')).toHaveLength(2);
		expect(api.seen[0].apiKeyHeader).toBe('k-123');
		expect(api.seen[0].authorization).toBeUndefined();
	});

	it('resolves expressions in credential data', async () => {
		const result = await runWorkflow({
			workflow: workflow({}),
			credentials: {
				dummyBasicApi: {
					baseUrl: `={{ "${api.url}" }}`,
					user: '={{ "acct" + "_1" }}',
					password: 'secret-key',
				},
			},
			nodeTypes,
			credentialTypes,
		});
		expect(result.outputOf('Call API')).toHaveLength(2);
	});

	it('wrong credentials: the 401 becomes a NodeApiError in executionError and on the node, the run stops', async () => {
		const result = await runWorkflow({
			workflow: workflow({}),
			credentials: { dummyBasicApi: { baseUrl: api.url, user: 'acct_1', password: 'wrong' } },
			nodeTypes,
			credentialTypes,
		});

		expect(result.status).toBe('error');
		expect(result.executionError).toBeDefined();
		expect(result.executionError?.message).toMatch(/Authorization failed/);
		expect(result.errorOf('Call API')?.message).toBe(result.executionError?.message);
		expect((result.errorOf('Call API') as NodeApiError).httpCode).toBe('401');
		expect(() => result.outputOf('Call API')).toThrow(
			/Node "Call API" failed: Authorization failed/,
		);
		// n8n-core retries a request once after a 401 (to let preAuthentication refresh a token), then the
		// node stopped at the first item: the server sees the first item twice and never the second.
		expect(api.seen.map((seen) => seen.body)).toEqual(['{"n":1}', '{"n":1}']);
	});

	it('a 4xx from httpRequestWithAuthentication: generic message, axios text as description, API body in context.data', async () => {
		const result = await runWorkflow({
			workflow: workflow({ path: '/fail' }),
			credentials: basic(),
			nodeTypes,
			credentialTypes,
		});
		const error = result.errorOf('Call API') as NodeApiError;

		expect(error.message).toMatch(
			/^Your request is invalid or could not be processed by the service/,
		);
		expect(error.httpCode).toBe('422');
		// The API's own words are only in context.data: a node must lift them into message/description itself.
		expect(error.description).toBe('Request failed with status code 422');
		expect(error.context?.data).toEqual({
			error: { title: 'Validation failed', status: 422, detail: 'amount is too small' },
		});
	});

	it('continueOnFail: errors become items, the execution succeeds, downstream nodes run', async () => {
		const wf = workflow({}, { onError: 'continueRegularOutput' });
		wf.nodes.push({ name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} });
		wf.connections['Call API'] = { main: [[{ node: 'After', type: 'main', index: 0 }]] };
		const result = await runWorkflow({
			workflow: wf,
			credentials: { dummyBasicApi: { baseUrl: api.url, user: 'acct_1', password: 'wrong' } },
			nodeTypes,
			credentialTypes,
		});

		expect(result.status).toBe('success');
		expect(result.executionError).toBeUndefined();
		expect(result.errorOf('Call API')).toBeUndefined();
		const out = result.outputOf('After');
		expect(out).toHaveLength(2);
		expect(out[0].json.error).toMatch(/Authorization failed/);
	});

	it('onError continueErrorOutput routes the error items a node returns to the error output', async () => {
		const result = await runWorkflow({
			workflow: workflow({}, { onError: 'continueErrorOutput' }),
			credentials: { dummyBasicApi: { baseUrl: api.url, user: 'acct_1', password: 'wrong' } },
			nodeTypes,
			credentialTypes,
		});

		expect(result.status).toBe('success');
		expect(result.outputOf('Call API', 0)).toEqual([]);
		expect(result.outputOf('Call API', 1).map((item) => item.json.error)).toEqual([
			expect.stringMatching(/Authorization failed/),
			expect.stringMatching(/Authorization failed/),
		]);
	});

	it('a node that throws despite onError "continue": n8n records the error and passes the INPUT on', async () => {
		const result = await runWorkflow({
			workflow: {
				nodes: [
					{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
					{ name: 'Items', type: 'test.items', typeVersion: 1, parameters: { items: '[{"n":1}]' } },
					{
						name: 'Fail',
						type: 'test.failing',
						typeVersion: 1,
						parameters: {},
						onError: 'continueRegularOutput',
					},
					{ name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
				],
				connections: {
					Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
					Items: { main: [[{ node: 'Fail', type: 'main', index: 0 }]] },
					Fail: { main: [[{ node: 'After', type: 'main', index: 0 }]] },
				},
			},
			nodeTypes,
		});

		expect(result.status).toBe('success');
		expect(result.errorOf('Fail')?.message).toBe('Deliberate failure');
		expect(result.outputOf('After').map((item) => item.json)).toEqual([{ n: 1 }]);
	});

	it('a NodeOperationError stops the run and surfaces message and description', async () => {
		const result = await runWorkflow({
			workflow: {
				nodes: [
					{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
					{ name: 'Fail', type: 'test.failing', typeVersion: 1, parameters: {} },
				],
				connections: { Start: { main: [[{ node: 'Fail', type: 'main', index: 0 }]] } },
			},
			nodeTypes,
		});

		expect(result.status).toBe('error');
		expect(result.executionError?.message).toBe('Deliberate failure');
		expect(result.executionError?.description).toBe('more detail');
		expect(result.errorOf('Fail')?.message).toBe('Deliberate failure');
	});

	it('missing credentials data fails the node with n8n’s wording', async () => {
		const result = await runWorkflow({ workflow: workflow({}), nodeTypes, credentialTypes });
		expect(result.errorOf('Call API')?.message).toMatch(
			/Credential with ID "1" does not exist for type "dummyBasicApi"/,
		);
	});

	it('picks the implementation matching typeVersion for versioned nodes', async () => {
		const run = (typeVersion: number) =>
			runWorkflow({
				workflow: {
					nodes: [{ name: 'Tag', type: 'test.tagger', typeVersion, parameters: {} }],
					connections: {},
				},
				nodeTypes,
			});
		expect((await run(1)).outputOf('Tag')[0].json.version).toBe('v1');
		expect((await run(2)).outputOf('Tag')[0].json.version).toBe('v2');
	});

	it('startNode + triggerItems feed a chosen node; pinData replaces a node’s output in manual runs only', async () => {
		const pinned: WorkflowJson = {
			nodes: [
				{ name: 'In', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
				{
					name: 'Pinned',
					type: 'test.items',
					typeVersion: 1,
					parameters: { items: '[{"x":"not used"}]' },
				},
				{ name: 'Out', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
			],
			connections: {
				In: { main: [[{ node: 'Pinned', type: 'main', index: 0 }]] },
				Pinned: { main: [[{ node: 'Out', type: 'main', index: 0 }]] },
			},
			pinData: { Pinned: [{ json: { pinned: true } }] },
		};
		const result = await runWorkflow({
			workflow: pinned,
			startNode: 'In',
			triggerItems: [{ a: 1 }, { json: { a: 2 } }],
		});

		expect(result.outputOf('In').map((item) => item.json)).toEqual([{ a: 1 }, { a: 2 }]);
		expect(result.outputOf('Out').map((item) => item.json)).toEqual([{ pinned: true }]);

		const production = await runWorkflow({ workflow: pinned, startNode: 'In', mode: 'trigger' });
		expect(production.outputOf('Out').map((item) => item.json)).toEqual([{ x: 'not used' }]);
	});

	it('outputOf explains which nodes ran when asked about one that did not', async () => {
		const result = await runWorkflow({ workflow: workflow({}), nodeTypes, credentialTypes });
		expect(() => result.outputOf('Nope')).toThrow(
			/Node "Nope" did not run[\s\S]*Call API \(error: Credential/,
		);
	});

	it('rejects, naming node and parameter, when a required parameter is empty (n8n will not start such a run)', async () => {
		await expect(
			runWorkflow({
				workflow: {
					nodes: [{ name: 'Need', type: 'test.needsAmount', typeVersion: 1, parameters: {} }],
					connections: {},
				},
				nodeTypes,
			}),
		).rejects.toThrow(
			/^The workflow has issues and cannot be executed.*Issues: \{"Need":\{"parameters":\{"amount":/,
		);
	});

	it('unknown node types fail fast with the known ones listed', async () => {
		await expect(
			runWorkflow({
				workflow: {
					nodes: [{ name: 'X', type: 'test.nope', typeVersion: 1, parameters: {} }],
					connections: {},
				},
			}),
		).rejects.toThrow(/Unrecognized node type "test.nope"; known types: .*n8n-nodes-base.noOp/);
	});
});
