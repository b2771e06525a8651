/**
 * `npm run lint` is n8n-node lint with the official config from @n8n/node-cli, unchanged for everything the
 * package publishes; our eslint.config.mjs only keeps folders that never reach the tarball out of it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
	return readdirSync(path.join(ROOT, dir)).flatMap((entry) => {
		const relative = `${dir}/${entry}`;
		if (statSync(path.join(ROOT, relative)).isDirectory()) return sourceFiles(relative);
		return /\.(ts|json)$/.test(entry) ? [relative] : [];
	});
}

interface FileView {
	ignored: boolean;
	rules?: Record<string, unknown>;
	plugins?: string[];
	settings?: string[];
	parser?: string | null;
}

function probe(files: string[]): Record<string, { ours: FileView; official: FileView }> {
	const result = spawnSync(
		process.execPath,
		[path.join(__dirname, 'lintConfigProbe.mjs'), ...files],
		{
			cwd: ROOT,
			encoding: 'utf8',
			maxBuffer: 64 * 1024 * 1024,
		},
	);
	if (result.status !== 0) throw new Error(`lint config probe failed: ${result.stderr}`);
	return JSON.parse(result.stdout) as Record<string, { ours: FileView; official: FileView }>;
}

describe('ESLint config', () => {
	// Sources of what is published: package.json, and the .ts and codex .node.json files built into dist/.
	const published = ['package.json', ...sourceFiles('nodes'), ...sourceFiles('credentials')];
	const unpublished = [
		'test/release/lintConfig.test.ts',
		'harness/runWorkflow.ts',
		'sandbox/server.ts',
		'e2e/pack-check.ts',
		'bench/run.ts',
		'scripts/demo.ts',
		'scripts/release/publishGuard.ts',
		'dist/nodes/PaymentsTrust/PaymentsTrust.node.js',
	];
	const views = probe([...published, ...unpublished]);

	it('lints every published source file exactly as the official config does', () => {
		expect(published.filter((f) => f.endsWith('.ts')).length).toBeGreaterThan(20);
		for (const file of published) {
			const { ours, official } = views[file];
			// Neither config lints codex .node.json files (no config entry matches them); all else is linted.
			if (!file.endsWith('.node.json'))
				expect({ file, ignored: ours.ignored }).toEqual({ file, ignored: false });
			expect({ file, ...ours }).toEqual({ file, ...official });
		}
		// The community rules really apply to node code (not an empty rule set compared with another).
		const nodeRules = views['nodes/PaymentsTrust/PaymentsTrust.node.ts'].ours.rules ?? {};
		expect(nodeRules['@n8n/community-nodes/no-restricted-globals']).toEqual([2]);
		expect(
			Object.keys(nodeRules).filter((r) => r.startsWith('n8n-nodes-base/')).length,
		).toBeGreaterThan(50);
	});

	it('keeps only folders that are not published out of it', () => {
		for (const file of unpublished)
			expect({ file, ignored: views[file].ours.ignored }).toEqual({ file, ignored: true });
	});

	it('is not the template, so package.json does not claim strict mode', () => {
		const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
			n8n: { strict?: boolean };
		};
		const eslintConfig = readFileSync(path.join(ROOT, 'eslint.config.mjs'), 'utf8');
		expect(eslintConfig).toMatch(/^\s*\.\.\.config,$/m);
		expect(pkg.n8n.strict).toBe(false);
	});
});
