/**
 * In-memory stand-in for n8n's credentials service (`packages/cli/src/credentials-helper.ts`), which
 * n8n-core calls through `additionalData.credentialsHelper` whenever a node reads credentials or makes an
 * authenticated request.
 *
 * Behaves like n8n where it matters for our nodes: stored data gets the credential type's defaults,
 * `={{ }}` values in it are resolved, and the type's `authenticate` is applied either by calling it
 * (function style) or, for the generic style, by resolving each `={{$credentials.x}}` through the
 * workflow's own expression engine, so HTTP Basic / headers / qs / body really reach the server.
 * Credentials are looked up by credential type name: one set of data per type and test.
 */
import { getAdditionalKeys } from 'n8n-core';
import {
	ICredentials,
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	isExpression,
} from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsEncrypted,
	ICredentialsExpressionResolveValues,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import type { HarnessCredentialTypes } from './credentialTypes';

/** Credential data keyed by credential type name, e.g. `{ paymentsTrustApi: { accountId, apiKey, … } }`. */
export type CredentialsByType = Record<string, ICredentialDataDecryptedObject>;

/** Plain, unencrypted credentials record: the harness never touches n8n's encryption key. */
class PlainCredentials extends ICredentials {
	constructor(
		details: INodeCredentialsDetails,
		type: string,
		private value: ICredentialDataDecryptedObject,
	) {
		super(details, type);
	}

	getData(): ICredentialDataDecryptedObject {
		return this.value;
	}

	setData(data: ICredentialDataDecryptedObject): void {
		this.value = data;
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: JSON.stringify(this.value) };
	}
}

/** A throwaway one-node workflow to evaluate credential expressions outside an execution, as n8n does. */
function expressionWorkflow(): Workflow {
	const node: INode = {
		id: 'credentials',
		name: 'credentials',
		type: 'mock',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const mockType = { description: { properties: [] } } as unknown as INodeType;
	const nodeTypes: INodeTypes = {
		getByName: () => mockType,
		getByNameAndVersion: () => mockType,
		getKnownTypes: () => ({}),
	};
	return new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
}

export class HarnessCredentialsHelper extends ICredentialsHelper {
	/** Every `updateCredentials` / `updateCredentialsOauthTokenData` call, for tests that check token refresh. */
	readonly updates: Array<{ type: string; data: ICredentialDataDecryptedObject }> = [];

	constructor(
		readonly credentialTypes: HarnessCredentialTypes,
		private readonly store: CredentialsByType = {},
	) {
		super();
	}

	private stored(
		nodeCredentials: INodeCredentialsDetails | undefined,
		type: string,
	): ICredentialDataDecryptedObject {
		const data = this.store[type];
		if (data === undefined) {
			// Same wording as n8n's CredentialNotFoundError, so tests see what a user would.
			throw new Error(
				`Credential with ID "${nodeCredentials?.id ?? ''}" does not exist for type "${type}".`,
			);
		}
		return data;
	}

	getParentTypes(name: string): string[] {
		return this.credentialTypes.getParentTypes(name);
	}

	/** Own properties merged over those of the types it `extends`, like n8n. */
	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.credentialTypes.getByName(type);
		if (!credentialType.extends) return credentialType.properties;
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}

	async getCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentials> {
		return new PlainCredentials(nodeCredentials, type, { ...this.stored(nodeCredentials, type) });
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const original = { ...this.stored(nodeCredentials, type) };
		if (raw === true) return original;

		// n8n fills in the credential type's defaults (e.g. our `privateApiPath: '/api'`) before a node sees them.
		const withDefaults = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			original as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		// Like n8n, keep OAuth token data and the like that are not declared as properties.
		for (const key of Object.keys(original)) {
			if (!(key in withDefaults)) withDefaults[key] = original[key];
		}

		const additionalKeys = getAdditionalKeys(additionalData, mode, null);
		if (expressionResolveValues) {
			const { workflow, runExecutionData, runIndex, itemIndex, node, connectionInputData } =
				expressionResolveValues;
			try {
				return workflow.expression.getParameterValue(
					withDefaults as INodeParameters,
					runExecutionData,
					runIndex,
					itemIndex,
					node.name,
					connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					withDefaults,
				) as ICredentialDataDecryptedObject;
			} catch (error) {
				(error as Error).message += ' [Error resolving credentials]';
				throw error;
			}
		}
		if (!Object.values(withDefaults).some((value) => isExpression(value))) return withDefaults;
		const workflow = expressionWorkflow();
		return workflow.expression.getComplexParameterValue(
			Object.values(workflow.nodes)[0],
			withDefaults as INodeParameters,
			mode,
			additionalKeys,
			undefined,
			undefined,
			withDefaults,
		) as ICredentialDataDecryptedObject;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.credentialTypes.getByName(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			const resolve = (value: string): string => {
				if (!isExpression(value)) return value;
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				return resolved ? String(resolved) : '';
			};
			const target = requestOptions as unknown as Record<
				string,
				Record<string, string> | undefined
			>;
			if (requestOptions.headers === undefined) requestOptions.headers = {};
			// Each of auth / headers / qs / body: resolve keys and values, then merge into the request.
			for (const [section, entries] of Object.entries(authenticate.properties)) {
				const merged = (target[section] ??= {});
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					merged[resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	/** Runs the type's `preAuthentication` when its expirable hidden property is empty or expired, as n8n does. */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes.getByName(typeName);
		const expirable = credentialType.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (!expirable || typeof credentialType.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;

		const output = (await credentialType.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		const nodeCredentials = node.credentials?.[credentialType.name];
		if (nodeCredentials) {
			await this.updateCredentials(nodeCredentials, credentialType.name, {
				...this.store[typeName],
				...output,
			});
		}
		return Object.assign(credentials, output);
	}

	/** Newer n8n-core versions call this on every OAuth2 request; kept so the helper fits them too. */
	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const { preAuthentication } = this.credentialTypes.getByName(typeName);
		if (typeof preAuthentication !== 'function') return undefined;
		return (
			((await preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject) ??
			undefined
		);
	}

	isCredentialUsableByNode(_credentialType: string, _nodeType: string): boolean {
		return true;
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store[type] = data;
		this.updates.push({ type, data });
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store[type] = { ...this.store[type], oauthTokenData: data.oauthTokenData };
		this.updates.push({ type, data });
	}
}
