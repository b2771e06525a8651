/**
 * The exactly-once proof at full size (issue 6): `npx tsx scripts/fault-test.ts --rows 2000`.
 *
 * Runs the same scenario as test/money/exactlyOnce.test.ts and rerun.test.ts (test/money/faultScenario.ts):
 * N payout rows through the real node (Create and Process, wait for final status, Continue On Fail) in
 * n8n's engine against the sandbox, which injects faults of every kind (500/502/503/504 and drops before and
 * after the write, slow answers past the node's timeout, 429 with Retry-After) on create, process, get and
 * list. Then the same rows again under other faults, and once more without faults. Prints what the node
 * reported and what the ledger shows; exits 1 on any violation.
 *
 * With --proxy (issue 12) the faults come instead from a seeded fault proxy in front of the sandbox
 * (test/support/faultProxy.ts: garbled, cut, trickled and reset answers, look-ups lagging --lag reads behind,
 * empty or foreign 409 bodies, redirects to a recording second origin, header-echoing error pages, 429s):
 * `npx tsx scripts/fault-test.ts --proxy --rows 1000`. Both modes print the writes re-sent after they had
 * committed next to double payments.
 *
 * With --retries (issue 26) the rows go through the fault proxy three times with Retry Failed Rows (Max Attempts
 * per Row 3), a share of them failing at the gateway now and then, some always, some partly paid
 * (test/money/retryScenario.ts): `npx tsx scripts/fault-test.ts --retries --rows 1000`. Judged by the ledger:
 * no row with two attempts that moved money, every item agreeing with the ledger, every row paid once or
 * explained after the third run.
 *
 * Options: --rows N (2000; 1000 with --proxy or --retries) --rate R (0.25; 0.2 with --proxy) --seed S (6) --concurrency C (10)
 *          --max-attempts A (5) --timeout SECONDS (1) --lag READS (3, --proxy only) --no-rerun (sandbox mode only)
 *          --first-run-only (--proxy only: run 1 alone, e.g. to count unknown outcomes before and after a change)
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// n8n-core writes its settings under N8N_USER_FOLDER when it loads: point it at a temp folder first.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-pt-faults-'));

function option(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	if (index < 0) return fallback;
	const value = Number(process.argv[index + 1]);
	if (!Number.isFinite(value)) throw new Error(`--${name} needs a number`);
	return value;
}

async function main(): Promise<number> {
	/* eslint-disable @typescript-eslint/no-require-imports */
	const { startSandbox } = require('../sandbox') as typeof import('../sandbox');
	const scenarioModule =
		require('../test/money/faultScenario') as typeof import('../test/money/faultScenario');
	const proxyModule =
		require('../test/money/proxyScenario') as typeof import('../test/money/proxyScenario');
	/* eslint-enable @typescript-eslint/no-require-imports */
	const {
		buildScenarioRows,
		checkRerun,
		checkRun,
		faultState,
		runScenario,
		scenarioFaults,
		CI_SETTINGS,
	} = scenarioModule;
	const { committedResends, runProxyScenario } = proxyModule;

	const seed = option('seed', 6);
	const settings = {
		...CI_SETTINGS,
		concurrency: option('concurrency', CI_SETTINGS.concurrency),
		maxAttempts: option('max-attempts', CI_SETTINGS.maxAttempts),
		requestTimeout: option('timeout', CI_SETTINGS.requestTimeout),
	};

	if (process.argv.includes('--retries')) {
		/* eslint-disable-next-line @typescript-eslint/no-require-imports */
		const { runRetryScenario } =
			require('../test/money/retryScenario') as typeof import('../test/money/retryScenario');
		const rows = option('rows', 1000);
		console.log(`Retry Failed Rows under the fault proxy: ${rows} rows, seed ${seed}\n`);
		const result = await runRetryScenario({
			rows,
			seed,
			rate: option('rate', 0.2),
			lagReads: option('lag', 3),
			settings,
			log: (line) => console.log(line),
		});
		if (result.violations.length) {
			console.error(`\n${result.violations.length} VIOLATION(S):`);
			for (const text of result.violations.slice(0, 50)) console.error(`  - ${text}`);
			return 1;
		}
		console.log(
			'\nOK: no row with two attempts that moved money, every item agrees with the ledger, every ' +
				'row paid once or explained.',
		);
		return 0;
	}

	if (process.argv.includes('--proxy')) {
		const rows = option('rows', 1000);
		const lagReads = option('lag', 3);
		console.log(
			`Fault proxy: ${rows} rows, rate ${option('rate', 0.2)}, lag ${lagReads} reads, seed ${seed}; node ${JSON.stringify(settings)}\n`,
		);
		const result = await runProxyScenario({
			rows,
			seed,
			rate: option('rate', 0.2),
			lagReads,
			settings,
			firstRunOnly: process.argv.includes('--first-run-only'),
			log: (line) => console.log(line),
		});
		console.log(
			`\nSecond origin: ${result.secondOriginRequests} requests received; lagged reads ${result.laggedReads}; empty/foreign 409 bodies ${result.conflictBodies}`,
		);
		console.log(
			`Invoices created without an explicit test_mode: ${result.invoicesWithoutExplicitTestMode}`,
		);
		if (result.violations.length) {
			console.error(`\n${result.violations.length} VIOLATION(S):`);
			for (const text of result.violations.slice(0, 50)) console.error(`  - ${text}`);
			return 1;
		}
		console.log(
			'\nOK: no double payment, no committed write re-sent, every row agrees with the ledger.',
		);
		return 0;
	}

	const rows = option('rows', 2000);
	const rate = option('rate', 0.25);
	const rerun = !process.argv.includes('--no-rerun');

	const sandbox = await startSandbox({ port: 0, processDelayMs: 30, seed });
	const violations: string[] = [];
	try {
		const scenario = buildScenarioRows(rows, `full-${seed}-${Date.now().toString(36)}`);
		const faults = scenarioFaults(rate, seed, settings);
		console.log(
			`Sandbox ${sandbox.baseUrl}; ${rows} rows (${scenario.kinds.filter((k) => k === 'pay').length} to pay, ` +
				`${scenario.kinds.filter((k) => k === 'fail').length} set to fail, ${scenario.kinds.filter((k) => k === 'invalid').length} malformed)`,
		);
		console.log(`Node: ${JSON.stringify(settings)}`);
		console.log(`Faults: ${JSON.stringify(faults)}\n`);

		sandbox.setFaults(faults);
		const first = await runScenario(sandbox, scenario.rows, settings);
		const firstCheck = checkRun(scenario, first, sandbox.ledger(), await faultState(sandbox));
		const { summary } = firstCheck;
		console.log(
			`Run 1 under faults: ${first.seconds.toFixed(1)} s (${(rows / first.seconds).toFixed(1)} rows/s)`,
		);
		console.log(`  node reported:   ${JSON.stringify(summary.reported)}`);
		console.log(
			`  ledger invoices: ${JSON.stringify(summary.ledgerByStatus)} (processed ${summary.ledgerProcessed}, unknown-but-paid ${summary.unknownButPaid})`,
		);
		console.log(`  create calls:    ${JSON.stringify(summary.createCalls)}`);
		console.log(`  process calls:   ${JSON.stringify(summary.processCalls)}`);
		const mine = sandbox.ledger();
		const refs = new Set(scenario.rows.map((row) => String(row.reference_id)));
		const ids = new Set(
			mine.invoices.filter((invoice) => refs.has(invoice.referenceId)).map((invoice) => invoice.id),
		);
		const doubles = mine.invoices.filter(
			(invoice) =>
				refs.has(invoice.referenceId) &&
				(invoice.createsCommitted > 1 || invoice.processCommitted > 1),
		).length;
		const resends = committedResends(
			mine.calls.filter(
				(call) => refs.has(String(call.referenceId)) || ids.has(String(call.invoiceId)),
			),
		);
		console.log(`  double payments: ${doubles}   committed-write re-sends: ${resends}`);
		console.log(
			`  faults injected: ${summary.faultsInjected} ${JSON.stringify(summary.faultsByKind)}`,
		);
		console.log(
			`  write faults:    ${JSON.stringify(Object.fromEntries(Object.entries(summary.writeFaults).sort()))}`,
		);
		for (const line of summary.notPaid) console.log(`  not paid: ${line}`);
		violations.push(...firstCheck.violations.map((text) => `run 1: ${text}`));

		if (rerun) {
			let before = sandbox.ledger();
			sandbox.setFaults(scenarioFaults(rate, seed + 1, settings));
			const second = await runScenario(sandbox, scenario.rows, settings);
			const secondCheck = checkRerun(
				scenario,
				before,
				firstCheck.outcomes,
				second,
				sandbox.ledger(),
				false,
			);
			console.log(`\nRun 2, same rows under other faults: ${second.seconds.toFixed(1)} s`);
			console.log(
				`  ${JSON.stringify({ ...secondCheck, violations: secondCheck.violations.length })}`,
			);
			violations.push(...secondCheck.violations.map((text) => `run 2: ${text}`));

			before = sandbox.ledger();
			sandbox.setFaults(null);
			const third = await runScenario(sandbox, scenario.rows, settings);
			const thirdCheck = checkRerun(
				scenario,
				before,
				firstCheck.outcomes,
				third,
				sandbox.ledger(),
				true,
			);
			const newCalls = sandbox.ledger().calls.slice(before.calls.length);
			const stillCreated = new Set(
				before.invoices
					.filter((invoice) => invoice.processCommitted === 0)
					.map((invoice) => invoice.id),
			);
			const unexpected = newCalls.filter((call) =>
				call.operation === 'create'
					? call.committed || call.decidedStatus !== 409
					: !stillCreated.has(String(call.invoiceId)),
			);
			if (unexpected.length)
				violations.push(
					`run 3: ${unexpected.length} writes beyond 409s and processing invoices left in created`,
				);
			console.log(`\nRun 3, same rows without faults: ${third.seconds.toFixed(1)} s`);
			console.log(
				`  ${JSON.stringify({ ...thirdCheck, violations: thirdCheck.violations.length })}`,
			);
			violations.push(...thirdCheck.violations.map((text) => `run 3: ${text}`));
		}

		const ledger = sandbox.ledger().summary;
		console.log(
			`\nLedger: referencesWithMultipleInvoices ${ledger.referencesWithMultipleInvoices}, invoicesProcessedMoreThanOnce ${ledger.invoicesProcessedMoreThanOnce}, ` +
				`invoicesWithoutExplicitTestMode ${ledger.invoicesWithoutExplicitTestMode}`,
		);
		// Test or live, always explicit: an invoice created without test_mode may be a live payout.
		if (ledger.invoicesWithoutExplicitTestMode)
			violations.push(
				`${ledger.invoicesWithoutExplicitTestMode} invoices created without an explicit test_mode`,
			);
	} finally {
		await sandbox.close();
	}
	if (violations.length) {
		console.error(`\n${violations.length} VIOLATION(S):`);
		for (const text of violations.slice(0, 50)) console.error(`  - ${text}`);
		return 1;
	}
	console.log('\nOK: exactly once, every row accounted for.');
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(2);
	},
);
