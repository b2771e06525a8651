/**
 * Payout Invoice → Process: pays invoices created earlier, at most once each. The sandbox ledger counts every
 * process request it received, so "not sent again" is checked where it matters.
 */
import { payoutParameters } from '../support/payoutWorkflow';
import { useSandbox } from '../support/sandboxSuite';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

const sandbox = useSandbox();

const WAIT = { waitForFinalStatus: true, pollIntervalSeconds: 0.05, maxWaitSeconds: 10 };
const processById = (options: Record<string, unknown> = {}) => ({
	resource: 'payoutInvoice',
	operation: 'process',
	invoiceId: '={{ $json.id }}',
	options,
});

/** Creates invoices (status "created") through the node and returns their ids in row order. */
async function createInvoices(count: number, prefix: string): Promise<string[]> {
	const rows = Array.from({ length: count }, (_, index) => ({
		reference_id: `${prefix}-${index + 1}`,
		amount: `${index + 1}`,
		// A payee of its own per row: one payee in several rows would stop the create run.
		account: String(index + 1),
	}));
	const run = await runNode(sandbox.credentials, payoutParameters('create'), rows);
	return run.json().map((invoice) => String(invoice.id));
}

it('processes a created invoice: one process request, processRequested true', async () => {
	const [id] = await createInvoices(1, 'p');
	const run = await runNode(sandbox.credentials, processById(), [{ id }]);
	expect(run.json()).toEqual([
		expect.objectContaining({
			id,
			status: 'processing',
			isFinal: false,
			row: 1,
			processRequested: true,
			alreadyProcessed: false,
		}),
	]);
	expect(sandbox.ledger().summary.processCalls).toMatchObject({ total: 1, accepted: 1 });
});

it('waits for the final status when asked', async () => {
	const [id] = await createInvoices(1, 'w');
	const run = await runNode(sandbox.credentials, { ...processById(WAIT), simplify: false }, [
		{ id },
	]);
	expect(run.json()[0]).toMatchObject({
		id,
		status: 'processed',
		isFinal: true,
		waitTimedOut: false,
		processedAt: expect.stringMatching(/Z$/),
	});
});

it('an invoice already processed is output with alreadyProcessed and no second process request is sent', async () => {
	const [id] = await createInvoices(1, 'twice');
	await runNode(sandbox.credentials, processById(WAIT), [{ id }]);
	const callsBefore = sandbox.ledger().calls.filter((call) => call.operation === 'process');
	expect(callsBefore).toHaveLength(1);

	const again = await runNode(sandbox.credentials, processById(), [{ id }]);
	expect(again.json()[0]).toMatchObject({
		id,
		status: 'processed',
		processRequested: false,
		alreadyProcessed: true,
	});
	// Not even a rejected (409) one: the node read the invoice and saw it had left "created".
	expect(sandbox.ledger().calls.filter((call) => call.operation === 'process')).toEqual(
		callsBefore,
	);
	expect(sandbox.ledger().summary.invoicesProcessedMoreThanOnce).toBe(0);
});

it('the same invoice twice in one run is processed once', async () => {
	const [id] = await createInvoices(1, 'dup');
	const run = await runNode(sandbox.credentials, processById({ concurrency: 1 }), [{ id }, { id }]);
	expect(run.json().map((invoice) => [invoice.processRequested, invoice.alreadyProcessed])).toEqual(
		[
			[true, false],
			[false, true],
		],
	);
	expect(sandbox.ledger().summary.processCalls.accepted).toBe(1);
});

it('an unknown invoice ID fails with the 404 and what to check; nothing is sent', async () => {
	const run = await runNode(sandbox.credentials, processById(), [{ id: 'cpoi_unknown' }]);
	expect(run.result.status).toBe('error');
	expect(run.result.executionError?.message).toBe(
		'Row 1 (item 0): Get payout invoice "cpoi_unknown" before processing it failed with HTTP 404: Not Found',
	);
	expect(run.result.executionError?.description).toMatch(/^Not found: check the ID/);
	expect(sandbox.ledger().summary.processCalls.total).toBe(0);
});

it('a read before processing that keeps failing with 5xx is reported as outcome unknown; nothing is sent', async () => {
	const [id] = await createInvoices(1, 'pre');
	sandbox.setFaults({ rate: 1, operations: ['get'], kinds: { '503': 1 } });
	const run = await runNode(
		sandbox.credentials,
		processById({ maxAttempts: 2 }),
		[{ id }],
		CONTINUE_ON_FAIL,
	);
	expect(run.json()).toEqual([
		expect.objectContaining({
			row: 1,
			stage: 'outcome_unknown',
			error: expect.stringMatching(
				/^Row 1 \(item 0\): the invoice status before processing is unknown and was not retried: the look-up failed with HTTP 503/,
			),
		}),
	]);
	expect(sandbox.ledger().summary.processCalls.total).toBe(0);
});

it('an empty invoice ID is refused', async () => {
	const run = await runNode(sandbox.credentials, processById(), [{ id: '' }]);
	expect(failureText(run.result)).toMatch(/^Row 1 \(item 0\): no payout invoice chosen/);
});

it('with Continue On Fail a failing row is an error item and the other rows are processed, in input order', async () => {
	const ids = await createInvoices(2, 'cof');
	const rows = [{ id: ids[0] }, { id: 'cpoi_unknown' }, { id: ids[1] }];
	const run = await runNode(sandbox.credentials, processById(WAIT), rows, CONTINUE_ON_FAIL);
	const items = run.items();
	expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(items[0].json).toMatchObject({ id: ids[0], status: 'processed', row: 1 });
	expect(items[1].json).toMatchObject({
		row: 2,
		httpCode: '404',
		stage: 'api',
		description: expect.stringMatching(/^Not found/),
	});
	expect(items[2].json).toMatchObject({ id: ids[1], status: 'processed', row: 3 });
});

it('without Continue On Fail a failing row fails the node', async () => {
	const ids = await createInvoices(1, 'off');
	const run = await runNode(sandbox.credentials, processById(), [
		{ id: ids[0] },
		{ id: 'cpoi_unknown' },
	]);
	expect(run.result.status).toBe('error');
	expect(run.result.executionError?.message).toMatch(/^Row 2 \(item 1\): /);
});

it('processes many invoices with concurrency 10: outputs in input order, each paired with its row, each paid once', async () => {
	const ids = await createInvoices(24, 'many');
	const rows = [...ids].reverse().map((id) => ({ id }));
	const run = await runNode(sandbox.credentials, processById({ ...WAIT, concurrency: 10 }), rows);
	const items = run.items();
	expect(items.map((item) => item.json.id)).toEqual(rows.map((row) => row.id));
	expect(items.map((item) => item.json.row)).toEqual(rows.map((_row, index) => index + 1));
	expect(items.map((item) => item.pairedItem)).toEqual(
		rows.map((_row, index) => ({ item: index })),
	);
	expect(items.every((item) => item.json.status === 'processed')).toBe(true);
	const { summary } = sandbox.ledger();
	expect(summary.processCalls.accepted).toBe(24);
	expect(summary.invoicesProcessedMoreThanOnce).toBe(0);
});

it('a 5xx on the process request after it went through is resolved by reading the invoice, not by sending again', async () => {
	const [id] = await createInvoices(1, 'fault');
	sandbox.setFaults({
		rate: 1,
		operations: ['process'],
		kinds: { '503': 1 },
		afterCommitShare: 1,
		limit: 1,
	});
	const run = await runNode(sandbox.credentials, processById(WAIT), [{ id }]);
	expect(run.json()[0]).toMatchObject({
		id,
		status: 'processed',
		processRequested: true,
		alreadyProcessed: false,
	});
	const { summary } = sandbox.ledger();
	expect(summary.processCalls).toMatchObject({ total: 1, committed: 1, faultedCommitted: 1 });
});
