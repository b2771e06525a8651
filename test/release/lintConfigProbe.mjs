// Run by lintConfig.test.ts in its own Node process (jest cannot load ES module config files): prints, as
// JSON, how our eslint.config.mjs and @n8n/node-cli's official config treat each file given on the command line.
import { ESLint } from 'eslint';
import { config } from '@n8n/node-cli/eslint';

const files = process.argv.slice(2);
const ours = new ESLint({ cwd: process.cwd() });
const official = new ESLint({
	cwd: process.cwd(),
	overrideConfigFile: true,
	overrideConfig: config,
});

async function describe(eslint, file) {
	if (await eslint.isPathIgnored(file)) return { ignored: true };
	const resolved = await eslint.calculateConfigForFile(file);
	return {
		ignored: false,
		rules: resolved?.rules ?? {},
		plugins: Object.keys(resolved?.plugins ?? {}).sort(),
		settings: Object.keys(resolved?.settings ?? {}).sort(),
		parser: resolved?.languageOptions?.parser?.meta?.name ?? null,
	};
}

const result = {};
for (const file of files)
	result[file] = { ours: await describe(ours, file), official: await describe(official, file) };
process.stdout.write(JSON.stringify(result));
