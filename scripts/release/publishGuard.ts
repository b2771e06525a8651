/**
 * `prepublishOnly` guard: `npm publish` goes through only inside the GitHub Actions publish workflow
 * (.github/workflows/publish.yml), on the push of the tag `v<package.json version>`, with npm provenance on.
 *
 * Why: n8n verifies only packages published from a GitHub Action with a provenance statement, and a
 * publish from a laptop would ship whatever happens to be in that laptop's dist/, unchecked. npm runs
 * `prepublishOnly` on `npm publish` only (never on `npm pack` or `npm install`), so this does not get in
 * the way of `npm run pack:check`. How to cut a release: RELEASING.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The reason a publish must not go ahead in this environment, or undefined when it may. */
export function publishRefusal(env: NodeJS.ProcessEnv, version: string): string | undefined {
	if (env.GITHUB_ACTIONS !== 'true') {
		return 'npm publish runs only in GitHub Actions (.github/workflows/publish.yml), never from a local machine.';
	}
	// `npm publish --provenance` exports npm_config_provenance to lifecycle scripts; an
	// NPM_CONFIG_PROVENANCE=true environment variable stays in the environment under its own name.
	if (env.npm_config_provenance !== 'true' && env.NPM_CONFIG_PROVENANCE !== 'true') {
		return 'npm provenance is off: publish with `npm publish --provenance`, as the publish workflow does.';
	}
	const expectedTag = `v${version}`;
	if (env.GITHUB_REF_TYPE !== 'tag' || env.GITHUB_REF_NAME !== expectedTag) {
		return (
			`publishing ${version} needs the push of tag ${expectedTag}; this run is for ` +
			`${env.GITHUB_REF_TYPE ?? 'no ref type'} ${env.GITHUB_REF_NAME ?? '(none)'}.`
		);
	}
	return undefined;
}

function packageVersion(): string {
	const pkgPath = path.resolve(__dirname, '..', '..', 'package.json');
	return (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
}

if (require.main === module) {
	const refusal = publishRefusal(process.env, packageVersion());
	if (refusal) {
		// eslint-disable-next-line no-console
		console.error(
			`Publish refused: ${refusal}\nTo cut a release, follow RELEASING.md (push a v<version> tag).`,
		);
		process.exit(1);
	}
}
