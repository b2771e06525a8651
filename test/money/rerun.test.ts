/**
 * Issue 6: running the same rows again is safe. A first run under faults, then the same rows under other
 * faults, then once more without faults; the ledger must show nothing created or processed twice, and the
 * re-runs must report the rows as already there. (Its own file, with fewer rows, so that each money test file
 * stays well under a minute on a 2-core machine.)
 */
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest } from '../support/explicitMode';
import {
	buildScenarioRows,
	checkRerun,
	checkRun,
	CI_SETTINGS,
	faultState,
	runScenario,
	scenarioFaults,
	type RunCheck,
	type ScenarioRows,
} from './faultScenario';

const ROWS = Number(process.env.MONEY_RERUN_ROWS ?? 200);
const RATE = 0.25;
const SEED = Number(process.env.MONEY_SEED ?? 6) + 100;

let sandbox: RunningSandbox;
let scenario: ScenarioRows;
let firstCheck: RunCheck;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 30, seed: SEED });
	scenario = buildScenarioRows(ROWS, `rr-${SEED}`);
	sandbox.setFaults(scenarioFaults(RATE, SEED));
	const first = await runScenario(sandbox, scenario.rows);
	firstCheck = checkRun(scenario, first, sandbox.ledger(), await faultState(sandbox));
	console.log(
		`first run: ${ROWS} rows in ${first.seconds.toFixed(1)} s, ${JSON.stringify(firstCheck.summary.reported)}`,
	);
}, 120_000);

afterAll(async () => sandbox?.close());
checkModeAfterEachTest(() => sandbox);

describe(`the same ${ROWS} rows run again`, () => {
	it('first run under faults is exactly-once', () => {
		expect(firstCheck.violations).toEqual([]);
	});

	it('a second run under other faults pays nothing new: every row paid before comes back already processed', async () => {
		const before = sandbox.ledger();
		sandbox.setFaults(scenarioFaults(RATE, SEED + 1));
		// Read from the items' columns this time: a sheet paid in one "Rows From" mode is not paid again in the other.
		const rerun = await runScenario(
			sandbox,
			scenario.rows,
			CI_SETTINGS,
			sandbox.credentials as never,
			'columns',
		);
		const check = checkRerun(scenario, before, firstCheck.outcomes, rerun, sandbox.ledger(), false);
		console.log(
			`re-run under faults: ${rerun.seconds.toFixed(1)} s, ${JSON.stringify({ ...check, violations: check.violations.length })}`,
		);
		expect(check.violations).toEqual([]);
		// Only a reference the first run never created may be created now, and only an invoice it never processed processed.
		expect(check.newInvoices).toBeLessThanOrEqual(
			firstCheck.outcomes.filter((outcome) => outcome !== 'rejected' && outcome !== 'paid').length,
		);
		const processedBefore = before.invoices.filter(
			(invoice) => invoice.processCommitted > 0,
		).length;
		expect(check.alreadyProcessed).toBeGreaterThanOrEqual(
			processedBefore - rerun.items.filter((item) => item.json.stage === 'outcome_unknown').length,
		);
	}, 90_000);

	it('a third run without faults reports every row as already existing and already processed, and sends no write', async () => {
		const before = sandbox.ledger();
		sandbox.setFaults(null);
		// No slow faults to outlast now: a patient timeout, so that a 409 slowed by a loaded machine is still read
		// as the 409 it is (a 1 s timeout turned some into look-ups, reported as found rather than already existing).
		const rerun = await runScenario(sandbox, scenario.rows, { ...CI_SETTINGS, requestTimeout: 30 });
		const after = sandbox.ledger();
		const check = checkRerun(scenario, before, firstCheck.outcomes, rerun, after, true);
		console.log(
			`re-run without faults: ${rerun.seconds.toFixed(1)} s, ${JSON.stringify({ ...check, violations: check.violations.length })}`,
		);
		expect(check.violations).toEqual([]);
		// After two runs every valid row has its invoice; normally every one is processed too. An invoice a
		// faulted run left in `created` (its outcome reported unknown) is the only thing this run may process.
		const mine = (ledger: typeof before) =>
			ledger.invoices.filter((invoice) => invoice.referenceId.startsWith(`rr-${SEED}-`));
		const stillCreated = new Set(
			mine(before)
				.filter((invoice) => invoice.processCommitted === 0)
				.map((invoice) => invoice.id),
		);
		const valid = scenario.kinds.filter((kind) => kind !== 'invalid').length;
		expect(mine(before)).toHaveLength(valid);
		expect(check.newInvoices).toBe(0);
		expect(check.newProcessCommits).toBe(stillCreated.size);
		expect(check.alreadyExisted).toBe(valid);
		expect(check.alreadyProcessed).toBe(valid - stillCreated.size);
		// The only writes: create attempts answered 409, and process requests only for invoices left in `created`.
		const newCalls = after.calls.slice(before.calls.length);
		expect(
			newCalls.filter(
				(call) => call.operation === 'create' && (call.decidedStatus !== 409 || call.committed),
			),
		).toEqual([]);
		expect(
			newCalls.filter(
				(call) => call.operation === 'process' && !stillCreated.has(String(call.invoiceId)),
			),
		).toEqual([]);
	}, 60_000);
});
