/**
 * Child processes for the end-to-end suite: every process runs in its own process group, logs to a
 * file, has a bounded run time, and is killed (group and all) when the suite ends, even on failure.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface Started {
	name: string;
	child: ChildProcess;
	logFile: string;
	/** Resolves with the exit code (or the signal's name) when the process ends. */
	exited: Promise<number | string>;
	/** The log file's content so far. */
	log(): string;
	stop(): Promise<void>;
	/** Sends a signal to the whole process group at once (e.g. SIGKILL: a crash, nothing cleaned up). */
	signal(signal: NodeJS.Signals): void;
}

export interface SpawnOptions {
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	logFile: string;
}

const running = new Set<Started>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			// already gone
		}
	}
}

/** Starts a long-running process (a server) in its own process group, output to `logFile`. */
export function startProcess(
	name: string,
	cmd: string,
	args: string[],
	opts: SpawnOptions,
): Started {
	mkdirSync(path.dirname(opts.logFile), { recursive: true });
	const out: WriteStream = createWriteStream(opts.logFile, { flags: 'a' });
	out.write(`$ ${cmd} ${args.join(' ')}\n`);
	const child = spawn(cmd, args, {
		cwd: opts.cwd,
		env: opts.env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	child.stdout?.pipe(out, { end: false });
	child.stderr?.pipe(out, { end: false });
	const exited = new Promise<number | string>((resolve) => {
		child.on('error', (error) => {
			out.write(`\n[spawn error] ${error.message}\n`);
			resolve('spawn-error');
		});
		child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
	});
	const started: Started = {
		name,
		child,
		logFile: opts.logFile,
		exited,
		log: () => {
			try {
				return readFileSync(opts.logFile, 'utf8');
			} catch {
				return '';
			}
		},
		stop: async () => {
			killGroup(child, 'SIGTERM');
			const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
			await exited;
			clearTimeout(timer);
			// Whatever the group leader left behind (task runners and the like).
			killGroup(child, 'SIGKILL');
			running.delete(started);
			out.end();
		},
		signal: (signal) => killGroup(child, signal),
	};
	running.add(started);
	void exited.then(() => running.delete(started));
	return started;
}

export interface RunResult {
	code: number | string;
	stdout: string;
	stderr: string;
	timedOut: boolean;
	ms: number;
}

/** Runs a command to completion with a time limit; output is kept and also appended to `logFile`. */
export async function runCommand(
	cmd: string,
	args: string[],
	opts: SpawnOptions & { timeoutMs: number },
): Promise<RunResult> {
	const t0 = Date.now();
	mkdirSync(path.dirname(opts.logFile), { recursive: true });
	const log = createWriteStream(opts.logFile, { flags: 'a' });
	log.write(`\n$ ${cmd} ${args.join(' ')}\n`);
	const child = spawn(cmd, args, {
		cwd: opts.cwd,
		env: opts.env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	const handle: Started = {
		name: cmd,
		child,
		logFile: opts.logFile,
		exited: Promise.resolve(0),
		log: () => '',
		stop: async () => killGroup(child, 'SIGKILL'),
		signal: (signal) => killGroup(child, signal),
	};
	running.add(handle);
	let stdout = '';
	let stderr = '';
	child.stdout?.on('data', (d: Buffer) => {
		stdout += d.toString();
		log.write(d);
	});
	child.stderr?.on('data', (d: Buffer) => {
		stderr += d.toString();
		log.write(d);
	});
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		killGroup(child, 'SIGTERM');
		setTimeout(() => killGroup(child, 'SIGKILL'), 5_000).unref();
	}, opts.timeoutMs);
	const code = await new Promise<number | string>((resolve) => {
		child.on('error', (error) => {
			stderr += `\n[spawn error] ${error.message}`;
			resolve('spawn-error');
		});
		child.on('close', (c, signal) => resolve(c ?? signal ?? 'unknown'));
	});
	clearTimeout(timer);
	killGroup(child, 'SIGKILL');
	running.delete(handle);
	log.write(`[exit ${code}${timedOut ? `, killed after ${opts.timeoutMs} ms` : ''}]\n`);
	log.end();
	return { code, stdout, stderr, timedOut, ms: Date.now() - t0 };
}

/** Stops every process this module started that is still running. */
export async function stopAll(): Promise<void> {
	await Promise.all([...running].map((p) => p.stop().catch(() => undefined)));
}

/** Kills every remaining process group synchronously (for `exit` handlers, where nothing async runs). */
export function killAllNow(): void {
	for (const p of running) killGroup(p.child, 'SIGKILL');
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

export const sleep = async (ms: number): Promise<void> =>
	await new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
	what: string,
	probe: () => Promise<T | undefined>,
	opts: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<T> {
	const deadline = Date.now() + opts.timeoutMs;
	let lastError = '';
	for (;;) {
		const reason = opts.abort?.();
		if (reason) throw new Error(`${what}: ${reason}`);
		try {
			const value = await probe();
			if (value !== undefined) return value;
		} catch (error) {
			lastError = (error as Error).message;
		}
		if (Date.now() > deadline) {
			throw new Error(
				`${what}: not within ${opts.timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}`,
			);
		}
		await sleep(opts.intervalMs ?? 250);
	}
}
