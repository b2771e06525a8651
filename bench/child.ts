/**
 * One bench case (bench/case.ts) in a fresh child process, so that its CPU time and peak RSS are its own.
 */
import { spawn } from 'child_process';
import { join, resolve } from 'path';

import type { CaseResult, CaseSpec } from './case';

const ROOT = resolve(__dirname, '..');

export function runChild(spec: CaseSpec, timeoutMs: number): Promise<CaseResult> {
	return new Promise((resolveRun) => {
		const child = spawn(
			process.execPath,
			[
				'--import',
				'tsx',
				'--expose-gc',
				'--max-old-space-size=8192',
				join(__dirname, 'case.ts'),
				JSON.stringify(spec),
			],
			{
				cwd: ROOT,
				stdio: ['ignore', 'pipe', 'pipe'],
				env: { ...process.env, NODE_ENV: 'production' },
			},
		);
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, timeoutMs);
		child.on('close', (code) => {
			clearTimeout(timer);
			const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
			if (line) return resolveRun(JSON.parse(line.slice('BENCH_RESULT '.length)) as CaseResult);
			const why = timedOut
				? `killed after the case's time limit of ${Math.round(timeoutMs / 1000)} s`
				: `exited ${code}`;
			resolveRun({
				ok: false,
				error: `${why}; ${stderr.trim().split('\n').slice(-3).join(' | ')}`.slice(0, 600),
			} as CaseResult);
		});
	});
}
