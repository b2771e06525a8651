/**
 * Proves dynamic-parameter methods run through n8n-core's LoadOptionsContext: current parameters (with
 * defaults filled in) are visible, credentials authenticate real requests, and list search gets its
 * filter and page token. Dummy node only.
 */
import { createServer } from 'http';
import type { AddressInfo } from 'net';
import type { Server } from 'http';
import type {
	ICredentialType,
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	ResourceMapperFields,
} from 'n8n-workflow';

import { listSearch, loadOptions, resourceMapping } from '../../harness/loadOptions';

class ListApi implements ICredentialType {
	name = 'listApi';
	displayName = 'List API';
	properties: ICredentialType['properties'] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Token', name: 'token', type: 'string', default: '' },
	];
	authenticate: ICredentialType['authenticate'] = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } },
	};
}

class Lister implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Lister',
		name: 'lister',
		group: ['transform'],
		version: [1, 2],
		description: 'Has dropdowns',
		defaults: { name: 'Lister' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'listApi', required: true }],
		properties: [
			{ displayName: 'Kind', name: 'kind', type: 'string', default: 'fruit' },
			{
				displayName: 'Item',
				name: 'item',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getItems' },
				default: '',
			},
		],
	};

	methods = {
		loadOptions: {
			async getItems(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const { baseUrl } = await this.getCredentials('listApi');
				const kind = this.getCurrentNodeParameter('kind') as string;
				const names = (await this.helpers.httpRequestWithAuthentication.call(this, 'listApi', {
					url: `${baseUrl as string}/items`,
					qs: { kind },
					json: true,
				})) as string[];
				return names.map((name) => ({ name, value: name }));
			},
		},
		listSearch: {
			async searchItems(
				this: ILoadOptionsFunctions,
				filter?: string,
				paginationToken?: string,
			): Promise<INodeListSearchResult> {
				return {
					results: [{ name: `${filter}@${paginationToken}`, value: 'x' }],
					paginationToken: 'next',
				};
			},
		},
		resourceMapping: {
			async getFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
				return {
					fields: [
						{
							id: 'amount',
							displayName: 'Amount',
							required: true,
							defaultMatch: false,
							display: true,
							type: 'number',
						},
					],
				};
			},
		},
	};
}

describe('loadOptions / listSearch / resourceMapping', () => {
	let server: Server;
	let baseUrl: string;
	beforeAll(async () => {
		server = createServer((req, res) => {
			res.setHeader('content-type', 'application/json');
			if (req.headers.authorization !== 'Bearer t-1') {
				res.statusCode = 401;
				res.end('{}');
				return;
			}
			const kind = new URL(req.url ?? '', 'http://x').searchParams.get('kind');
			res.end(JSON.stringify(kind === 'fruit' ? ['apple', 'pear'] : ['carrot']));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

	const common = () => ({
		nodeType: 'test.lister',
		nodeTypes: { 'test.lister': Lister },
		credentialTypes: [new ListApi()],
		credentials: { listApi: { baseUrl, token: 't-1' } },
	});

	it('sees parameter defaults and authenticates the request', async () => {
		expect(await loadOptions('getItems', common())).toEqual([
			{ name: 'apple', value: 'apple' },
			{ name: 'pear', value: 'pear' },
		]);
	});

	it('sees the parameters the test passes', async () => {
		const options = await loadOptions('getItems', {
			...common(),
			parameters: { kind: 'vegetable' },
		});
		expect(options.map((option) => option.value)).toEqual(['carrot']);
	});

	it('surfaces an API failure as the thrown error', async () => {
		await expect(
			loadOptions('getItems', { ...common(), credentials: { listApi: { baseUrl, token: 'bad' } } }),
		).rejects.toThrow(/Authorization failed/);
	});

	it('passes filter and pagination token to listSearch; returns resource mapper fields', async () => {
		expect(
			await listSearch('searchItems', { ...common(), filter: 'ap', paginationToken: 'p2' }),
		).toEqual({
			results: [{ name: 'ap@p2', value: 'x' }],
			paginationToken: 'next',
		});
		expect((await resourceMapping('getFields', common())).fields[0].id).toBe('amount');
	});

	it('names the methods a node has when asked for one it lacks', async () => {
		await expect(loadOptions('nope', common())).rejects.toThrow(
			/has no methods.loadOptions.nope \(has: getItems\)/,
		);
	});
});
