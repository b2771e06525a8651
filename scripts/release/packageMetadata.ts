/**
 * The package.json facts n8n's reviewers check before a community package is verified, as one
 * function that `npm run pack:check` runs and a unit test can feed a bad package.json.
 *
 * n8n's community-node rules: an MIT licence, the `n8n-community-node-package` keyword, a name
 * `n8n-nodes-…` (or `@scope/n8n-nodes-…`), an `n8n` section with n8nNodesApiVersion 1 listing built
 * files, no runtime dependencies (n8n-workflow only as a peer), a source repository, and only
 * dist/ published. `n8n.strict: true` promises that eslint.config.mjs is n8n-node's template, which
 * `n8n-node lint` then enforces; it must not be claimed for a config that differs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface PackageJsonLike {
	name?: unknown;
	license?: unknown;
	keywords?: unknown;
	repository?: unknown;
	files?: unknown;
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	bundleDependencies?: unknown;
	bundledDependencies?: unknown;
	peerDependencies?: Record<string, string>;
	n8n?: {
		n8nNodesApiVersion?: unknown;
		strict?: unknown;
		nodes?: unknown;
		credentials?: unknown;
	};
}

export interface MetadataCheck {
	name: string;
	ok: boolean;
	/** What is wrong, for a failed check. */
	detail?: string;
}

export interface MetadataInputs {
	/** Whether a path (relative to the package root) exists, e.g. a built dist/ file. */
	fileExists: (relativePath: string) => boolean;
	/** eslint.config.mjs as it is, or undefined when there is none. */
	eslintConfig: string | undefined;
	/** @n8n/node-cli's template eslint.config.mjs, which strict mode compares against. */
	strictTemplate: string;
}

const KEYWORD = 'n8n-community-node-package';
const ALLOWED_PEERS = new Set(['n8n-workflow']);

function stringList(value: unknown): string[] | undefined {
	return Array.isArray(value) && value.every((v) => typeof v === 'string')
		? (value as string[])
		: undefined;
}

function repositoryUrl(repository: unknown): string | undefined {
	if (typeof repository === 'string') return repository;
	if (
		repository &&
		typeof repository === 'object' &&
		typeof (repository as { url?: unknown }).url === 'string'
	) {
		return (repository as { url: string }).url;
	}
	return undefined;
}

/** @n8n/node-cli's template eslint.config.mjs: the file `n8n-node lint` compares with in strict mode. */
export function readStrictTemplate(): string {
	// The CLI reads it relative to its dist/commands/lint.js; only `./eslint` is exported, so start there.
	const configsDir = path.dirname(require.resolve('@n8n/node-cli/eslint'));
	return readFileSync(
		path.resolve(configsDir, '../template/templates/shared/default/eslint.config.mjs'),
		'utf8',
	);
}

/** Same whitespace folding as `n8n-node lint` uses for its strict-mode comparison. */
function normalised(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

export function checkPackageMetadata(
	pkg: PackageJsonLike,
	inputs: MetadataInputs,
): MetadataCheck[] {
	const checks: MetadataCheck[] = [];
	const add = (name: string, ok: boolean, detail: string) =>
		checks.push(ok ? { name, ok } : { name, ok, detail });

	const name = typeof pkg.name === 'string' ? pkg.name : '';
	add(
		'name is n8n-nodes-… or @scope/n8n-nodes-…',
		/^(@[a-z0-9-~][a-z0-9-._~]*\/)?n8n-nodes-[a-z0-9-._~]+$/.test(name),
		`name is ${JSON.stringify(pkg.name)}`,
	);
	add('licence is MIT', pkg.license === 'MIT', `license is ${JSON.stringify(pkg.license)}`);
	const keywords = stringList(pkg.keywords) ?? [];
	add(
		`keywords include ${KEYWORD}`,
		keywords.includes(KEYWORD),
		`keywords are ${JSON.stringify(pkg.keywords)}`,
	);

	const url = repositoryUrl(pkg.repository);
	add(
		'repository URL points at the source',
		url !== undefined && /^(git\+)?https:\/\/[^\s<>]+\/[^\s<>]+$/.test(url),
		url === undefined
			? 'repository.url is missing'
			: `repository.url ${JSON.stringify(url)} is not an https URL`,
	);

	const files = stringList(pkg.files);
	add(
		'files is ["dist"]',
		files !== undefined && files.length === 1 && files[0] === 'dist',
		`files is ${JSON.stringify(pkg.files)}`,
	);

	const runtime = [
		...Object.keys(pkg.dependencies ?? {}),
		...Object.keys(pkg.optionalDependencies ?? {}),
		...(pkg.bundleDependencies !== undefined || pkg.bundledDependencies !== undefined
			? ['(bundleDependencies)']
			: []),
	];
	add(
		'no runtime dependencies',
		runtime.length === 0,
		`runtime dependencies: ${runtime.join(', ')}`,
	);
	const peers = Object.keys(pkg.peerDependencies ?? {}).filter((p) => !ALLOWED_PEERS.has(p));
	add(
		'no peer dependencies but n8n-workflow',
		peers.length === 0,
		`peer dependencies: ${peers.join(', ')}`,
	);

	const n8n = pkg.n8n;
	add(
		'n8n section present',
		n8n !== undefined && typeof n8n === 'object',
		'package.json has no "n8n" section',
	);
	add(
		'n8n.n8nNodesApiVersion is 1',
		n8n?.n8nNodesApiVersion === 1,
		`n8n.n8nNodesApiVersion is ${JSON.stringify(n8n?.n8nNodesApiVersion)}`,
	);
	const nodes = stringList(n8n?.nodes);
	const credentials = n8n?.credentials === undefined ? [] : stringList(n8n.credentials);
	add(
		'n8n.nodes lists at least one node',
		nodes !== undefined && nodes.length > 0,
		`n8n.nodes is ${JSON.stringify(n8n?.nodes)}`,
	);
	add(
		'n8n.credentials is a list of paths',
		credentials !== undefined,
		`n8n.credentials is ${JSON.stringify(n8n?.credentials)}`,
	);
	const listed = [...(nodes ?? []), ...(credentials ?? [])];
	const outsideDist = listed.filter((f) => !/^dist\/.+\.js$/.test(f));
	add(
		'every n8n entry is a built dist/…js file',
		outsideDist.length === 0,
		`not dist/…js: ${outsideDist.join(', ')}`,
	);
	const missing = listed.filter((f) => !inputs.fileExists(f));
	add(
		'every n8n entry exists',
		missing.length === 0,
		`missing (run the build?): ${missing.join(', ')}`,
	);

	const strict = n8n?.strict === true;
	const isTemplate =
		inputs.eslintConfig !== undefined &&
		normalised(inputs.eslintConfig) === normalised(inputs.strictTemplate);
	add(
		'n8n.strict matches eslint.config.mjs',
		strict === isTemplate,
		strict
			? 'n8n.strict is true but eslint.config.mjs is not the n8n-node template (n8n-node lint would refuse it)'
			: 'eslint.config.mjs is the n8n-node template: set n8n.strict to true',
	);
	return checks;
}
