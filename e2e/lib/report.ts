/**
 * Check results of the end-to-end suite: each check prints one PASS/FAIL line as it happens, and the run
 * ends with a plain "N passed, N failed" line.
 */
/* eslint-disable no-console */

export interface CheckResult {
	scope: string;
	name: string;
	ok: boolean;
	detail?: string;
}

export class Report {
	readonly results: CheckResult[] = [];
	private readonly t0 = Date.now();

	constructor(private scope = '') {}

	setScope(scope: string): void {
		this.scope = scope;
	}

	/** Records a check; returns `ok` so callers can skip what depends on it. */
	check(name: string, ok: boolean, detail?: string): boolean {
		this.results.push({ scope: this.scope, name, ok, detail });
		const prefix = this.scope ? `[${this.scope}] ` : '';
		const line = `${ok ? 'PASS' : 'FAIL'}  ${prefix}${name}`;
		// A passing check shows its detail only when it is a short fact, not a failure explanation.
		if (ok)
			console.log(
				detail && detail.length <= 160 && !detail.includes('\n') ? `${line}  (${detail})` : line,
			);
		else console.error(detail ? `${line}\n      ${detail.replace(/\n/g, '\n      ')}` : line);
		return ok;
	}

	/** Records a failure of a whole step (an exception), so what follows it is known not to have run. */
	fail(name: string, error: unknown): void {
		const message = error instanceof Error ? error.message : String(error);
		this.check(name, false, message);
	}

	info(message: string): void {
		const prefix = this.scope ? `[${this.scope}] ` : '';
		console.log(`      ${prefix}${message}`);
	}

	elapsed(): string {
		return `${((Date.now() - this.t0) / 1000).toFixed(0)} s`;
	}

	get failed(): number {
		return this.results.filter((r) => !r.ok).length;
	}

	get passed(): number {
		return this.results.filter((r) => r.ok).length;
	}

	summary(label: string): void {
		const failures = this.results.filter((r) => !r.ok);
		if (failures.length > 0) {
			console.error('\nFailed checks:');
			for (const f of failures) console.error(`  - [${f.scope}] ${f.name}`);
		}
		console.log(`\n${label} took ${this.elapsed()}`);
		console.log(`${label}: ${this.passed} passed, ${this.failed} failed`);
	}
}

/**
 * Runs a part's steps one after another; a step that throws is one failed check (`<label>: the <step> run`), and
 * the next step still runs: each step makes its own rows and judges them by itself.
 */
export async function runSteps(
	report: Report,
	label: string,
	steps: ReadonlyArray<readonly [string, () => Promise<void>]>,
): Promise<void> {
	for (const [name, step] of steps) {
		try {
			await step();
		} catch (error) {
			report.fail(`${label}: the ${name} run`, error);
		}
	}
}
