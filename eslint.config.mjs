// ESLint flat config for the community-node rules.
//
// This mirrors the config that `@n8n/node-cli` ships (`n8n-node lint`,
// @n8n/node-cli 0.48.x `dist/configs/eslint.js`): @eslint/js recommended,
// typescript-eslint recommended, @n8n/eslint-plugin-community-nodes
// recommended (the n8n Cloud-eligible set) and the eslint-plugin-n8n-nodes-base
// community/credentials/nodes rule sets with the same rules switched off.
// @n8n/node-cli itself is not a devDependency: it pulls n8n-workflow >= 2.39,
// whose isolated-vm does not build on Node 20. Its import-x rules (generic
// import hygiene, not community-node rules) are left out to keep the tool set
// small.
//
// `npm run lint` lints package.json, credentials/ and nodes/ (what the
// verification scanner lints in a package's source).
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { globalIgnores } from 'eslint/config';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const communityNodesRecommended = n8nCommunityNodesPlugin.configs.recommended;

export default tseslint.config(
	globalIgnores(['dist/**', 'node_modules/**', 'coverage/**']),
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended, communityNodesRecommended],
		rules: {
			'prefer-spread': 'off',
			'no-console': 'error',
		},
	},
	{
		plugins: { 'n8n-nodes-base': n8nNodesBase },
	},
	{
		files: ['package.json'],
		extends: [communityNodesRecommended],
		rules: {
			...n8nNodesBase.configs.community.rules,
		},
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: {
				extraFileExtensions: ['.json'],
			},
		},
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Not valid for community nodes (same as n8n-node lint).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// The community-nodes credential-password-field rule is more accurate.
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Inputs and outputs may be the NodeConnectionTypes enum instead of "main".
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// An API's real maximum is a valid maxValue.
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
