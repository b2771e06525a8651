/**
 * The set-up both end-to-end scenarios share (e2e/scenario.ts: one n8n; e2e/queueScenario.ts: n8n in
 * queue mode): what they are given, their folders, the sandbox as n8n needs it, the credentials as n8n
 * imports them, the examples imported and published with n8n's CLI, the owner set up through the REST
 * API, and the wait for a trigger's production webhook.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { callerCredentials } from './callerAuth';
import { activateWorkflow, importWorkflow, Instance, RestSession } from './n8n';
import { PackedPackage } from './package';
import { waitFor } from './processes';
import { Report } from './report';
import {
	configureSandbox,
	RunningSandbox,
	sandboxCredentialData,
	startSandboxProcess,
} from './sandbox';
import { CREDENTIAL_ID, CREDENTIAL_NAME, CREDENTIAL_TYPE } from './workflows';

/** What every scenario is given by e2e/run.ts. */
export interface ScenarioBase {
	root: string;
	workDir: string;
	pkg: PackedPackage;
	report: Report;
	/** Path of the trigger's webhook below its webhookId (from the built trigger's description). */
	webhookPath: string;
}

export interface ScenarioFolders {
	/** The scenario's own folder under the work folder. */
	dir: string;
	logDir: string;
	/** n8n's files folder (the Read/Write Files nodes of the examples). */
	filesDir: string;
}

/** The scenario's folders under `workDir/<name>`, the files folder (and `subfolders` of it) made. */
export function scenarioFolders(
	opts: ScenarioBase,
	name: string,
	subfolders: string[] = [],
): ScenarioFolders {
	const dir = path.join(opts.workDir, name);
	const logDir = path.join(dir, 'logs');
	const filesDir = path.join(dir, 'files');
	mkdirSync(filesDir, { recursive: true });
	for (const folder of subfolders) mkdirSync(path.join(filesDir, folder), { recursive: true });
	opts.report.info(`logs: ${logDir}`);
	return { dir, logDir, filesDir };
}

/** The sandbox, started as a process of its own and set up for a real n8n. */
export async function startSandboxForN8n(root: string, logDir: string): Promise<RunningSandbox> {
	const sandbox = await startSandboxProcess(root, logDir, 60_000);
	// The platform gives a test-mode callback 10 s to connect and 10 s to answer; the sandbox's one
	// per-attempt limit defaults to 10 s in all. n8n 2.x answers a burst of callbacks one after the other
	// (~0.2 s each on 2 cores), so give each attempt the platform's 20 s.
	await configureSandbox(sandbox.baseUrl, { callbackTimeoutMs: 20_000 });
	return sandbox;
}

/** The sandbox's PaymentsTrust credential, as `n8n import:credentials` takes it. */
export function sandboxCredential(sandboxBaseUrl: string) {
	return {
		id: CREDENTIAL_ID,
		name: CREDENTIAL_NAME,
		type: CREDENTIAL_TYPE,
		data: sandboxCredentialData(sandboxBaseUrl),
	};
}

/**
 * Every credential a user folder gets, as one `n8n import:credentials` file: the sandbox's PaymentsTrust
 * credential, then the scenario's own (`own`), then the callers' of the examples (e2e/lib/callerAuth.ts).
 */
export function suiteCredentials(sandboxBaseUrl: string, ...own: object[]): object[] {
	return [sandboxCredential(sandboxBaseUrl), ...own, ...callerCredentials()];
}

/**
 * Imports a workflow, or a list of them with one `n8n import:workflow` (every CLI command boots n8n: 10-20 s
 * on a busy machine), then publishes the ones in `publish` (`publish:workflow` on 2.x, `update:workflow
 * --active=true` on 1.x).
 */
export async function importAndPublish(
	inst: Instance,
	workflows: object,
	logName: string,
	publish: string[],
): Promise<void> {
	await importWorkflow(inst, workflows, logName);
	for (const id of publish) await activateWorkflow(inst, id);
}

/** A REST session on a started n8n, signed in as the owner it has just set up. */
export async function ownerSession(baseUrl: string): Promise<RestSession> {
	const rest = new RestSession(baseUrl);
	await rest.setUpOwner();
	return rest;
}

/**
 * Waits until a trigger's production webhook is registered: /healthz/readiness can answer before the
 * active workflows' webhooks are. `post` sends an unsigned probe; 404 means not yet.
 */
export async function waitForTriggerWebhook<T extends { status: number | null }>(
	url: string,
	post: (url: string, body: string, signature: string) => Promise<T>,
	what = "the trigger's production webhook to be registered",
): Promise<T> {
	return await waitFor(
		what,
		async () => {
			const r = await post(url, '{}', '');
			return r.status === 404 ? undefined : r;
		},
		{ timeoutMs: 60_000, intervalMs: 500 },
	);
}

/** Milliseconds as the reports show them: "12.3 s". */
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
