/**
 * The prepublishOnly guard: `npm publish` goes through only in the GitHub Actions publish workflow, on the
 * tag of the package.json version, with provenance on; and it never gets in the way of `npm pack`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { publishRefusal } from '../../scripts/release/publishGuard';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
	version: string;
	scripts: Record<string, string>;
};

/** The environment of the publish step in publish.yml for tag v<version>. */
const inPublishWorkflow = {
	GITHUB_ACTIONS: 'true',
	GITHUB_REF_TYPE: 'tag',
	GITHUB_REF_NAME: `v${pkg.version}`,
	npm_config_provenance: 'true',
};

/** This process's environment without anything that could make it look like the publish workflow. */
function localEnv(): NodeJS.ProcessEnv {
	const env = { ...process.env };
	for (const key of Object.keys(env)) {
		if (/^(GITHUB_|npm_|NPM_CONFIG_)/i.test(key)) delete env[key];
	}
	return env;
}

describe('publish guard', () => {
	it('is the prepublishOnly script', () => {
		expect(pkg.scripts.prepublishOnly).toBe('tsx scripts/release/publishGuard.ts');
	});

	it('lets the publish workflow publish, with provenance given as a flag or as NPM_CONFIG_PROVENANCE', () => {
		expect(publishRefusal(inPublishWorkflow, pkg.version)).toBeUndefined();
		const { npm_config_provenance: _flag, ...viaEnv } = inPublishWorkflow;
		expect(
			publishRefusal({ ...viaEnv, NPM_CONFIG_PROVENANCE: 'true' }, pkg.version),
		).toBeUndefined();
	});

	it('refuses a laptop, a run without provenance, a branch run and another tag', () => {
		expect(publishRefusal({}, pkg.version)).toMatch(/only in GitHub Actions/);
		expect(
			publishRefusal({ ...inPublishWorkflow, GITHUB_ACTIONS: undefined }, pkg.version),
		).toMatch(/only in GitHub Actions/);
		expect(
			publishRefusal({ ...inPublishWorkflow, npm_config_provenance: 'false' }, pkg.version),
		).toMatch(/provenance is off/);
		expect(
			publishRefusal({ ...inPublishWorkflow, npm_config_provenance: undefined }, pkg.version),
		).toMatch(/provenance is off/);
		expect(
			publishRefusal(
				{ ...inPublishWorkflow, GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'main' },
				pkg.version,
			),
		).toBe(
			`publishing ${pkg.version} needs the push of tag v${pkg.version}; this run is for branch main.`,
		);
		expect(
			publishRefusal({ ...inPublishWorkflow, GITHUB_REF_NAME: 'v99.0.0' }, pkg.version),
		).toMatch(/needs the push of tag/);
	});

	it('stops `npm publish` outside CI before anything is packed or sent (dry run)', () => {
		const result = spawnSync('npm', ['publish', '--dry-run', '--provenance'], {
			cwd: ROOT,
			env: localEnv(),
			encoding: 'utf8',
		});
		expect(result.status).not.toBe(0);
		expect(result.stderr).toContain('Publish refused: npm publish runs only in GitHub Actions');
		// The refusal comes before npm packs anything: no tarball contents were listed.
		expect(`${result.stdout}${result.stderr}`).not.toMatch(/Tarball Contents/);
	});

	it('exits 0 as the publish workflow runs it, and 1 with the reason otherwise', () => {
		const guard = (env: NodeJS.ProcessEnv) =>
			spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/release/publishGuard.ts'], {
				cwd: ROOT,
				env,
				encoding: 'utf8',
			});
		expect(guard({ ...localEnv(), ...inPublishWorkflow }).status).toBe(0);
		const refused = guard({ ...localEnv(), ...inPublishWorkflow, GITHUB_REF_NAME: 'v0.0.0-local' });
		expect(refused.status).toBe(1);
		expect(refused.stderr).toContain(`needs the push of tag v${pkg.version}`);
	});

	it('does not run on `npm pack`, which pack:check uses', () => {
		const result = spawnSync('npm', ['pack', '--dry-run', '--json'], {
			cwd: ROOT,
			env: localEnv(),
			encoding: 'utf8',
		});
		expect(result.stderr).not.toContain('Publish refused');
		expect(result.status).toBe(0);
		const [packed] = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as {
			name: string;
		}[];
		expect(packed.name).toBe('n8n-nodes-paymentstrust');
	});
});
