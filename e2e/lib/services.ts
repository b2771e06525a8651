/**
 * The machine's PostgreSQL and Redis, as queue-mode n8n uses them: a database of the suite's own (created
 * and dropped with the `createdb`/`dropdb` command-line tools, no client library) and Redis key prefixes of
 * its own (removed with `redis-cli` afterwards), so that runs never share state with each other or with
 * anything else on the machine.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { runCommand } from './processes';

export const PG_HOST = process.env.PT_E2E_PG_HOST || '127.0.0.1';
export const PG_PORT = Number(process.env.PT_E2E_PG_PORT || 5432);
export const PG_USER = process.env.PT_E2E_PG_USER || 'postgres';
export const REDIS_HOST = process.env.PT_E2E_REDIS_HOST || '127.0.0.1';
export const REDIS_PORT = Number(process.env.PT_E2E_REDIS_PORT || 6379);

export interface QueueServices {
	database: string;
	/** Prefix of the Bull queue keys (QUEUE_BULL_PREFIX) and of n8n's own keys (N8N_REDIS_KEY_PREFIX). */
	bullPrefix: string;
	redisPrefix: string;
	/** The env a queue-mode n8n process needs to reach them. */
	env: NodeJS.ProcessEnv;
}

async function pgTool(tool: string, args: string[], logDir: string): Promise<void> {
	const res = await runCommand(
		tool,
		['-h', PG_HOST, '-p', String(PG_PORT), '-U', PG_USER, ...args],
		{
			env: process.env,
			logFile: path.join(logDir, 'services.log'),
			timeoutMs: 60_000,
		},
	);
	if (res.code !== 0)
		throw new Error(
			`${tool} ${args.join(' ')} exited with ${res.code}: ${(res.stderr || res.stdout).trim()}`,
		);
}

async function redisCli(args: string[], logDir: string): Promise<string> {
	const res = await runCommand('redis-cli', ['-h', REDIS_HOST, '-p', String(REDIS_PORT), ...args], {
		env: process.env,
		logFile: path.join(logDir, 'services.log'),
		timeoutMs: 60_000,
	});
	if (res.code !== 0)
		throw new Error(`redis-cli ${args.join(' ')} exited with ${res.code}: ${res.stderr.trim()}`);
	return res.stdout;
}

/** A database of its own (`pt_e2e_<tag>_<random>`) on the machine's PostgreSQL, for a check that needs one. */
export async function createDatabase(tag: string, logDir: string): Promise<{ database: string }> {
	const database = `pt_e2e_${tag}_${randomBytes(4).toString('hex')}`;
	await pgTool('createdb', [database], logDir);
	return { database };
}

export async function dropDatabase(db: { database: string }, logDir: string): Promise<void> {
	await pgTool('dropdb', ['--if-exists', '--force', db.database], logDir);
}

/** Creates the suite's own database and picks its Redis prefixes; fails clearly if either server is down. */
export async function createQueueServices(logDir: string): Promise<QueueServices> {
	const tag = randomBytes(4).toString('hex');
	const database = `pt_e2e_${tag}`;
	const pong = await redisCli(['ping'], logDir).catch((error: Error) => error.message);
	if (!pong.includes('PONG'))
		throw new Error(`Redis at ${REDIS_HOST}:${REDIS_PORT} does not answer PING: ${pong}`);
	await pgTool('createdb', [database], logDir);
	const bullPrefix = `pt-e2e-${tag}-bull`;
	const redisPrefix = `pt-e2e-${tag}-n8n`;
	return {
		database,
		bullPrefix,
		redisPrefix,
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: PG_HOST,
			DB_POSTGRESDB_PORT: String(PG_PORT),
			DB_POSTGRESDB_DATABASE: database,
			DB_POSTGRESDB_USER: PG_USER,
			DB_POSTGRESDB_PASSWORD: '',
			QUEUE_BULL_REDIS_HOST: REDIS_HOST,
			QUEUE_BULL_REDIS_PORT: String(REDIS_PORT),
			QUEUE_BULL_PREFIX: bullPrefix,
			N8N_REDIS_KEY_PREFIX: redisPrefix,
		},
	};
}

/** Drops the database (forcing out leftover connections) and deletes every key under the prefixes. */
export async function dropQueueServices(services: QueueServices, logDir: string): Promise<void> {
	const errors: string[] = [];
	await pgTool('dropdb', ['--if-exists', '--force', services.database], logDir).catch((e: Error) =>
		errors.push(e.message),
	);
	for (const prefix of [services.bullPrefix, services.redisPrefix]) {
		try {
			const keys = (await redisCli(['--scan', '--pattern', `${prefix}*`], logDir))
				.split('\n')
				.filter(Boolean);
			for (let i = 0; i < keys.length; i += 200)
				await redisCli(['del', ...keys.slice(i, i + 200)], logDir);
		} catch (error) {
			errors.push((error as Error).message);
		}
	}
	if (errors.length) throw new Error(errors.join('; '));
}

/** One SQL query's rows (tab-separated fields), through `psql`. */
export async function sql(
	services: { database: string },
	query: string,
	logDir: string,
): Promise<string[][]> {
	const res = await runCommand(
		'psql',
		[
			'-h',
			PG_HOST,
			'-p',
			String(PG_PORT),
			'-U',
			PG_USER,
			'-d',
			services.database,
			'-AtF',
			'\t',
			'-v',
			'ON_ERROR_STOP=1',
			'-c',
			query,
		],
		{ env: process.env, logFile: path.join(logDir, 'services.log'), timeoutMs: 60_000 },
	);
	if (res.code !== 0) throw new Error(`psql exited with ${res.code}: ${res.stderr.trim()}`);
	return res.stdout
		.split('\n')
		.filter((l) => l !== '')
		.map((l) => l.split('\t'));
}
