/**
 * Issue 27: Create and Process with Auto Process (the create request processes the invoice) through the seeded
 * fault proxy of issue 12 (test/support/faultProxy.ts): garbled and cut answers before and after the write, 500
 * after a committed create, lagging and unreadable look-ups, foreign 409 bodies, redirects, 429s. Then the same
 * rows twice more. Judged from the ledger: no double payment, no committed create re-sent, no process request at
 * all, every row agreeing with the ledger.
 */
import { useProxyScenario } from './proxyScenario';

const ROWS = Number(process.env.PROXY_ROWS ?? 90);
const SEED = Number(process.env.PROXY_SEED ?? 27);

const scenario = useProxyScenario({ rows: ROWS, seed: SEED, processing: 'autoProcess' });

describe(`${ROWS} rows of Create and Process with Auto Process through the fault proxy, then twice more`, () => {
	it('the ledger agrees with every row; no double payment; no committed create re-sent; no process request', () => {
		expect(scenario().violations).toEqual([]);
		for (const run of scenario().runs) {
			expect(run.doublePayments).toBe(0);
			expect(run.committedResends).toBe(0);
			expect(run.processCalls).toBe(0);
		}
		expect(scenario().secondOriginRequests).toBe(0);
	});

	it('the create met the ambiguous answers: garbled, cut or failed after the write', () => {
		const onCreate = [...scenario().faultKinds].filter((kind) => kind.startsWith('create '));
		for (const kind of ['garbled_after', 'reset_after', 'error500_after'])
			expect({ kind, met: onCreate.includes(`create ${kind}`) }).toEqual({ kind, met: true });
		expect(scenario().laggedReads).toBeGreaterThan(0);
	});

	it('most rows get through: an unreadable answer is looked up, not given up', () => {
		const paid = scenario().runs[0].reported.processed ?? 0;
		expect(paid).toBeGreaterThanOrEqual(Math.floor(ROWS * 0.8));
	});
});
