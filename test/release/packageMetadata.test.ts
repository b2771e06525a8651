import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import {
	checkPackageMetadata,
	type MetadataCheck,
	readStrictTemplate,
} from '../../scripts/release/packageMetadata';

const ROOT = path.resolve(__dirname, '..', '..');
// n8n-node's template as @n8n/node-cli 0.48 ships it (the first test reads the installed one).
const TEMPLATE = "import { config } from '@n8n/node-cli/eslint';\n\nexport default config;\n";

function readJson(relativePath: string): Record<string, unknown> {
	return JSON.parse(readFileSync(path.join(ROOT, relativePath), 'utf8')) as Record<string, unknown>;
}
function byName(checks: MetadataCheck[]): Record<string, MetadataCheck> {
	return Object.fromEntries(checks.map((c) => [c.name, c]));
}

describe('package metadata that n8n reviewers check', () => {
	it('passes for our package.json: every listed dist file has its source, eslint config is not the template', () => {
		// dist/ may not be built when the tests run: a listed dist/x.js must come from the source x.ts.
		const fromSource = (f: string) =>
			existsSync(path.join(ROOT, f.replace(/^dist\//, '').replace(/\.js$/, '.ts')));
		const checks = checkPackageMetadata(readJson('package.json'), {
			fileExists: fromSource,
			eslintConfig: readFileSync(path.join(ROOT, 'eslint.config.mjs'), 'utf8'),
			strictTemplate: readStrictTemplate(),
		});
		expect(checks.filter((c) => !c.ok)).toEqual([]);
		expect(checks.length).toBeGreaterThanOrEqual(14);
	});

	it('fails a bad package.json on every fact, each with a reason that names what is wrong', () => {
		const checks = byName(
			checkPackageMetadata(readJson('test/release/fixtures/bad-package.json'), {
				fileExists: () => false,
				eslintConfig: 'export default [];',
				strictTemplate: TEMPLATE,
			}),
		);
		const failed = (name: string) => {
			expect(checks[name]).toBeDefined();
			expect(checks[name].ok).toBe(false);
			return checks[name].detail ?? '';
		};
		expect(failed('name is n8n-nodes-… or @scope/n8n-nodes-…')).toContain('paymentstrust-n8n');
		expect(failed('licence is MIT')).toContain('ISC');
		expect(failed('keywords include n8n-community-node-package')).toContain('payouts');
		expect(failed('repository URL points at the source')).toContain('<...>');
		expect(failed('files is ["dist"]')).toContain('src');
		expect(failed('no runtime dependencies')).toContain('axios');
		expect(failed('no peer dependencies but n8n-workflow')).toBe('peer dependencies: n8n-core');
		expect(failed('n8n.n8nNodesApiVersion is 1')).toContain('2');
		expect(failed('every n8n entry is a built dist/…js file')).toContain(
			'nodes/PaymentsTrust/PaymentsTrust.node.ts',
		);
		expect(failed('every n8n entry exists')).toContain('dist/credentials/Missing.credentials.js');
		expect(failed('n8n.strict matches eslint.config.mjs')).toContain('not the n8n-node template');
		// What the fixture gets right passes.
		expect(checks['n8n section present'].ok).toBe(true);
		expect(checks['n8n.nodes lists at least one node'].ok).toBe(true);
	});

	it('refuses a package with no n8n section, no repository and bundled dependencies', () => {
		const checks = byName(
			checkPackageMetadata(
				{
					name: 'n8n-nodes-x',
					license: 'MIT',
					keywords: ['n8n-community-node-package'],
					files: ['dist'],
					bundleDependencies: ['left-pad'],
				},
				{ fileExists: () => true, eslintConfig: undefined, strictTemplate: TEMPLATE },
			),
		);
		expect(checks['n8n section present'].ok).toBe(false);
		expect(checks['n8n.nodes lists at least one node'].ok).toBe(false);
		expect(checks['repository URL points at the source'].detail).toBe('repository.url is missing');
		expect(checks['no runtime dependencies'].detail).toContain('bundleDependencies');
		// No eslint config and no strict claim: nothing is promised, so nothing is wrong.
		expect(checks['n8n.strict matches eslint.config.mjs'].ok).toBe(true);
	});

	it('holds strict mode to the template, ignoring whitespace as n8n-node lint does', () => {
		const strictPkg = { n8n: { strict: true } };
		const strictCheck = (eslintConfig: string | undefined, pkg: object = strictPkg) =>
			byName(
				checkPackageMetadata(pkg, {
					fileExists: () => true,
					eslintConfig,
					strictTemplate: TEMPLATE,
				}),
			)['n8n.strict matches eslint.config.mjs'];
		expect(
			strictCheck("import { config } from '@n8n/node-cli/eslint';  export default config;").ok,
		).toBe(true);
		expect(strictCheck(undefined).ok).toBe(false);
		expect(strictCheck(TEMPLATE, { n8n: { strict: false } }).detail).toContain(
			'set n8n.strict to true',
		);
	});
});
