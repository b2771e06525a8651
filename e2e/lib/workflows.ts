/**
 * The example workflows, made ready for a throw-away n8n: fixed workflow ids (for `n8n execute --id`), the
 * imported credential's id, the trigger's production URL as the payouts' callback URL, and file paths moved
 * into the instance's allowed files folder. Nothing else of the examples is changed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { useCallerCredentials } from './callerAuth';

export const PACKAGE_NAME = 'n8n-nodes-paymentstrust';
export const NODE_TYPE = `${PACKAGE_NAME}.paymentsTrust`;
export const TRIGGER_TYPE = `${PACKAGE_NAME}.paymentsTrustTrigger`;
export const CREDENTIAL_TYPE = 'paymentsTrustApi';
export const CREDENTIAL_ID = 'ptE2eCredential1';
export const CREDENTIAL_NAME = 'PaymentsTrust account';
export const BULK_WORKFLOW_ID = 'ptE2eBulkPayouts';
export const CALLBACK_WORKFLOW_ID = 'ptE2eCallbacks01';

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion?: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
}

export interface WorkflowJson {
	id?: string;
	name: string;
	active?: boolean;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export function loadWorkflow(file: string): WorkflowJson {
	return JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson;
}

/** Applies `fn` to every string inside `value`, returning a copy. */
function mapStrings(value: unknown, fn: (s: string) => string): unknown {
	if (typeof value === 'string') return fn(value);
	if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
	}
	return value;
}

export interface PreparedWorkflow {
	workflow: WorkflowJson;
	notes: string[];
}

/**
 * The parts every example needs: id, inactive, our credential on every PaymentsTrust node, and the suite's copy of
 * each caller credential the example asks for (Header Auth, Basic Auth: e2e/lib/callerAuth.ts).
 */
export function baseline(source: WorkflowJson, id: string): PreparedWorkflow {
	const workflow = JSON.parse(JSON.stringify(source)) as WorkflowJson;
	workflow.id = id;
	workflow.active = false;
	const notes: string[] = [];
	for (const node of workflow.nodes) {
		if (node.credentials?.[CREDENTIAL_TYPE] || node.type.startsWith(`${PACKAGE_NAME}.`)) {
			node.credentials = {
				...node.credentials,
				[CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME },
			};
		}
	}
	useCallerCredentials(workflow);
	return { workflow, notes };
}

/**
 * Rewrites file paths of the example to `filesDir`: the Docker-style `/home/node/.n8n-files/` prefix, and a
 * `payouts.csv` path (relative or absolute) to `<filesDir>/<csvName>` (`payouts.csv` unless a part names its own).
 */
function moveFiles(prepared: PreparedWorkflow, filesDir: string, csvName = 'payouts.csv'): void {
	for (const node of prepared.workflow.nodes) {
		const before = JSON.stringify(node.parameters);
		node.parameters = mapStrings(node.parameters, (s) =>
			s
				.replace(/\/home\/node\/\.n8n-files\//g, `${filesDir}/`)
				.replace(
					/(^=?)([^\s'"`{}]*\/)?(payouts\.csv)$/,
					(_m, eq: string) => `${eq}${path.join(filesDir, csvName)}`,
				),
		) as Record<string, unknown>;
		if (JSON.stringify(node.parameters) !== before)
			prepared.notes.push(`file paths of "${node.name}" moved to ${filesDir}`);
	}
}

/**
 * An example for a part of the scenario: its own workflow id, our credential, and its `payouts.csv` read from a
 * CSV of the part's own in the files folder (so the part can change the sheet without touching the bulk run's).
 */
export function preparePartWorkflow(
	source: WorkflowJson,
	opts: { id: string; filesDir: string; csvName: string },
): PreparedWorkflow {
	const prepared = baseline(source, opts.id);
	moveFiles(prepared, opts.filesDir, opts.csvName);
	return prepared;
}

export function prepareBulkWorkflow(
	source: WorkflowJson,
	opts: { filesDir: string; callbackUrl?: string },
): PreparedWorkflow {
	const prepared = baseline(source, BULK_WORKFLOW_ID);
	moveFiles(prepared, opts.filesDir);
	if (opts.callbackUrl) {
		for (const node of prepared.workflow.nodes) {
			if (node.type !== NODE_TYPE) continue;
			const operation = String(node.parameters.operation ?? '');
			if (!/^create/i.test(operation)) continue;
			const additional = (node.parameters.additionalFields ?? {}) as Record<string, unknown>;
			node.parameters.additionalFields = { ...additional, callbackUrl: opts.callbackUrl };
			prepared.notes.push(`"${node.name}" (${operation}) sends callbacks to ${opts.callbackUrl}`);
		}
	}
	return prepared;
}

export function prepareCallbackWorkflow(
	source: WorkflowJson,
	opts: { filesDir: string },
): PreparedWorkflow {
	const prepared = baseline(source, CALLBACK_WORKFLOW_ID);
	moveFiles(prepared, opts.filesDir);
	return prepared;
}

/** Any other example, made ready the same way: a fixed id, our credential, file paths in the files folder. */
export function prepareExample(
	source: WorkflowJson,
	opts: { id: string; filesDir: string },
): PreparedWorkflow {
	const prepared = baseline(source, opts.id);
	moveFiles(prepared, opts.filesDir);
	return prepared;
}

export function triggerNode(workflow: WorkflowJson): WorkflowNode | undefined {
	return workflow.nodes.find((n) => n.type === TRIGGER_TYPE);
}

export function payoutNodes(workflow: WorkflowJson): WorkflowNode[] {
	return workflow.nodes.filter((n) => n.type === NODE_TYPE);
}

/** Data rows of a CSV file (header excluded, blank lines ignored). */
export function csvRowCount(file: string): number {
	const lines = readFileSync(file, 'utf8')
		.split(/\r?\n/)
		.filter((l) => l.trim() !== '');
	return Math.max(0, lines.length - 1);
}
