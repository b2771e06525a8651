/**
 * Issue 6: exactly-once under faults, proven from the sandbox's ledger. See faultScenario.ts for the
 * scenario and the checks, rerun.test.ts for running the same rows again; `npx tsx scripts/fault-test.ts
 * --rows 2000` runs both at full size.
 */
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest } from '../support/explicitMode';
import {
	ALL_KINDS,
	buildScenarioRows,
	checkRun,
	faultState,
	runScenario,
	scenarioFaults,
	type RunCheck,
	type ScenarioRows,
	type ScenarioRun,
} from './faultScenario';

const ROWS = Number(process.env.MONEY_ROWS ?? 400);
const RATE = 0.25;
const SEED = Number(process.env.MONEY_SEED ?? 6);

let sandbox: RunningSandbox;
let scenario: ScenarioRows;
let first: ScenarioRun;
let firstCheck: RunCheck;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 30, seed: SEED });
	scenario = buildScenarioRows(ROWS, `eo-${SEED}`);
	sandbox.setFaults(scenarioFaults(RATE, SEED));
	first = await runScenario(sandbox, scenario.rows);
	firstCheck = checkRun(scenario, first, sandbox.ledger(), await faultState(sandbox));
	console.log(
		`exactly-once: ${ROWS} rows in ${first.seconds.toFixed(1)} s\n${JSON.stringify(firstCheck.summary, null, 1)}`,
	);
}, 180_000);

afterAll(async () => sandbox?.close());
checkModeAfterEachTest(() => sandbox);

describe(`${ROWS} payouts under ${RATE * 100}% faults of every kind on create, process, get and list`, () => {
	it('every injected fault kind really happened, before and after the write', () => {
		const { summary } = firstCheck;
		for (const kind of ALL_KINDS) expect(summary.faultsByKind[kind] ?? 0).toBeGreaterThan(0);
		// On the writes themselves: every kind on create and on process, and 5xx/drop after the commit too.
		for (const operation of ['create', 'process']) {
			for (const kind of ALL_KINDS) {
				const seen = Object.entries(summary.writeFaults).filter(([key]) =>
					key.startsWith(`${operation} ${kind} `),
				);
				expect({ operation, kind, seen: seen.length > 0 }).toEqual({ operation, kind, seen: true });
			}
			expect(summary.writeFaults[`${operation} drop after`] ?? 0).toBeGreaterThan(0);
			expect(summary.writeFaults[`${operation} slow after`] ?? 0).toBeGreaterThan(0);
		}
		expect(summary.createCalls.faultedCommitted).toBeGreaterThan(0);
		expect(summary.processCalls.faultedCommitted).toBeGreaterThan(0);
		// At least 20 % of the write requests were faulted.
		expect(summary.createCalls.faulted / summary.createCalls.total).toBeGreaterThanOrEqual(0.2);
		expect(summary.processCalls.faulted / summary.processCalls.total).toBeGreaterThanOrEqual(0.2);
	});

	it('ledger and output agree: one invoice per reference, one accepted process per invoice, every row once in order', () => {
		expect(firstCheck.violations).toEqual([]);
	});

	it('pays the rows it should and refuses the malformed ones', () => {
		const { reported } = firstCheck.summary;
		const toPay = scenario.kinds.filter((kind) => kind === 'pay').length;
		const invalid = scenario.kinds.filter((kind) => kind === 'invalid').length;
		expect(reported.rejected).toBe(invalid);
		// A node that gave up on every fault would pass the checks above trivially: most rows must get through.
		expect(reported.paid).toBeGreaterThanOrEqual(Math.floor(toPay * 0.95));
		expect(reported.paid + reported.failed + reported.rejected + reported.unknown).toBe(ROWS);
	});
});
