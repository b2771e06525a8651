/**
 * `npm run pack:check`: checks what `npm publish` would ship and runs the checks of n8n's
 * community-package scanner (@n8n/scan-community-package) on it, offline.
 *
 * 1. builds the package (`npm run build`; skip with --no-build),
 * 2. checks the package.json facts n8n's reviewers check (scripts/release/packageMetadata.ts: MIT,
 *    keyword, name, `n8n` section with built files, no runtime dependencies, repository URL,
 *    `files: ["dist"]`, `n8n.strict` true only for n8n-node's template ESLint config),
 * 3. `npm pack --dry-run --json`: only dist/, README.md, LICENSE and package.json are packed,
 *    every file listed in package.json's n8n section is among them,
 * 4. packs the real tarball into a temp folder and unpacks it,
 * 5. runs the scanner's own `analyzePackage()` twice, as `analyzePackageByName()` does after
 *    downloading: on the unpacked tarball (compiled .js + package.json) and on the source
 *    (package.json + {nodes,credentials}/**), with the scanner's own ESLint config.
 *
 * Not reproducible here: the scanner's first step, the npm provenance check (it reads the
 * published version's metadata and attestation from the registry, then downloads the attested
 * commit from the source host). The package is not published, so that step is reported as skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
	checkPackageMetadata,
	type PackageJsonLike,
	readStrictTemplate,
} from '../scripts/release/packageMetadata';

const ROOT = path.resolve(__dirname, '..');
const ALLOWED_TOP_LEVEL = new Set(['package.json', 'README.md', 'LICENSE']);

interface PackFile {
	path: string;
	size: number;
}
interface PackResult {
	filename: string;
	files: PackFile[];
}
interface AnalysisResult {
	passed: boolean;
	message?: string;
	details?: string;
}

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail?: string): void {
	if (ok) passed++;
	else failed++;
	const line = `${ok ? 'PASS' : 'FAIL'}  ${name}`;
	// eslint-disable-next-line no-console
	(ok ? console.log : console.error)(
		detail && !ok ? `${line}\n      ${detail.replace(/\n/g, '\n      ')}` : line,
	);
}
function info(message: string): void {
	// eslint-disable-next-line no-console
	console.log(message);
}

function run(cmd: string, args: string[], opts: { cwd?: string; capture?: boolean } = {}): string {
	const res = spawnSync(cmd, args, {
		cwd: opts.cwd ?? ROOT,
		stdio: opts.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
	});
	if (res.status !== 0) {
		const stderr = opts.capture ? `\n${res.stderr}` : '';
		throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status ?? res.signal}${stderr}`);
	}
	return res.stdout ?? '';
}

function parsePackJson(stdout: string): PackResult {
	// npm prints the JSON array on stdout; lifecycle output, if any, comes before it.
	const start = stdout.indexOf('[');
	const parsed = JSON.parse(stdout.slice(start)) as PackResult[];
	if (!Array.isArray(parsed) || parsed.length !== 1)
		throw new Error('unexpected npm pack --json output');
	return parsed[0];
}

async function main(): Promise<void> {
	const started = Date.now();
	if (!process.argv.includes('--no-build')) {
		info('> npm run build');
		run('npm', ['run', 'build', '--silent']);
	}

	const pkg = JSON.parse(
		readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
	) as PackageJsonLike & {
		name: string;
		version: string;
		n8n?: { nodes?: string[]; credentials?: string[] };
	};

	// --- package.json as n8n's reviewers read it --------------------------------------------
	const eslintConfigPath = path.join(ROOT, 'eslint.config.mjs');
	const metadata = checkPackageMetadata(pkg, {
		fileExists: (relativePath) => existsSync(path.join(ROOT, relativePath)),
		eslintConfig: existsSync(eslintConfigPath) ? readFileSync(eslintConfigPath, 'utf8') : undefined,
		strictTemplate: readStrictTemplate(),
	});
	for (const result of metadata) check(`package.json: ${result.name}`, result.ok, result.detail);

	// --- what npm would publish -------------------------------------------------------------
	const dry = parsePackJson(
		run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { capture: true }),
	);
	const files = dry.files.map((f) => f.path).sort();
	info(`npm pack --dry-run: ${files.length} files in ${dry.filename}`);

	const stray = files.filter((f) => !f.startsWith('dist/') && !ALLOWED_TOP_LEVEL.has(f));
	check(
		'only dist/, README.md, LICENSE and package.json are packed',
		stray.length === 0,
		`also packed: ${stray.join(', ')}`,
	);
	for (const required of ALLOWED_TOP_LEVEL) {
		check(
			`${required} is packed`,
			files.includes(required),
			`${required} is missing from the package`,
		);
	}
	const declared = [...(pkg.n8n?.credentials ?? []), ...(pkg.n8n?.nodes ?? [])];
	const missingDeclared = declared.filter((f) => !files.includes(f));
	check(
		'every file in the n8n section is packed',
		missingDeclared.length === 0,
		`declared but not packed (did the build emit them?): ${missingDeclared.join(', ')}`,
	);
	const noise = files.filter((f) =>
		/\.tsbuildinfo$|(^|\/)(test|tests|__tests__)\/|\.test\.js$/.test(f),
	);
	if (noise.length > 0) info(`note: packed files that n8n never loads: ${noise.join(', ')}`);

	// --- the real tarball, unpacked -----------------------------------------------------------
	const work = mkdtempSync(path.join(tmpdir(), 'pt-pack-check-'));
	try {
		const packed = parsePackJson(
			run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
				capture: true,
			}),
		);
		const tarball = path.join(work, packed.filename);
		const unpacked = path.join(work, 'package');
		mkdirSync(unpacked);
		run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
		const tarFiles = run('tar', ['-tzf', tarball], { capture: true })
			.split('\n')
			.filter(Boolean)
			.map((f) => f.replace(/^package\//, ''))
			.sort();
		check(
			'tarball holds the files the dry run listed',
			JSON.stringify(tarFiles) === JSON.stringify(files),
			`dry run: ${files.length} files, tarball: ${tarFiles.length}`,
		);

		// --- @n8n/scan-community-package ----------------------------------------------------------
		const scanner = (await import('@n8n/scan-community-package/scanner/scanner.mjs')) as {
			analyzePackage: (dir: string, patterns?: string[]) => Promise<AnalysisResult>;
			SOURCE_FILE_PATTERNS: string[];
		};
		const scannerVersion = (
			JSON.parse(
				readFileSync(require.resolve('@n8n/scan-community-package/package.json'), 'utf8'),
			) as { version: string }
		).version;
		info(
			`@n8n/scan-community-package ${scannerVersion}: provenance check SKIPPED (needs the published version's npm provenance)`,
		);

		const distResult = await scanner.analyzePackage(unpacked, ['**/*.js', 'package.json']);
		check(
			`scanner on the packed tarball (${pkg.name}@${pkg.version}: **/*.js, package.json)`,
			distResult.passed,
			[distResult.message, distResult.details].filter(Boolean).join('\n'),
		);
		const sourceResult = await scanner.analyzePackage(ROOT, scanner.SOURCE_FILE_PATTERNS);
		check(
			`scanner on the source (${scanner.SOURCE_FILE_PATTERNS.join(', ')})`,
			sourceResult.passed,
			[sourceResult.message, sourceResult.details].filter(Boolean).join('\n'),
		);
	} finally {
		rmSync(work, { recursive: true, force: true });
	}

	info(`pack-check took ${((Date.now() - started) / 1000).toFixed(1)} s`);
	info(`pack-check: ${passed} passed, ${failed} failed`);
	process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
	// eslint-disable-next-line no-console
	console.error('pack-check failed to run:', error);
	process.exitCode = 1;
});
