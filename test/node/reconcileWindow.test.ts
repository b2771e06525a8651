/**
 * Issue 30: Reconcile believes a payout is missing only after readable answers over "Missing After" (10 s by
 * default) agree. A read replica that lags behind writes is the fault proxy's time lag (`lagMs`): payouts are
 * made through the proxy, then reconciled at once, while every look-up about them still shows nothing. Judged by
 * the sandbox's ledger (the payouts exist) and the proxy's records (the look-ups did lag).
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest } from '../support/explicitMode';
import { startFaultProxy, type FaultProxy } from '../support/faultProxy';
import { payoutParameters } from '../support/payoutWorkflow';
import { failureText, runNode } from '../support/runNode';

let sandbox: RunningSandbox;
let batch = 0;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(async () => await sandbox.close());
checkModeAfterEachTest(() => sandbox);

const reconcileParameters = (options: IDataObject = {}): IDataObject => ({
	resource: 'payoutInvoice',
	operation: 'reconcile',
	referenceId: '={{ $json.reference_id }}',
	expectedAmount: '={{ $json.amount }}',
	expectedCurrency: 'USD',
	options,
});

/**
 * Two payouts created through a proxy whose reads lag `lagMs` behind each write, and a reference never paid;
 * then Reconcile through the same proxy at once.
 */
async function reconcileRightAfterPaying(lagMs: number, options: IDataObject = {}) {
	batch++;
	const proxy: FaultProxy = await startFaultProxy(sandbox.baseUrl, {
		seed: 30,
		rate: 0,
		lagReads: 0,
		lagMs,
	});
	try {
		const credentials = { ...sandbox.credentials, baseUrl: proxy.baseUrl };
		const paid = [
			{ reference_id: `lag-${batch}-a`, amount: '10.00', account: '100001' },
			{ reference_id: `lag-${batch}-b`, amount: '20.00', account: '100002' },
		];
		const created = await runNode(credentials, payoutParameters('create'), paid);
		expect(created.json().map((row) => row.status)).toEqual(['created', 'created']);
		const sheet = [...paid, { reference_id: `lag-${batch}-never`, amount: '30.00' }];
		const run = await runNode(credentials, reconcileParameters(options), sheet);
		const lookups = proxy.records.filter((record) => record.operation === 'list');
		return { rows: run.json(), lookups, paid };
	} finally {
		await proxy.close();
	}
}

describe('Reconcile: missing only after Missing After seconds of readable answers', () => {
	it('a read replica 5 s behind: payouts made a moment ago are found, never missing (default window)', async () => {
		const { rows, lookups, paid } = await reconcileRightAfterPaying(5_000);
		expect(rows.map((row) => row.outcome)).toEqual(['found', 'found', 'missing']);
		for (const [index, payout] of paid.entries()) {
			const invoice = sandbox
				.ledger()
				.invoices.find((entry) => entry.referenceId === payout.reference_id);
			expect(rows[index].id).toBe(invoice!.id);
		}
		// The look-ups really lagged: the first answers about the paid rows showed nothing.
		expect(lookups.filter((record) => record.lagged).length).toBeGreaterThan(0);
		// The row really missing was believed only after readable answers at least 10 s apart.
		const never = lookups.filter((record) => record.referenceId === String(rows[2].referenceId));
		expect(never.every((record) => record.clean)).toBe(true);
		expect(never.length).toBeGreaterThanOrEqual(4);
		expect(never[never.length - 1].at - never[0].at).toBeGreaterThanOrEqual(10_000 - 50);
	}, 60_000);

	it('a replica 12 s behind with Missing After 15: found', async () => {
		const { rows } = await reconcileRightAfterPaying(12_000, { missingAfterSeconds: 15 });
		expect(rows.map((row) => row.outcome)).toEqual(['found', 'found', 'missing']);
	}, 90_000);

	it('a window shorter than the lag takes a payout made a moment ago as missing: the window is the setting', async () => {
		const { rows } = await reconcileRightAfterPaying(5_000, { missingAfterSeconds: 1 });
		expect(rows.map((row) => row.outcome)).toEqual(['missing', 'missing', 'missing']);
	}, 60_000);

	it.each([0, 601, 'soon'])('Missing After %p stops the node before any look-up', async (value) => {
		const proxy = await startFaultProxy(sandbox.baseUrl, { seed: 30, rate: 0, lagReads: 0 });
		try {
			const run = await runNode(
				{ ...sandbox.credentials, baseUrl: proxy.baseUrl },
				reconcileParameters({ missingAfterSeconds: value }),
				[{ reference_id: 'never-looked-up', amount: '1' }],
			);
			expect(failureText(run.result)).toMatch(
				/Option "Missing After \(Seconds\)" must be a number from 1 to 600/,
			);
			expect(proxy.records.filter((record) => record.operation === 'list')).toEqual([]);
		} finally {
			await proxy.close();
		}
	});
});
