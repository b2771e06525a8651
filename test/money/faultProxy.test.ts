/**
 * Issue 12: the money path through a seeded fault proxy nobody wrote into the sandbox (test/support/faultProxy.ts):
 * garbled 2xx before and after the write, non-JSON look-ups, lists that are not lists, look-ups lagging three
 * reads behind, resets and cut bodies after the commit, 500 after a committed process, foreign and empty 409
 * bodies, redirects to a second origin, error pages echoing the request's headers, trickled answers, 429 with
 * no or an HTTP-date Retry-After. Then the same rows twice more. Full size: `npx tsx scripts/fault-test.ts --proxy`.
 */
import { runProxyScenario, type ProxyScenarioResult } from './proxyScenario';

const ROWS = Number(process.env.PROXY_ROWS ?? 150);
const SEED = Number(process.env.PROXY_SEED ?? 12);

let result: ProxyScenarioResult;

beforeAll(async () => {
	result = await runProxyScenario({
		rows: ROWS,
		seed: SEED,
		rate: 0.2,
		lagReads: 3,
		log: (line) => console.log(line),
	});
}, 170_000);

describe(`${ROWS} rows of Create and Process through the fault proxy, then twice more`, () => {
	it('met every fault kind, on writes and on reads', () => {
		for (const kind of [
			'garbled_before',
			'garbled_after',
			'reset_after',
			'cut_midway',
			'error500_after',
			'trickle',
			'redirect_foreign',
			'echo_headers',
			'too_many_no_retry_after',
			'too_many_http_date',
		]) {
			expect({
				kind,
				onCreate:
					result.faultKinds.has(`create ${kind}`) || result.faultKinds.has(`process ${kind}`),
			}).toEqual({ kind, onCreate: true });
		}
		for (const kind of [
			'non_json_200',
			'not_a_list',
			'redirect_same_origin',
			'trickle',
			'cut_midway',
		]) {
			expect({
				kind,
				onRead: result.faultKinds.has(`get ${kind}`) || result.faultKinds.has(`list ${kind}`),
			}).toEqual({ kind, onRead: true });
		}
	});

	it('the ledger agrees with every row; no double payment; no committed write re-sent; nothing secret anywhere', () => {
		expect(result.violations).toEqual([]);
		for (const run of result.runs) {
			expect(run.doublePayments).toBe(0);
			expect(run.committedResends).toBe(0);
			expect(run.processResendsAcrossRuns).toBe(0);
		}
		expect(result.secondOriginRequests).toBe(0);
	});

	it('look-ups really lagged behind writes, and 409s really came with empty or foreign bodies', () => {
		expect(result.laggedReads).toBeGreaterThan(0);
		expect(result.conflictBodies).toBeGreaterThan(0);
	});

	it('most rows get through: an unreadable answer is looked up, not given up', () => {
		const paid = result.runs[0].reported.processed ?? 0;
		expect(paid).toBeGreaterThanOrEqual(Math.floor(ROWS * 0.8));
	});
});
