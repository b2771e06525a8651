/**
 * Our package as n8n gets it: built, packed with `npm pack` (so only what would be published), and unpacked
 * where n8n installs community packages: `<N8N_USER_FOLDER>/.n8n/nodes/node_modules/n8n-nodes-paymentstrust`.
 *
 * That folder is what n8n (1.x and 2.x) scans at start for `n8n-nodes-*` packages, loading them under their
 * package name, so node types are `n8n-nodes-paymentstrust.paymentsTrust` as in the example workflows.
 * (N8N_CUSTOM_EXTENSIONS folders are loaded differently: every `*.node.js` below them becomes
 * `CUSTOM.<name>`, which would not match the examples or a user's install.) The package brings no
 * node_modules: `n8n-workflow` resolves to n8n's own copy through the NODE_PATH n8n sets at start.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { runCommand } from './processes';

export interface PackedPackage {
	name: string;
	version: string;
	tarball: string;
}

export async function buildAndPack(
	root: string,
	workDir: string,
	logDir: string,
): Promise<PackedPackage> {
	const logFile = path.join(logDir, 'build-and-pack.log');
	const build = await runCommand('npm', ['run', 'build'], {
		cwd: root,
		env: process.env,
		logFile,
		timeoutMs: 300_000,
	});
	if (build.code !== 0)
		throw new Error(
			`npm run build exited with ${build.code}:\n${(build.stdout + build.stderr).slice(-3000)}`,
		);
	mkdirSync(workDir, { recursive: true });
	const pack = await runCommand(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', workDir],
		{
			cwd: root,
			env: process.env,
			logFile,
			timeoutMs: 120_000,
		},
	);
	if (pack.code !== 0)
		throw new Error(`npm pack exited with ${pack.code}: ${pack.stderr.slice(-2000)}`);
	const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{
		filename: string;
	}>;
	const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
		name: string;
		version: string;
	};
	return { name: pkg.name, version: pkg.version, tarball: path.join(workDir, info.filename) };
}

/** Unpacks the tarball as `<nodeModulesDir>/<package name>`. */
export async function installPacked(
	pkg: PackedPackage,
	nodeModulesDir: string,
	logDir: string,
): Promise<string> {
	const target = path.join(nodeModulesDir, pkg.name);
	rmSync(target, { recursive: true, force: true });
	mkdirSync(target, { recursive: true });
	const res = await runCommand('tar', ['-xzf', pkg.tarball, '-C', target, '--strip-components=1'], {
		env: process.env,
		logFile: path.join(logDir, 'build-and-pack.log'),
		timeoutMs: 60_000,
	});
	if (res.code !== 0) throw new Error(`tar exited with ${res.code}: ${res.stderr}`);
	return target;
}
