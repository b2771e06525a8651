/**
 * Issue 26: Retry Failed Rows through the fault proxy (test/support/faultProxy.ts). A share of the rows fail at
 * the gateway now and then, some always, some end partly paid; the sheet is run three times with retries, each run
 * under other faults, and judged by the sandbox's ledger (test/money/retryScenario.ts). Full size:
 * `npx tsx scripts/fault-test.ts --retries --rows 1000`.
 */
import { runRetryScenario, type RetryScenarioResult } from './retryScenario';

const ROWS = Number(process.env.RETRY_ROWS ?? 40);
const SEED = Number(process.env.RETRY_SEED ?? 26);

let result: RetryScenarioResult;

beforeAll(async () => {
	result = await runRetryScenario({
		rows: ROWS,
		seed: SEED,
		rate: 0.2,
		lagReads: 3,
		log: (line) => console.log(line),
	});
}, 170_000);

describe(`${ROWS} rows with Retry Failed Rows, three runs under the fault proxy`, () => {
	it('no row has two attempts that moved money; every item agrees with the ledger', () => {
		expect(result.violations).toEqual([]);
		for (const run of result.runs) expect(run.rowsPaidTwice).toBe(0);
	});

	it('rows that failed at the gateway were retried, and after three runs every row is paid once or says why', () => {
		expect(result.runs[1].retriesSent + result.runs[2].retriesSent).toBeGreaterThan(0);
		expect(result.final.unexplained).toBe(0);
		expect(result.final.paidOnce).toBeGreaterThan(ROWS / 2);
	});
});
