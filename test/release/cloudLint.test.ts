/**
 * `npm run lint:cloud` (docs/development.md#lint): n8n's strict template config, unchanged, over exactly what the
 * package publishes. The config must stay the template (as strict mode demands of eslint.config.mjs), and the
 * script must lint nodes/, credentials/ and package.json and fail on any warning, so CI keeps the published code
 * Cloud-clean while the repository's layout cannot declare strict mode.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const normalised = (text: string) => text.replace(/\s+/g, ' ').trim();

it('scripts/eslint.cloud.mjs is the template n8n-node writes for strict mode', () => {
	// Where `n8n-node lint` reads it in strict mode (not among the package's exports).
	const nodeCli = path.join(ROOT, 'node_modules', '@n8n', 'node-cli');
	const template = readFileSync(
		path.join(nodeCli, 'dist', 'template', 'templates', 'shared', 'default', 'eslint.config.mjs'),
		'utf8',
	);
	const ours = readFileSync(path.join(ROOT, 'scripts', 'eslint.cloud.mjs'), 'utf8');
	expect(normalised(ours)).toBe(normalised(template));
});

it('npm run lint:cloud lints exactly what is published, failing on any warning, and CI runs it', () => {
	const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
		scripts: Record<string, string>;
	};
	expect(pkg.scripts['lint:cloud']).toBe(
		'eslint --config scripts/eslint.cloud.mjs --max-warnings 0 nodes credentials package.json',
	);
	const ci = readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
	expect(ci.indexOf('npm run lint:cloud')).toBeGreaterThan(ci.indexOf('npm run lint\n'));
});
