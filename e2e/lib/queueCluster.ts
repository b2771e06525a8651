/**
 * n8n in queue mode on loopback: one main (`n8n start`), workers (`n8n worker`) and webhook processes
 * (`n8n webhook`), sharing one PostgreSQL database, one Redis queue and one encryption key; each with a user
 * folder of its own (so each loads the packed package from its own community-nodes folder) and its own ports.
 * Every process carries PROCESS_TAG_ENV, so a workflow can say which process ran it.
 *
 * What it takes (N8N-NOTES "Queue mode with n8n 2.41.1"): main starts first and runs the migrations; workers
 * answer /healthz/readiness on QUEUE_HEALTH_CHECK_PORT; short worker locks so that the execution of a killed
 * worker is failed after ~40 s instead of ~100 s.
 */
import path from 'node:path';

import { communityNodesDir, createInstance, Instance, N8nInstall, startServer } from './n8n';
import { installPacked, PackedPackage } from './package';
import { freePort, startProcess, Started, waitFor } from './processes';
import type { QueueServices } from './services';

/** The env var each n8n process of the suite carries (main, worker-1, worker-2, webhook-1, ...). */
export const PROCESS_TAG_ENV = 'PT_E2E_PROCESS';

export type Role = 'main' | 'worker' | 'webhook';

export interface ClusterProcess {
	tag: string;
	role: Role;
	inst: Instance;
	/** Readiness URL (main and webhook processes: their HTTP port; workers: their health-check port). */
	readyUrl: string;
	proc?: Started;
}

export interface ClusterOptions {
	install: N8nInstall;
	services: QueueServices;
	dir: string;
	filesDir: string;
	pkg: PackedPackage;
	workers: number;
	webhooks: number;
	/** Executions one worker runs at once (`n8n worker --concurrency`). */
	workerConcurrency: number;
	extraEnv?: NodeJS.ProcessEnv;
	/** Environment for the processes of one role only (e.g. a heap limit for workers). */
	roleEnv?: Partial<Record<Role, NodeJS.ProcessEnv>>;
}

export const QUEUE_ENV: NodeJS.ProcessEnv = {
	EXECUTIONS_MODE: 'queue',
	OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	QUEUE_HEALTH_CHECK_ACTIVE: 'true',
	// Without it main looks up n8n's hosts at start (offline: a long wait).
	N8N_DISABLED_MODULES: 'mcp-registry',
	// A dead worker's job lock runs out in 10 s and is noticed within 5 s (defaults: 30 s / 30 s).
	QUEUE_WORKER_LOCK_DURATION: '10000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
	QUEUE_WORKER_STALLED_INTERVAL: '5000',
};

export class QueueCluster {
	readonly processes: ClusterProcess[] = [];

	private constructor(private readonly opts: ClusterOptions) {}

	/** Creates the user folders and installs the packed package into each; starts nothing. */
	static async create(opts: ClusterOptions): Promise<QueueCluster> {
		const cluster = new QueueCluster(opts);
		const roles: Array<[Role, number]> = [
			['main', 1],
			['worker', opts.workers],
			['webhook', opts.webhooks],
		];
		for (const [role, count] of roles) {
			for (let i = 1; i <= count; i++) {
				const tag = role === 'main' ? 'main' : `${role}-${i}`;
				const healthPort = role === 'worker' ? await freePort() : undefined;
				const inst = await createInstance(opts.install, {
					userFolder: path.join(opts.dir, tag),
					logDir: path.join(opts.dir, 'logs', tag),
					filesDir: opts.filesDir,
					extra: {
						...QUEUE_ENV,
						...opts.services.env,
						[PROCESS_TAG_ENV]: tag,
						...(healthPort ? { QUEUE_HEALTH_CHECK_PORT: String(healthPort) } : {}),
						...opts.extraEnv,
						...opts.roleEnv?.[role],
					},
				});
				await installPacked(opts.pkg, communityNodesDir(inst.userFolder), inst.logDir);
				const readyUrl = healthPort
					? `http://127.0.0.1:${healthPort}/healthz/readiness`
					: `${inst.baseUrl}/healthz/readiness`;
				cluster.processes.push({ tag, role, inst, readyUrl });
			}
		}
		return cluster;
	}

	get main(): ClusterProcess {
		return this.processes.find((p) => p.role === 'main')!;
	}

	byRole(role: Role): ClusterProcess[] {
		return this.processes.filter((p) => p.role === role);
	}

	/** Main first (it migrates the fresh database), then every worker and webhook process together. */
	async start(timeoutMs: number): Promise<void> {
		const main = this.main;
		main.proc = await startServer(main.inst, timeoutMs);
		await Promise.all(
			this.processes
				.filter((p) => p.role !== 'main')
				.map(async (p) => await this.startOne(p, timeoutMs)),
		);
	}

	async startOne(p: ClusterProcess, timeoutMs: number): Promise<void> {
		const args =
			p.role === 'worker'
				? ['worker', `--concurrency=${this.opts.workerConcurrency}`]
				: p.role === 'webhook'
					? ['webhook']
					: ['start'];
		const proc = startProcess(
			`${this.opts.install.label} ${p.tag}`,
			p.inst.install.nodeBin,
			[p.inst.install.n8nBin, ...args],
			{
				env: p.inst.env,
				cwd: p.inst.userFolder,
				logFile: path.join(p.inst.logDir, `n8n-${p.tag}.log`),
			},
		);
		p.proc = proc;
		let exitedWith: number | string | undefined;
		void proc.exited.then((code) => (exitedWith = code));
		await waitFor(
			`${p.tag} to answer ${p.readyUrl}`,
			async () =>
				(await fetch(p.readyUrl, { signal: AbortSignal.timeout(2_000) })).ok ? true : undefined,
			{
				timeoutMs,
				intervalMs: 500,
				abort: () =>
					exitedWith !== undefined
						? `it exited with ${exitedWith}; see ${proc.logFile}`
						: undefined,
			},
		);
	}

	async stop(): Promise<void> {
		await Promise.all(this.processes.map(async (p) => await p.proc?.stop()));
	}
}
