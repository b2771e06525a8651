/**
 * Where a real n8n 2.41.1 spends its CPU on Create and Process (diagnostic, not part of `npm run bench`):
 * one `n8n start` (SQLite) with `--cpu-prof`, N rows (default 2,000) paid at concurrency 10 with no latency,
 * then n8n is stopped (it writes the profile on exit) and the profile's self time is summed per package.
 *
 *   npx tsx bench/profile-n8n.ts [rows] [columns|fields] [latency ms, default 0]
 *
 * The second argument is the payout node's Rows From (issue 21): the bulk example as it is (columns, default) or
 * with an n8n expression per field (fields, the example before issue 21). Besides self time per package, each
 * sample is given to an owner by its call stack: reading the credential (n8n's database, on every request), node
 * parameters and expressions (n8n), n8n's HTTP stack, our node's own code, the rest of n8n, Node.js and V8.
 * The profile is of n8n's main thread; the CPU of the whole process group (other threads, the task runner) over the
 * same run is printed beside it, so that work off the main thread shows as the difference.
 */
/* eslint-disable no-console */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

import {
	activateWorkflow,
	communityNodesDir,
	createInstance,
	importCredentials,
	importWorkflow,
	n8nInstall,
	startServer,
} from '../e2e/lib/n8n';
import { buildAndPack, installPacked } from '../e2e/lib/package';
import { sleep, stopAll } from '../e2e/lib/processes';
import { configureSandbox, sandboxCredentialData, startSandboxProcess } from '../e2e/lib/sandbox';
import { CREDENTIAL_ID, CREDENTIAL_NAME, CREDENTIAL_TYPE } from '../e2e/lib/workflows';
import { ProcessGroupSampler } from './procStats';
import { benchWorkflowFor, type RowsFrom } from './realN8n';

const ROOT = resolve(__dirname, '..');

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string };
	children?: number[];
}

function bucket(url: string): string {
	if (!url) return '(native / idle / gc)';
	const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:dist\/)?([^/]+)?/);
	if (m)
		return m[1] === 'n8n-nodes-paymentstrust'
			? 'n8n-nodes-paymentstrust (our node)'
			: m[1] === 'n8n-core' || m[1] === 'n8n' || m[1].startsWith('@n8n')
				? `${m[1]}/${m[2] ?? ''}`
				: m[1];
	if (url.startsWith('node:')) return url.split('/')[0];
	return url.slice(0, 60);
}

/**
 * Who a sample's CPU belongs to, from its call stack (innermost frame last). Work that continues after an `await`
 * has lost its caller's frames, so what the database driver and ORM do is counted as the credential read by
 * package: during a run nothing else of n8n's reads the database per request.
 */
const OWNERS: Array<[string, (stack: ProfileNode['callFrame'][]) => boolean]> = [
	[
		'n8n: reading the credential on every request (database, decryption)',
		(stack) =>
			stack.some(
				(frame) =>
					/getDecrypted|getCredentials$|preAuthentication/.test(frame.functionName) ||
					/typeorm|sqlite3|credentials-helper|@n8n\/db/.test(frame.url),
			),
	],
	[
		'n8n: node parameters and expressions (getNodeParameter, the expression engine)',
		(stack) =>
			stack.some(
				(frame) =>
					/getNodeParameter|resolveParameterValue|resolveSimpleParameterValue/.test(
						frame.functionName,
					) || /expression-runtime|isolated-vm|\/expression(-evaluator)?[^/]*\.js/.test(frame.url),
			),
	],
	[
		'our node (n8n-nodes-paymentstrust)',
		// By package, as in the self-time table: the e2e install's own folder is named after our package too.
		(stack) => bucket(stack[stack.length - 1].url) === 'n8n-nodes-paymentstrust (our node)',
	],
	[
		'n8n: HTTP (request helper, axios, sockets)',
		(stack) =>
			stack.some((frame) =>
				/axios|follow-redirects|request-helper|node:_http|node:http|node:net|node:tls/.test(
					frame.url,
				),
			),
	],
	[
		'n8n: everything else (engine, run data, webhooks)',
		(stack) => /node_modules\/(n8n|n8n-core|n8n-workflow|@n8n)\//.test(stack[stack.length - 1].url),
	],
	['Node.js, V8, GC, other packages', () => true],
];

async function main(): Promise<void> {
	const rows = Number(process.argv[2] ?? 2000);
	const rowsFrom = (process.argv[3] ?? 'columns') as RowsFrom;
	const latencyMs = Number(process.argv[4] ?? 0);
	let groupCpuMs = 0;
	let runMs = 0;
	let shutdownMs = 0;
	const dir = mkdtempSync(join(tmpdir(), 'pt-prof-'));
	const profDir = join(dir, 'prof');
	mkdirSync(profDir, { recursive: true });
	const pkg = await buildAndPack(ROOT, join(dir, 'pack'), join(dir, 'logs'));
	const sandbox = await startSandboxProcess(ROOT, join(dir, 'logs'), 60_000);
	try {
		const inst = await createInstance(n8nInstall(2), {
			userFolder: join(dir, 'n8n'),
			logDir: join(dir, 'logs', 'n8n'),
			filesDir: join(dir, 'files'),
		});
		await installPacked(pkg, communityNodesDir(inst.userFolder), inst.logDir);
		await importCredentials(inst, [
			{
				id: CREDENTIAL_ID,
				name: CREDENTIAL_NAME,
				type: CREDENTIAL_TYPE,
				data: sandboxCredentialData(sandbox.baseUrl),
			},
		]);
		await importWorkflow(
			inst,
			benchWorkflowFor(rowsFrom, {
				id: 'ptProfPayChunk01',
				webhookId: 'be0c0000-0000-4000-8000-00000000b0f1',
				path: 'pt-prof',
			}),
			'prof',
		);
		await activateWorkflow(inst, 'ptProfPayChunk01');
		inst.env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${profDir}`;
		const server = await startServer(inst, 180_000);
		const body = (prefix: string, n: number) =>
			JSON.stringify({
				chunk: 1,
				rows: Array.from({ length: n }, (_, i) => ({
					reference_id: `${prefix}-${i}`,
					service: 'test_usd',
					currency: 'USD',
					amount: '10.00',
					account: String(400000 + i),
					note: 'p',
				})),
			});
		// Warm-up; also waits until the webhook is registered (it may answer 404 for a moment after start).
		for (let attempt = 0; ; attempt++) {
			const warm = await fetch(`${inst.baseUrl}/webhook/pt-prof`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: body(`prof-warm-${attempt}`, 50),
			});
			if (warm.status === 200) break;
			if (attempt > 60) throw new Error(`warm-up answered ${warm.status}`);
			await sleep(1_000);
		}
		await configureSandbox(sandbox.baseUrl, { latencyMs });
		const group = new ProcessGroupSampler(new Map([['n8n', server.child.pid!]]));
		group.start();
		const t0 = Date.now();
		const res = await fetch(`${inst.baseUrl}/webhook/pt-prof`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: body('prof', rows),
			signal: AbortSignal.timeout(1_800_000),
		});
		runMs = Date.now() - t0;
		groupCpuMs = group.stop()[0].cpuSeconds * 1000;
		console.log(
			`${rows} rows (rows from ${rowsFrom}, ${latencyMs} ms per answer): ${res.status} in ` +
				`${(runMs / 1000).toFixed(1)} s; CPU of n8n's whole process group ` +
				`${(groupCpuMs / rows).toFixed(2)} ms per payout`,
		);
		const t1 = Date.now();
		await server.stop();
		shutdownMs = Date.now() - t1;
	} finally {
		await sandbox.process.stop();
		await stopAll();
	}
	const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
	// The biggest profile is the n8n server's (the CLI imports write small ones).
	const file = files
		.map((f) => join(profDir, f))
		.sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
	const profile = JSON.parse(readFileSync(file, 'utf8')) as {
		nodes: ProfileNode[];
		samples: number[];
		timeDeltas: number[];
		endTime: number;
	};
	// Only the samples of the measured run: start-up and shutdown are left out.
	const windowEnd = profile.endTime - shutdownMs * 1000;
	const windowStart = windowEnd - runMs * 1000;
	let at = profile.endTime - profile.timeDeltas.reduce((a, b) => a + b, 0);
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parentOf = new Map<number, number>();
	for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
	const stackOf = (id: number): ProfileNode['callFrame'][] => {
		const frames: ProfileNode['callFrame'][] = [];
		for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at))
			frames.unshift(byId.get(at)!.callFrame);
		return frames;
	};
	const byOwner = new Map<string, number>();
	const self = new Map<string, number>();
	let total = 0;
	profile.samples.forEach((id, i) => {
		at += profile.timeDeltas[i] ?? 0;
		if (at < windowStart || at > windowEnd) return;
		const node = byId.get(id)!;
		const ms = (profile.timeDeltas[i] ?? 0) / 1000;
		if (node.callFrame.functionName === '(idle)') return;
		total += ms;
		const key = bucket(node.callFrame.url);
		self.set(key, (self.get(key) ?? 0) + ms);
		const stack = stackOf(id);
		const owner = OWNERS.find(([, owns]) => owns(stack))![0];
		byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms);
	});
	console.log(
		`profile ${file}: ${(total / 1000).toFixed(1)} s of CPU in the measured run (${(total / rows).toFixed(2)} ms per payout; idle excluded), self time by package:`,
	);
	for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
		console.log(`  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${key}`);
	console.log('by owner (call stack):');
	for (const [owner] of OWNERS) {
		const ms = byOwner.get(owner) ?? 0;
		console.log(
			`  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${(ms / rows).toFixed(3)} ms/payout  ${owner}`,
		);
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
