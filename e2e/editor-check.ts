/**
 * The editor check: the package as a person meets it in n8n's editor, in a real headless Chromium.
 *
 * n8n 2.x with the packed package installed as a community package and the sandbox behind it; Debian's
 * `chromium` (installed with apt-get when missing; nothing downloads a browser of its own) driven by
 * playwright-core. Each step is a check of e2e/lib/report.ts and leaves a screenshot in a folder outside
 * the repository (printed at the start). Run by e2e/run.ts; alone (for a quick look) with
 *   tsx e2e/editor-check.ts [--serve]
 * where --serve keeps n8n and the sandbox up after the checks and prints where to find them.
 */
/* eslint-disable no-console */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';

import {
	communityNodesDir,
	createInstance,
	isInstalled,
	n8nInstall,
	RestSession,
	startServer,
	type N8nInstall,
} from './lib/n8n';
import { buildAndPack, installPacked, type PackedPackage } from './lib/package';
import { killAllNow, runCommand, sleep, stopAll, type Started } from './lib/processes';
import { Report } from './lib/report';
import { SANDBOX_CREDENTIALS, startSandboxProcess, type RunningSandbox } from './lib/sandbox';
import { checkEditor } from './lib/editor';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

export interface EditorCheckOptions {
	root: string;
	workDir: string;
	pkg: PackedPackage;
	report: Report;
	install: N8nInstall;
	/** Keep everything running after the checks (for a person to look). */
	serve?: boolean;
	/** Where the screenshots go; by default a new folder of their own in the system's temp folder, which the
	 * suite's clean-up of its work folder leaves in place. */
	screenshots?: string;
}

/** Debian's chromium, installed only when it is missing. */
async function ensureChromium(report: Report, logDir: string): Promise<boolean> {
	if (existsSync(CHROMIUM)) return true;
	report.info(`${CHROMIUM} is missing: apt-get install -y chromium`);
	const res = await runCommand('apt-get', ['install', '-y', 'chromium'], {
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		logFile: path.join(logDir, 'apt-get-chromium.log'),
		timeoutMs: 600_000,
	});
	return report.check(
		'chromium installed with apt-get',
		res.code === 0 && existsSync(CHROMIUM),
		res.stderr.slice(-1000),
	);
}

export interface EditorEnvironment {
	baseUrl: string;
	sandbox: RunningSandbox;
	owner: { email: string; password: string };
	screenshots: string;
}

export const OWNER = { email: 'e2e@example.com', password: 'E2e-Passw0rd!' };

export async function runEditorCheck(opts: EditorCheckOptions): Promise<void> {
	const { report } = opts;
	const dir = path.join(opts.workDir, 'editor');
	const logDir = path.join(dir, 'logs');
	const screenshots =
		opts.screenshots ?? mkdtempSync(path.join(os.tmpdir(), 'pt-editor-screenshots-'));
	mkdirSync(screenshots, { recursive: true });
	mkdirSync(logDir, { recursive: true });
	console.log(`editor check screenshots: ${screenshots}`);
	if (!(await ensureChromium(report, logDir))) return;

	let sandbox: RunningSandbox;
	try {
		sandbox = await startSandboxProcess(opts.root, logDir, 60_000);
		// Invoices for the invoice picker to list (more than one page of it).
		const seeded = await fetch(`${sandbox.baseUrl}/__sandbox/seed`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ count: 60 }),
		});
		report.check(
			'sandbox started and seeded with 60 invoices',
			seeded.ok,
			`${sandbox.baseUrl} seed answered ${seeded.status}`,
		);
	} catch (error) {
		report.fail('sandbox started', error);
		return;
	}

	const inst = await createInstance(opts.install, {
		userFolder: path.join(dir, 'n8n'),
		logDir,
		filesDir: path.join(dir, 'files'),
	});
	let browser: Browser | undefined;
	let server: Started | undefined;
	try {
		await installPacked(opts.pkg, communityNodesDir(inst.userFolder), logDir);
		const t0 = Date.now();
		server = await startServer(inst, 180_000);
		report.check(
			'n8n started with the package as a community package',
			true,
			`${((Date.now() - t0) / 1000).toFixed(1)} s, ${inst.baseUrl}`,
		);
		await new RestSession(inst.baseUrl).setUpOwner();

		const { chromium, selectors } = await import('playwright-core');
		// n8n marks its elements with data-test-id (n8n's own Playwright suite does the same).
		selectors.setTestIdAttribute('data-test-id');
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: CHROMIUM_FLAGS,
			headless: true,
		});
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		const page: Page = await context.newPage();
		page.setDefaultTimeout(20_000);
		await checkEditor(page, {
			report,
			baseUrl: inst.baseUrl,
			sandboxUrl: sandbox.baseUrl,
			credentials: SANDBOX_CREDENTIALS,
			owner: OWNER,
			screenshots,
		});
		if (opts.serve) {
			console.log(
				`serving: n8n ${inst.baseUrl} (${OWNER.email} / ${OWNER.password}), sandbox ${sandbox.baseUrl}; Ctrl+C stops`,
			);
			for (;;) await sleep(60_000);
		}
	} catch (error) {
		report.fail('editor check', error);
	} finally {
		await browser?.close().catch(() => undefined);
		await server?.stop().catch(() => undefined);
		await sandbox.process.stop().catch(() => undefined);
	}
}

/** Alone: build and pack, then the editor check against n8n 2.x. */
async function main(): Promise<number> {
	const root = path.resolve(__dirname, '..');
	const report = new Report('editor');
	const install = n8nInstall(2);
	if (
		!report.check(
			`${install.label} is installed`,
			isInstalled(install),
			isInstalled(install) ? undefined : 'run e2e/install-n8n.sh first',
		)
	)
		return 1;
	const workDir = mkdtempSync(path.join(os.tmpdir(), 'pt-editor-'));
	console.log(`work folder: ${workDir}`);
	try {
		const pkg = await buildAndPack(root, path.join(workDir, 'pack'), path.join(workDir, 'logs'));
		await runEditorCheck({
			root,
			workDir,
			pkg,
			report,
			install,
			serve: process.argv.includes('--serve'),
		});
	} finally {
		await stopAll();
	}
	report.summary('editor check');
	return report.failed === 0 ? 0 : 1;
}

if (require.main === module) {
	process.on('exit', killAllNow);
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.on(signal, () => {
			killAllNow();
			process.exit(130);
		});
	}
	main().then(
		(code) => process.exit(code),
		(error: unknown) => {
			console.error('editor check crashed:', error);
			killAllNow();
			process.exit(1);
		},
	);
}
