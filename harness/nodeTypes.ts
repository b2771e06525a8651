/**
 * Node-types registry for the harness: what n8n's `NodeTypes` service gives a `Workflow`.
 *
 * Nodes are registered under their real n8n type names (`<package>.<node>`) so exported workflow JSON runs
 * unchanged. Product node files are required only when a workflow first asks for their type, because
 * they are written in parallel with this harness: a missing file must not break unrelated tests, while a
 * broken one must fail the test that uses it, loudly.
 */
import { existsSync } from 'fs';
import { join } from 'path';
import { NodeHelpers } from 'n8n-workflow';
import type { IDataObject, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';

import { Items } from './nodes/Items.node';
import { ManualTrigger } from './nodes/ManualTrigger.node';
import { NoOp } from './nodes/NoOp.node';
import { StickyNote } from './nodes/StickyNote.node';

/** A node instance, a node class, or a function returning either (for lazy loading). */
export type NodeTypeRegistration =
	| INodeType
	| IVersionedNodeType
	| (new () => INodeType | IVersionedNodeType)
	| (() => INodeType | IVersionedNodeType);

const REPO_ROOT = join(__dirname, '..');

/** Our package's nodes: type name → file (without extension, relative to the repo root) and class name. */
export const PRODUCT_NODES: Record<string, { file: string; className: string }> = {
	'n8n-nodes-paymentstrust.paymentsTrust': {
		file: 'nodes/PaymentsTrust/PaymentsTrust.node',
		className: 'PaymentsTrust',
	},
	'n8n-nodes-paymentstrust.paymentsTrustTrigger': {
		file: 'nodes/PaymentsTrustTrigger/PaymentsTrustTrigger.node',
		className: 'PaymentsTrustTrigger',
	},
};

/** Stand-ins for the few n8n-nodes-base nodes example workflows use (n8n-nodes-base is not installed). */
export const STAND_IN_NODES: Record<string, NodeTypeRegistration> = {
	'n8n-nodes-base.manualTrigger': ManualTrigger,
	'n8n-nodes-base.noOp': NoOp,
	'n8n-nodes-base.stickyNote': StickyNote,
	'test.items': Items,
};

function sourceExists(file: string): boolean {
	return ['.ts', '.js'].some((ext) => existsSync(join(REPO_ROOT, file + ext)));
}

function loadProductNode(typeName: string): INodeType | IVersionedNodeType {
	const { file, className } = PRODUCT_NODES[typeName];
	// Name the extension: `X.node` alone would resolve to the codex file `X.node.json` first.
	const extension = existsSync(join(REPO_ROOT, `${file}.ts`)) ? '.ts' : '.js';
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const moduleExports = require(join(REPO_ROOT, file + extension)) as Record<string, unknown>;
	const NodeClass = moduleExports[className];
	if (typeof NodeClass !== 'function') {
		throw new Error(`${file} does not export a class named ${className} (node type ${typeName})`);
	}
	return new (NodeClass as new () => INodeType | IVersionedNodeType)();
}

function isClass(fn: Function): boolean {
	// Classes (ours compile to ES2021 classes) cannot be called without `new`; plain loaders can.
	return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

function instantiate(registration: NodeTypeRegistration): INodeType | IVersionedNodeType {
	if (typeof registration !== 'function') return registration;
	if (isClass(registration)) {
		return new (registration as new () => INodeType | IVersionedNodeType)();
	}
	return (registration as () => INodeType | IVersionedNodeType)();
}

export class HarnessNodeTypes implements INodeTypes {
	private readonly registrations = new Map<string, () => INodeType | IVersionedNodeType>();

	private readonly loaded = new Map<string, INodeType | IVersionedNodeType>();

	constructor(
		extra: Record<string, NodeTypeRegistration> = {},
		options: { productNodes?: boolean } = {},
	) {
		if (options.productNodes !== false) {
			for (const typeName of Object.keys(PRODUCT_NODES)) {
				const { file } = PRODUCT_NODES[typeName];
				if (!sourceExists(file)) continue; // not written yet
				this.registrations.set(typeName, () => loadProductNode(typeName));
			}
		}
		for (const [typeName, registration] of Object.entries({ ...STAND_IN_NODES, ...extra })) {
			this.register(typeName, registration);
		}
	}

	/** Adds or replaces a node type; the registration is instantiated on first use. */
	register(typeName: string, registration: NodeTypeRegistration): this {
		this.loaded.delete(typeName);
		this.registrations.set(typeName, () => instantiate(registration));
		return this;
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const cached = this.loaded.get(nodeType);
		if (cached) return cached;
		const load = this.registrations.get(nodeType);
		if (!load) {
			const product = PRODUCT_NODES[nodeType];
			const hint = product
				? ` (${product.file}.ts does not exist yet)`
				: `; known types: ${[...this.registrations.keys()].join(', ')}`;
			throw new Error(`Unrecognized node type "${nodeType}"${hint}`);
		}
		const instance = load();
		this.loaded.set(nodeType, instance);
		return instance;
	}

	/** Resolves a versioned node to the implementation for `version` (latest when omitted), as n8n does. */
	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		const known: IDataObject = {};
		for (const typeName of this.registrations.keys()) {
			known[typeName] = { className: typeName.split('.').pop() ?? typeName, sourcePath: '' };
		}
		return known;
	}
}

/** A registry holding our product nodes, the stand-ins and any `extra` types (which win on name clashes). */
export function createNodeTypes(
	extra: Record<string, NodeTypeRegistration> = {},
	options: { productNodes?: boolean } = {},
): HarnessNodeTypes {
	return new HarnessNodeTypes(extra, options);
}
