/**
 * Issue 12: the money path through a seeded fault proxy nobody wrote into the sandbox (test/support/faultProxy.ts):
 * garbled 2xx before and after the write, non-JSON look-ups, lists that are not lists, look-ups lagging three
 * reads behind, resets and cut bodies after the commit, 500 after a committed process, foreign and empty 409
 * bodies, redirects to a second origin, error pages echoing the request's headers, trickled answers, 429 with
 * no or an HTTP-date Retry-After. Then the same rows twice more. Full size: `npx tsx scripts/fault-test.ts --proxy`.
 */
import { useProxyScenario } from './proxyScenario';

const ROWS = Number(process.env.PROXY_ROWS ?? 150);
const SEED = Number(process.env.PROXY_SEED ?? 12);

const scenario = useProxyScenario({ rows: ROWS, seed: SEED });

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
					scenario().faultKinds.has(`create ${kind}`) ||
					scenario().faultKinds.has(`process ${kind}`),
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
				onRead:
					scenario().faultKinds.has(`get ${kind}`) || scenario().faultKinds.has(`list ${kind}`),
			}).toEqual({ kind, onRead: true });
		}
	});

	it('the ledger agrees with every row; no double payment; no committed write re-sent; nothing secret anywhere', () => {
		expect(scenario().violations).toEqual([]);
		for (const run of scenario().runs) {
			expect(run.doublePayments).toBe(0);
			expect(run.committedResends).toBe(0);
			expect(run.processResendsAcrossRuns).toBe(0);
		}
		expect(scenario().secondOriginRequests).toBe(0);
	});

	it('look-ups really lagged behind writes, and 409s really came with empty or foreign bodies', () => {
		expect(scenario().laggedReads).toBeGreaterThan(0);
		expect(scenario().conflictBodies).toBeGreaterThan(0);
	});

	it('most rows get through: an unreadable answer is looked up, not given up', () => {
		const paid = scenario().runs[0].reported.processed ?? 0;
		expect(paid).toBeGreaterThanOrEqual(Math.floor(ROWS * 0.8));
	});
});
