/**
 * Credential-types registry: every `credentials/*.credentials.ts` class of this package, by its `name`,
 * plus any types a test adds. Files are required on first use so a credential file being edited by
 * someone else only affects the tests that need it.
 */
import { readdirSync } from 'fs';
import { join } from 'path';
import type { ICredentialType } from 'n8n-workflow';

const CREDENTIALS_DIR = join(__dirname, '..', 'credentials');

function loadPackageCredentialTypes(): ICredentialType[] {
	let files: string[];
	try {
		files = readdirSync(CREDENTIALS_DIR).filter((f) => /\.credentials\.(ts|js)$/.test(f));
	} catch {
		return [];
	}
	const types: ICredentialType[] = [];
	for (const file of files) {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const moduleExports = require(join(CREDENTIALS_DIR, file)) as Record<string, unknown>;
		for (const exported of Object.values(moduleExports)) {
			if (typeof exported !== 'function') continue;
			const instance = new (exported as new () => ICredentialType)();
			if (typeof instance.name === 'string' && Array.isArray(instance.properties))
				types.push(instance);
		}
	}
	return types;
}

export class HarnessCredentialTypes {
	private types?: Map<string, ICredentialType>;

	constructor(private readonly extra: ICredentialType[] = []) {}

	private get all(): Map<string, ICredentialType> {
		if (!this.types) {
			this.types = new Map();
			for (const type of [...loadPackageCredentialTypes(), ...this.extra])
				this.types.set(type.name, type);
		}
		return this.types;
	}

	recognizes(name: string): boolean {
		return this.all.has(name);
	}

	getByName(name: string): ICredentialType {
		const type = this.all.get(name);
		if (!type) {
			throw new Error(
				`Unknown credential type "${name}"; known: ${[...this.all.keys()].join(', ')}`,
			);
		}
		return type;
	}

	/** All ancestors named in `extends`, nearest first (n8n uses this to spot OAuth credentials). */
	getParentTypes(name: string): string[] {
		const parents = this.recognizes(name) ? (this.getByName(name).extends ?? []) : [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}
}
