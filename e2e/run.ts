/**
 * `npm run test:e2e`: the package in real n8n instances (see e2e/README.md).
 *
 *   tsx e2e/run.ts [--only=v2|v1|queue] [--keep] [--timeout-minutes=N] [--skip-editor] [--parts=a,b]
 *                  [--queue-parts=bulk,kill,callbacks,agent]
 *
 * `--parts=a,b` runs only those parts of e2e/parts on the scenario's n8n (no bulk or callback checks, no editor
 * check, no queue mode): the quick loop while working on one feature.
 *
 * Needs the n8n installs of e2e/install-n8n.sh (run it first; it is idempotent). Builds and packs the
 * package once, then runs e2e/scenario.ts against n8n 2.x (Node 24) and n8n 1.x (this Node), the editor
 * check (e2e/editor-check.ts: headless Chromium in n8n 2.x's editor), and e2e/queueScenario.ts against
 * n8n 2.x in queue mode (PostgreSQL + Redis). Everything
 * listens on 127.0.0.1 only; every process it starts is killed at the end, on failure, on Ctrl+C and when the
 * overall time limit is hit. Temp folders are removed after a green run and kept (with their logs) otherwise.
 */
/* eslint-disable no-console */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { isInstalled, n8nInstall } from './lib/n8n';
import { buildAndPack } from './lib/package';
import { killAllNow, stopAll } from './lib/processes';
import { Report } from './lib/report';
import { runEditorCheck } from './editor-check';
import { QUEUE_PARTS, runQueueScenario, type QueuePart } from './queueScenario';
import { runScenario } from './scenario';

const ROOT = path.resolve(__dirname, '..');

function arg(name: string): string | undefined {
	const prefix = `--${name}=`;
	const hit = process.argv.find((a) => a === `--${name}` || a.startsWith(prefix));
	if (!hit) return undefined;
	return hit.startsWith(prefix) ? hit.slice(prefix.length) : 'true';
}

/** The trigger's webhook path, from the built node (it is part of the production URL). */
function webhookPath(): string {
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mod = require(
			path.join(ROOT, 'dist', 'nodes', 'PaymentsTrustTrigger', 'PaymentsTrustTrigger.node.js'),
		) as Record<string, new () => { description: { webhooks?: Array<{ path: string }> } }>;
		const Trigger = Object.values(mod)[0];
		return new Trigger().description.webhooks?.[0]?.path ?? 'paymentstrust';
	} catch {
		return 'paymentstrust';
	}
}

async function main(): Promise<number> {
	const only = arg('only');
	const onlyParts = arg('parts')
		?.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
	// `--queue-parts=agent`: queue mode with only those parts (also beside --parts: one run for both).
	const queueParts = arg('queue-parts')
		?.split(',')
		.map((name) => name.trim())
		.filter(Boolean) as QueuePart[] | undefined;
	const unknownPart = queueParts?.find((name) => !QUEUE_PARTS.includes(name));
	if (unknownPart) {
		console.error(`e2e: no queue part "${unknownPart}" (${QUEUE_PARTS.join(', ')})`);
		return 2;
	}
	const keep = arg('keep') !== undefined;
	const timeoutMinutes = Number(arg('timeout-minutes') ?? 40);
	const report = new Report('setup');
	const workDir = mkdtempSync(path.join(os.tmpdir(), 'pt-e2e-'));
	console.log(`e2e work folder: ${workDir}`);

	const overall = setTimeout(() => {
		console.error(`e2e: over the ${timeoutMinutes}-minute limit; killing everything`);
		killAllNow();
		process.exit(1);
	}, timeoutMinutes * 60_000);
	overall.unref();

	const versions = ([2, 1] as const).filter((m) => (!only || only === `v${m}`) && only !== 'queue');
	const queue = (!only && !onlyParts) || only === 'queue' || queueParts !== undefined;
	const installs = versions.map((m) => n8nInstall(m));
	if (queue && !versions.includes(2)) installs.push(n8nInstall(2));
	for (const install of installs) {
		report.check(
			`${install.label} is installed in ${install.dir}`,
			isInstalled(install),
			'run e2e/install-n8n.sh first',
		);
	}
	const ready = installs.filter(isInstalled);

	try {
		let pkg;
		try {
			pkg = await buildAndPack(ROOT, path.join(workDir, 'pack'), path.join(workDir, 'logs'));
			report.check('npm run build && npm pack', true, path.basename(pkg.tarball));
		} catch (error) {
			report.fail('npm run build && npm pack', error);
		}
		if (pkg) {
			const hook = webhookPath();
			for (const install of ready.filter((i) => versions.some((m) => m === i.major))) {
				report.setScope(install.label);
				const t0 = Date.now();
				await runScenario(install, {
					root: ROOT,
					workDir,
					pkg,
					report,
					callbacks: !onlyParts,
					webhookPath: hook,
					onlyParts,
				});
				report.info(`${install.label} took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
			}
			// The editor check: the package as a person meets it in n8n 2.x's editor, in headless Chromium.
			const v2 = ready.find((install) => install.major === 2);
			if (v2 && versions.some((m) => m === 2) && arg('skip-editor') === undefined && !onlyParts) {
				report.setScope(`${v2.label} editor`);
				const t0 = Date.now();
				await runEditorCheck({ root: ROOT, workDir, pkg, report, install: v2 });
				report.info(`editor check took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
			}
			if (queue && v2) {
				report.setScope(`${v2.label} queue mode`);
				await runQueueScenario(v2, {
					root: ROOT,
					workDir,
					pkg,
					report,
					webhookPath: hook,
					parts: queueParts,
				});
			}
		}
	} finally {
		await stopAll();
	}

	report.summary('e2e');
	if (report.failed === 0 && !keep) rmSync(workDir, { recursive: true, force: true });
	else console.log(`kept ${workDir} (logs under */logs)`);
	return report.failed === 0 ? 0 : 1;
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		console.error(`e2e: ${signal}, stopping`);
		killAllNow();
		process.exit(130);
	});
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error('e2e: crashed:', error);
		killAllNow();
		process.exit(1);
	},
);
