// ESLint flat config: the official community-node config that `n8n-node lint` ships
// (`@n8n/node-cli/eslint`), unchanged for everything the package publishes (nodes/,
// credentials/, package.json).
//
// The only addition is an `ignores` block for folders that never reach the npm tarball
// (`files: ["dist"]`): tests and their harness, the local sandbox server, end-to-end runs, benchmarks,
// scripts and examples. They are Node.js programs, not n8n node code, and the
// community rules (no `process`, no `setTimeout`, no Node built-ins) cannot apply to
// them. This is how verified packages that keep tests in the repository do it.
// Because this file differs from the template, package.json has no `n8n.strict`.
import { config } from '@n8n/node-cli/eslint';

export default [
	...config,
	{
		ignores: [
			'bench/**',
			'coverage/**',
			'dist/**',
			'e2e/**',
			'examples/**',
			'sandbox/**',
			'scripts/**',
			'test/**',
			'harness/**',
			'gulpfile.js',
			'jest.config.js',
		],
	},
];
