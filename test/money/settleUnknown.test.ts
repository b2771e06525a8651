/**
 * Issue 18, part 3: a row whose reads all fail within its attempts is not reported unknown at once. Create and
 * Process asks the platform again at the end of the run, by the money path's rules, and reports unknown only
 * what is still unreadable then. The fault proxy (test/support/faultProxy.ts) makes one row's reads fail for a
 * while (a count of requests, so the test does not depend on timing) and then recover; the sandbox's ledger
 * shows what really happened.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type RunningSandbox, type SandboxCredentials } from '../../sandbox';
import { checkModeAfterEachTest } from '../support/explicitMode';
import {
	startFaultProxy,
	type FaultProxy,
	type FaultProxyOptions,
	type MoneyOperation,
	type ProxyFault,
} from '../support/faultProxy';
import { payoutParameters } from '../support/payoutWorkflow';
import { CONTINUE_ON_FAIL, runNode } from '../support/runNode';

// Several tests here wait out the end-of-run settling's real 30 s budget; twice jest's default keeps
// a loaded CI machine from turning a slow pass into a timeout.
jest.setTimeout(120_000);

let sandbox: RunningSandbox;
let proxy: FaultProxy;
let counter = 0;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
	proxy = await startFaultProxy(sandbox.baseUrl, { seed: 18, rate: 0 });
});
afterAll(async () => {
	await proxy?.close();
	await sandbox?.close();
});
checkModeAfterEachTest(() => sandbox);

const SETTINGS = {
	maxAttempts: 3,
	requestTimeout: 1,
	waitForFinalStatus: true,
	maxWaitSeconds: 20,
	pollIntervalSeconds: 0.1,
};
const UNREADABLE: ProxyFault[] = ['non_json_200', 'cut_midway', 'echo_headers', 'redirect_foreign'];

/**
 * The proxy for one run: the first write of `write` about the reference loses its answer (`writeFault`), and the
 * first `failReads` reads about the payout (look-ups by reference, reads of its invoice) cannot be read.
 * Every other request passes cleanly.
 */
function faults(
	reference: string,
	plan: { write: MoneyOperation; writeFault: ProxyFault; failReads: number; lagReads?: number },
): { credentials: SandboxCredentials; readsFailed: () => number } {
	let writeFaulted = false;
	let readsFailed = 0;
	const isOurs = (request: { operation: string; referenceId?: string; invoiceId?: string }) =>
		request.referenceId === reference ||
		(request.invoiceId !== undefined &&
			sandbox.ledger().invoices.find((invoice) => invoice.id === request.invoiceId)?.referenceId ===
				reference);
	const options: Partial<FaultProxyOptions> = {
		seed: ++counter,
		rate: 0,
		lagReads: plan.lagReads ?? 0,
		conflictBodyRate: 0,
		force: (request) => {
			if (!isOurs(request)) return undefined;
			if (request.operation === plan.write && !writeFaulted) {
				writeFaulted = true;
				return plan.writeFault;
			}
			if ((request.operation === 'list' || request.operation === 'get') && writeFaulted) {
				if (readsFailed >= plan.failReads) return undefined;
				return UNREADABLE[readsFailed++ % UNREADABLE.length];
			}
			return undefined;
		},
	};
	proxy.configure(options);
	return {
		credentials: { ...sandbox.credentials, baseUrl: proxy.baseUrl },
		readsFailed: () => readsFailed,
	};
}

async function payOne(
	credentials: SandboxCredentials,
	reference: string,
	node: IDataObject = CONTINUE_ON_FAIL,
) {
	const started = Date.now();
	const run = await runNode(
		credentials,
		payoutParameters('createAndProcess', SETTINGS),
		[
			{ reference_id: reference, amount: '12.34', account: '12345' },
			{ reference_id: `${reference}-neighbour`, amount: '1.00', account: '12346' },
		],
		node,
	);
	const ledger = sandbox.ledger();
	const invoices = ledger.invoices.filter((invoice) => invoice.referenceId === reference);
	const calls = ledger.calls.filter(
		(call) =>
			call.referenceId === reference || invoices.some((invoice) => invoice.id === call.invoiceId),
	);
	return { run, invoices, calls, seconds: (Date.now() - started) / 1000 };
}

describe('reads that fail for a while, then recover: the row is reported with its true outcome', () => {
	it('create answer lost, then every look-up of the row fails: settled at the end as paid, created and processed once', async () => {
		const reference = `settle-${++counter}`;
		// The row's own look-ups (3 attempts) and the first end-of-run round (3 attempts) fail; the second round reads.
		const plan = faults(reference, { write: 'create', writeFault: 'reset_after', failReads: 6 });
		const { run, invoices, calls } = await payOne(plan.credentials, reference);
		expect(plan.readsFailed()).toBe(6);
		expect(invoices).toHaveLength(1);
		expect(invoices[0]).toMatchObject({
			createsCommitted: 1,
			processCommitted: 1,
			status: 'processed',
		});
		expect(calls.filter((call) => call.operation === 'create')).toHaveLength(1);
		const row = run.json()[0];
		expect(row.error).toBeUndefined();
		expect(row).toMatchObject({
			id: invoices[0].id,
			status: 'processed',
			settledAtEnd: true,
			foundAfterError: true,
			processRequested: true,
			alreadyProcessed: false,
		});
		expect(run.json()[1]).toMatchObject({ status: 'processed' });
		expect(run.json()[1].settledAtEnd).toBeUndefined();
	});

	it('process answer lost, reads of the invoice fail and lag: settled as paid, never processed a second time', async () => {
		const reference = `settle-${++counter}`;
		const plan = faults(reference, {
			write: 'process',
			writeFault: 'reset_after',
			failReads: 5,
			lagReads: 3,
		});
		const { run, invoices, calls } = await payOne(plan.credentials, reference);
		expect(invoices).toHaveLength(1);
		expect(invoices[0]).toMatchObject({
			createsCommitted: 1,
			processCommitted: 1,
			status: 'processed',
		});
		// The only process request is the one whose answer was lost: none after it had committed.
		expect(calls.filter((call) => call.operation === 'process')).toHaveLength(1);
		expect(run.json()[0]).toMatchObject({
			status: 'processed',
			settledAtEnd: true,
			processRequested: true,
		});
	});

	it('a create that never reached the platform, then failing look-ups: created once at the end, after the platform said there is none', async () => {
		const reference = `settle-${++counter}`;
		const plan = faults(reference, { write: 'create', writeFault: 'garbled_before', failReads: 4 });
		const { run, invoices, calls } = await payOne(plan.credentials, reference);
		expect(invoices).toHaveLength(1);
		expect(invoices[0]).toMatchObject({ createsCommitted: 1, processCommitted: 1 });
		expect(calls.filter((call) => call.committed)).toHaveLength(2);
		expect(run.json()[0]).toMatchObject({ status: 'processed', settledAtEnd: true });
	});

	it('reads that fail through more rounds than Max Attempts: still settled, since the budget (Max Wait) bounds the rounds', async () => {
		const reference = `settle-${++counter}`;
		// The row's own reads and Max Attempts rounds of Max Attempts reads each fail, so only a round beyond Max
		// Attempts reads (issue 30: a later read settled such rows, but the rounds stopped after Max Attempts
		// with most of Max Wait left).
		const failReads = SETTINGS.maxAttempts * (SETTINGS.maxAttempts + 1);
		const plan = faults(reference, { write: 'create', writeFault: 'reset_after', failReads });
		const { run, invoices, calls } = await payOne(plan.credentials, reference);
		expect(plan.readsFailed()).toBe(failReads);
		expect(invoices).toHaveLength(1);
		expect(invoices[0]).toMatchObject({ createsCommitted: 1, processCommitted: 1 });
		expect(calls.filter((call) => call.operation === 'create')).toHaveLength(1);
		expect(run.json()[0]).toMatchObject({
			id: invoices[0].id,
			status: 'processed',
			settledAtEnd: true,
			foundAfterError: true,
		});
	});

	it('without Continue On Fail, a row settled at the end does not fail the node', async () => {
		const reference = `settle-${++counter}`;
		const plan = faults(reference, { write: 'create', writeFault: 'reset_after', failReads: 4 });
		const { run, invoices } = await payOne(plan.credentials, reference, {});
		expect(run.result.executionError).toBeUndefined();
		expect(invoices[0]).toMatchObject({ processCommitted: 1 });
		expect(run.json()[0]).toMatchObject({ status: 'processed', settledAtEnd: true });
	});
});

describe('reads that never recover: still unknown, and nothing is paid twice', () => {
	it('every read about the row fails: unknown after the end-of-run rounds, within the bound, one invoice, no second write', async () => {
		const reference = `settle-${++counter}`;
		const plan = faults(reference, {
			write: 'create',
			writeFault: 'reset_after',
			failReads: 10_000,
		});
		const { run, invoices, calls, seconds } = await payOne(plan.credentials, reference);
		expect(invoices).toHaveLength(1);
		expect(invoices[0]).toMatchObject({
			createsCommitted: 1,
			processCommitted: 0,
			status: 'created',
		});
		expect(calls).toHaveLength(1);
		expect(run.json()[0]).toMatchObject({ stage: 'outcome_unknown' });
		expect(String(run.json()[0].error)).toContain('whether the payout was created is unknown');
		// The row's own reads, then rounds at the end until Max Wait is spent: more than Max Attempts rounds.
		expect(plan.readsFailed()).toBeGreaterThan(SETTINGS.maxAttempts * (1 + SETTINGS.maxAttempts));
		// Bounded: the row's own reads, Max Wait (20 s) of rounds, and the one attempt still running then.
		expect(seconds).toBeLessThan(SETTINGS.maxWaitSeconds + 10);
		expect(run.json()[1]).toMatchObject({ status: 'processed' });
	});

	it('without Continue On Fail the still-unknown row fails the node, after the others were paid', async () => {
		const reference = `settle-${++counter}`;
		const plan = faults(reference, {
			write: 'create',
			writeFault: 'reset_after',
			failReads: 10_000,
		});
		const { run, invoices } = await payOne(plan.credentials, reference, {});
		expect(
			run.result.executionError?.message ?? run.result.errorOf('PaymentsTrust')?.message,
		).toMatch(/whether the payout was created is unknown/);
		expect(invoices[0].processCommitted).toBe(0);
		const neighbour = sandbox
			.ledger()
			.invoices.find((invoice) => invoice.referenceId === `${reference}-neighbour`);
		expect(neighbour?.processCommitted).toBe(1);
	});
});

/**
 * A proxy configuration for the tests below: `force` picks a fault per request (every other request passes
 * cleanly), with the ledger to tell which payout a request is about.
 */
function forced(
	force: (request: {
		operation: string;
		reference?: string;
		seq: number;
	}) => ProxyFault | undefined,
): SandboxCredentials {
	const referenceOf = (request: { referenceId?: string; invoiceId?: string }) =>
		request.referenceId ??
		sandbox.ledger().invoices.find((invoice) => invoice.id === request.invoiceId)?.referenceId;
	proxy.configure({
		seed: ++counter,
		rate: 0,
		lagReads: 0,
		conflictBodyRate: 0,
		force: (request) =>
			force({ operation: request.operation, reference: referenceOf(request), seq: request.seq }),
	});
	return { ...sandbox.credentials, baseUrl: proxy.baseUrl };
}

describe('issue 30: a row is settled while the run goes on, not only after its last row', () => {
	it('a row unknown early is paid before the rows after it are done (one row at a time), once', async () => {
		const reference = `settle-${++counter}`;
		const neighbours = Array.from({ length: 6 }, (_, n) => `${reference}-n${n + 1}`);
		let readsFailed = 0;
		const firstPoll = new Set<string>();
		const credentials = forced(({ operation, reference: about }) => {
			if (about === reference) {
				if (operation === 'create') return 'reset_after';
				// The row's own look-ups (Max Attempts) fail: it ends unknown in its first pass.
				if (operation === 'list' && readsFailed < SETTINGS.maxAttempts) {
					readsFailed++;
					return 'echo_headers';
				}
				return undefined;
			}
			// Each neighbour's first status poll answers only after the Request Timeout: a neighbour takes over
			// a second, so the neighbours take several seconds one after the other.
			if (about && operation === 'get' && !firstPoll.has(about)) {
				firstPoll.add(about);
				return 'trickle';
			}
			return undefined;
		});
		const run = await runNode(
			credentials,
			payoutParameters('createAndProcess', { ...SETTINGS, concurrency: 1 }),
			[reference, ...neighbours].map((ref, n) => ({
				reference_id: ref,
				amount: `${n + 1}.00`,
				account: String(20000 + n),
			})),
			CONTINUE_ON_FAIL,
		);
		const ledger = sandbox.ledger();
		const invoice = ledger.invoices.find((entry) => entry.referenceId === reference)!;
		expect(invoice).toMatchObject({ createsCommitted: 1, processCommitted: 1 });
		expect(run.json()[0]).toMatchObject({ status: 'processed', settledAtEnd: true });
		// Settled while the neighbours were being paid: its process went out before the last neighbour's create.
		const processSeq = ledger.calls.find(
			(call) => call.operation === 'process' && call.invoiceId === invoice.id,
		)!.seq;
		const lastCreate = ledger.calls.find(
			(call) =>
				call.operation === 'create' && call.referenceId === neighbours[neighbours.length - 1],
		)!.seq;
		expect(processSeq).toBeLessThan(lastCreate);
		for (const json of run.json().slice(1)) expect(json).toMatchObject({ status: 'processed' });
	});
});

describe('a process request refused with 429 on every attempt', () => {
	const refusals = (reference: string, count: number) => {
		let refused = 0;
		const credentials = forced(({ operation, reference: about }) => {
			if (about !== reference || operation !== 'process' || refused >= count) return undefined;
			refused++;
			return refused % 2 ? 'too_many_no_retry_after' : 'too_many_http_date';
		});
		return { credentials, refused: () => refused };
	};

	it('is not "not paid" for good: the platform still shows the invoice created, it is processed once at a later attempt', async () => {
		const reference = `settle-${++counter}`;
		const plan = refusals(reference, SETTINGS.maxAttempts);
		const { run, invoices, calls } = await payOne(plan.credentials, reference);
		expect(plan.refused()).toBe(SETTINGS.maxAttempts);
		expect(invoices).toHaveLength(1);
		expect(invoices[0]).toMatchObject({ processCommitted: 1, status: 'processed' });
		// The refused requests never reached the platform; the one that did paid it.
		expect(calls.filter((call) => call.operation === 'process')).toHaveLength(1);
		expect(run.json()[0]).toMatchObject({
			id: invoices[0].id,
			status: 'processed',
			settledAtEnd: true,
			processRequested: true,
		});
		expect(run.json()[0].error).toBeUndefined();
	});

	it('refused until the budget is spent: reported with the invoice as the platform has it (created, not paid), within the bound', async () => {
		const reference = `settle-${++counter}`;
		const plan = refusals(reference, 10_000);
		const { run, invoices, calls, seconds } = await payOne(plan.credentials, reference);
		expect(invoices).toHaveLength(1);
		expect(invoices[0]).toMatchObject({ processCommitted: 0, status: 'created' });
		expect(calls.filter((call) => call.operation === 'process')).toHaveLength(0);
		const row = run.json()[0];
		expect(row).toMatchObject({
			stage: 'process_rate_limited',
			httpCode: '429',
			id: invoices[0].id,
			status: 'created',
		});
		expect(String(row.error)).toContain(`Process payout invoice ${invoices[0].id}`);
		expect(String(row.error)).toContain('still shows it in status "created", so it was not paid');
		// Asked again after the first pass, so more refusals than Max Attempts, but within Max Wait and one attempt.
		expect(plan.refused()).toBeGreaterThan(SETTINGS.maxAttempts);
		expect(seconds).toBeLessThan(SETTINGS.maxWaitSeconds + 25);
		expect(run.json()[1]).toMatchObject({ status: 'processed' });
	});
});

describe('an outage on some rows does not keep the other rows from being paid', () => {
	it('rows whose every read fails are asked about again with at most half the Concurrency: the rows after them are all paid, within the bound', async () => {
		const reference = `settle-${++counter}`;
		const down = Array.from({ length: 4 }, (_, n) => `${reference}-down${n + 1}`);
		const healthy = Array.from({ length: 6 }, (_, n) => `${reference}-ok${n + 1}`);
		// Every request about the first four rows is lost: the create's answer, then every read. Each
		// of them ends unknown and is due again and again; an attempt takes seconds (reads with back-off).
		const credentials = forced(({ operation, reference: about }) => {
			if (!about || !down.includes(about)) return undefined;
			return operation === 'create' ? 'reset_after' : 'echo_headers';
		});
		const maxWaitSeconds = 5;
		const started = Date.now();
		const run = await runNode(
			credentials,
			payoutParameters('createAndProcess', { ...SETTINGS, maxWaitSeconds, concurrency: 2 }),
			[...down, ...healthy].map((ref, n) => ({
				reference_id: ref,
				amount: `${n + 1}.00`,
				account: String(30000 + n),
			})),
			CONTINUE_ON_FAIL,
		);
		const seconds = (Date.now() - started) / 1000;
		const ledger = sandbox.ledger();
		// Without a share for the rows not yet paid, the four rows' attempts would hold both workers
		// for as long as any row waits, and no deadline starts before every row had its first pass.
		for (const json of run.json().slice(down.length))
			expect(json).toMatchObject({ status: 'processed' });
		for (const json of run.json().slice(0, down.length))
			expect(json).toMatchObject({ stage: 'outcome_unknown' });
		for (const ref of down) {
			const invoices = ledger.invoices.filter((invoice) => invoice.referenceId === ref);
			expect(invoices).toHaveLength(1);
			expect(invoices[0]).toMatchObject({ createsCommitted: 1, processCommitted: 0 });
		}
		const lastHealthyCreate = Math.max(
			...ledger.calls
				.filter((call) => call.operation === 'create' && healthy.includes(call.referenceId ?? ''))
				.map((call) => Date.parse(call.at) - started),
		);
		// Measured on 2 cores: the last healthy row is created about 3 s into the run with the share, 17 s
		// without it (the four rows' attempts, one after the other, on both workers).
		expect(lastHealthyCreate).toBeLessThan(10_000);
		expect(seconds).toBeLessThan(maxWaitSeconds + 30);
	}, 90_000);
});
