/**
 * The exactly-once proof, shared by `test/money/exactlyOnce.test.ts` (CI size) and `scripts/fault-test.ts`
 * (full size): N payout rows go through the real node (Create and Process, wait for final status, Continue
 * On Fail) inside n8n's engine against the sandbox while it injects faults of every kind on create, process,
 * get and list. Then the sandbox's ledger (what really happened, whatever the node was told) is compared
 * with what the node reported, row by row. `checkRun` and `checkRerun` return violations as sentences; an
 * empty list is the proof.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type {
	FaultConfig,
	FaultKind,
	FaultOperation,
	LedgerSnapshot,
	RunningSandbox,
} from '../../sandbox';
import { runWorkflow, type WorkflowRunResult } from '../../harness/runWorkflow';
import {
	payoutParameters,
	paymentsTrustWorkflow,
	PT_NODE,
	rowsFor,
	type RowsFrom,
} from '../support/payoutWorkflow';

export const ALL_KINDS: FaultKind[] = ['500', '502', '503', '504', 'drop', 'slow', '429'];
export const MONEY_OPERATIONS: FaultOperation[] = ['create', 'process', 'get', 'list'];

/** What a row of the scenario is meant to do. */
export type RowKind = 'pay' | 'fail' | 'invalid';

export interface ScenarioRows {
	rows: IDataObject[];
	kinds: RowKind[];
}

/** Bad rows of the scenario, each refused by the node's own checks before anything is sent. */
const INVALID_ROWS: Array<(reference: string) => IDataObject> = [
	(reference) => ({ reference_id: reference, amount: '1,000', account: '12345' }),
	(reference) => ({ reference_id: reference, amount: 'abc', account: '12345' }),
	(reference) => ({ reference_id: reference, amount: '10', account: '12a45' }),
	() => ({ amount: '10', account: '12345' }),
	(reference) => ({ reference_id: reference, amount: '10.555', account: '12345' }),
	(reference) => ({
		reference_id: reference,
		amount: '10',
		account: '12345',
		service: 'legacy_card_usd',
	}),
];

/**
 * `count` rows of test_usd payouts with reference IDs `<prefix>-<n>`: about 1 in 25 is told to end in
 * process_failed (test_details_payout_status), about 1 in 40 is malformed, the rest should be paid.
 */
export function buildScenarioRows(count: number, prefix: string): ScenarioRows {
	const rows: IDataObject[] = [];
	const kinds: RowKind[] = [];
	let invalid = 0;
	for (let i = 0; i < count; i++) {
		const reference = `${prefix}-${i + 1}`;
		const amount = `${((i * 37) % 4999) + 1}.${String((i * 13) % 100).padStart(2, '0')}`;
		const account = String(100000 + i);
		if (i % 40 === 17) {
			rows.push(INVALID_ROWS[invalid++ % INVALID_ROWS.length](reference));
			kinds.push('invalid');
		} else if (i % 25 === 11) {
			rows.push({
				reference_id: reference,
				amount,
				account,
				test_details_payout_status: 'process failed',
			});
			kinds.push('fail');
		} else {
			rows.push({ reference_id: reference, amount, account });
			kinds.push('pay');
		}
	}
	return { rows, kinds };
}

export interface NodeSettings {
	concurrency: number;
	maxAttempts: number;
	/** Seconds; a `slow` fault answers later than this. */
	requestTimeout: number;
	maxWaitSeconds: number;
	pollIntervalSeconds: number;
}

export const CI_SETTINGS: NodeSettings = {
	// A faulted row mostly waits (back-off, settling look-ups), so 20 rows at once keep CI short on 2 cores.
	concurrency: 20,
	maxAttempts: 5,
	requestTimeout: 1,
	maxWaitSeconds: 30,
	pollIntervalSeconds: 0.1,
};

/** Every fault kind the sandbox has, equally likely, on the four operations of the money path. */
export function scenarioFaults(
	rate: number,
	seed: number,
	settings: NodeSettings = CI_SETTINGS,
): Partial<FaultConfig> {
	return {
		rate,
		operations: [...MONEY_OPERATIONS],
		kinds: Object.fromEntries(ALL_KINDS.map((kind) => [kind, 1])),
		afterCommitShare: 0.5,
		// Half a second past the node's timeout: the node gives up, the write is done anyway.
		slowMs: settings.requestTimeout * 1000 + 500,
		retryAfterSeconds: 1,
		seed,
	};
}

export interface ScenarioRun {
	result: WorkflowRunResult;
	items: INodeExecutionData[];
	seconds: number;
}

/**
 * One run of the rows through Create and Process with Continue On Fail on, the rows read as `rowsFrom` says.
 */
export async function runScenario(
	sandbox: RunningSandbox,
	rows: IDataObject[],
	settings: NodeSettings = CI_SETTINGS,
	credentials: IDataObject = sandbox.credentials as unknown as IDataObject,
	rowsFrom: RowsFrom = 'fields',
	/** More node parameters, e.g. `{ processing: 'autoProcess' }`. */
	extra: IDataObject = {},
	/** More node options, e.g. Retry Failed Rows (test/money/retryScenario.ts). */
	moreOptions: IDataObject = {},
): Promise<ScenarioRun> {
	const parameters = payoutParameters(
		'createAndProcess',
		{
			concurrency: settings.concurrency,
			maxAttempts: settings.maxAttempts,
			requestTimeout: settings.requestTimeout,
			waitForFinalStatus: true,
			maxWaitSeconds: settings.maxWaitSeconds,
			pollIntervalSeconds: settings.pollIntervalSeconds,
			...moreOptions,
		},
		extra,
		rowsFrom,
	);
	const started = Date.now();
	const result = await runWorkflow({
		workflow: paymentsTrustWorkflow(parameters, rowsFor(rows, rowsFrom), {
			onError: 'continueRegularOutput',
		}),
		credentials: { paymentsTrustApi: credentials as never },
	});
	const seconds = (Date.now() - started) / 1000;
	let items: INodeExecutionData[] = [];
	if (result.ran(PT_NODE) && !result.errorOf(PT_NODE)) items = result.outputOf(PT_NODE);
	return { result, items, seconds };
}

/** What the node said about one row. */
export type Reported = 'paid' | 'failed' | 'rejected' | 'unknown';

export function reportedOutcome(json: IDataObject): Reported {
	if (json.error !== undefined) {
		if (json.stage === 'validation' || json.stage === 'safety_limit') return 'rejected';
		if (json.stage === 'outcome_unknown') return 'unknown';
		return 'failed';
	}
	if (json.status === 'processed' || json.status === 'partially_processed') return 'paid';
	if (json.isFinal === true) return 'failed';
	return 'unknown';
}

/** The reason a row gives for not being paid: the error, or the final status and resolution. */
function reasonOf(json: IDataObject): string {
	if (typeof json.error === 'string') return json.error;
	if (json.isFinal === true) return `${String(json.status)}/${String(json.resolution)}`;
	if (json.waitTimedOut === true) return `still ${String(json.status)} when the wait ran out`;
	return '';
}

export interface RunSummary {
	rows: number;
	reported: Record<Reported, number>;
	/** Invoices in the ledger for this run's reference IDs, by status. */
	ledgerByStatus: Record<string, number>;
	ledgerProcessed: number;
	/** Rows the node called "unknown" that the ledger shows paid (allowed: the node said it did not know). */
	unknownButPaid: number;
	createCalls: {
		total: number;
		committed: number;
		faulted: number;
		faultedCommitted: number;
		rejected409: number;
	};
	processCalls: {
		total: number;
		committed: number;
		faulted: number;
		faultedCommitted: number;
		rejected409: number;
	};
	/** Faults the sandbox injected during the run, by kind, on all four operations. */
	faultsByKind: Partial<Record<FaultKind, number>>;
	faultsInjected: number;
	/** Faults seen on create and process calls, by kind and phase (get/list faults are not in the call log). */
	writeFaults: Record<string, number>;
	/** Rows that ended with an error other than a refusal, or unknown: row, outcome and reason (first 20). */
	notPaid: string[];
}

export interface RunCheck {
	violations: string[];
	summary: RunSummary;
	/** Per input row, what the node reported. */
	outcomes: Reported[];
}

function countCalls(calls: LedgerSnapshot['calls']) {
	return {
		total: calls.length,
		committed: calls.filter((call) => call.committed).length,
		faulted: calls.filter((call) => call.outcome === 'faulted').length,
		faultedCommitted: calls.filter((call) => call.outcome === 'faulted' && call.committed).length,
		rejected409: calls.filter((call) => call.decidedStatus === 409).length,
	};
}

/** Ledger entries that belong to this run's reference IDs (a sandbox may be shared by several runs). */
function ledgerFor(ledger: LedgerSnapshot, references: Set<string>, invoiceIds?: Set<string>) {
	const invoices = ledger.invoices.filter((invoice) => references.has(invoice.referenceId));
	const ids = invoiceIds ?? new Set(invoices.map((invoice) => invoice.id));
	const calls = ledger.calls.filter(
		(call) =>
			(call.referenceId !== null && references.has(call.referenceId)) ||
			(call.invoiceId !== null && ids.has(call.invoiceId)),
	);
	return { invoices, calls };
}

/**
 * Compares one run's output with the ledger. `faultState` is the sandbox's `GET /__sandbox/faults` after the
 * run (injected counts since the faults were set).
 */
export function checkRun(
	scenario: ScenarioRows,
	run: ScenarioRun,
	ledger: LedgerSnapshot,
	faultState?: { injected: number; injectedByKind: Partial<Record<FaultKind, number>> },
): RunCheck {
	const { rows, kinds } = scenario;
	const violations: string[] = [];
	const fail = (text: string) => {
		if (violations.length < 200) violations.push(text);
	};
	const nodeError = run.result.errorOf(PT_NODE) ?? run.result.executionError;
	if (nodeError) fail(`the node failed as a whole: ${nodeError.message}`);

	const references = new Set(
		rows.map((row) => row.reference_id).filter((ref): ref is string => typeof ref === 'string'),
	);
	const mine = ledgerFor(ledger, references);
	const invoicesByRef = new Map<string, typeof mine.invoices>();
	for (const invoice of mine.invoices) {
		invoicesByRef.set(invoice.referenceId, [
			...(invoicesByRef.get(invoice.referenceId) ?? []),
			invoice,
		]);
	}
	const callsByRef = new Map<string, typeof mine.calls>();
	const refOfInvoice = new Map(mine.invoices.map((invoice) => [invoice.id, invoice.referenceId]));
	for (const call of mine.calls) {
		const ref = call.referenceId ?? (call.invoiceId ? refOfInvoice.get(call.invoiceId) : undefined);
		if (ref) callsByRef.set(ref, [...(callsByRef.get(ref) ?? []), call]);
	}

	// Exactly one invoice per reference ID, each processed at most once: whatever the node reported.
	for (const [ref, invoices] of invoicesByRef) {
		if (invoices.length > 1) fail(`reference ${ref}: ${invoices.length} invoices in the ledger`);
		for (const invoice of invoices) {
			if (invoice.createsCommitted > 1)
				fail(`reference ${ref}: ${invoice.createsCommitted} committed creates`);
			if (invoice.processCommitted > 1)
				fail(`reference ${ref}: invoice ${invoice.id} processed ${invoice.processCommitted} times`);
		}
	}

	// Every row exactly once, in input order, paired with its own input item.
	if (run.items.length !== rows.length)
		fail(`${rows.length} rows in, ${run.items.length} items out`);
	const outcomes: Reported[] = [];
	const reported: Record<Reported, number> = { paid: 0, failed: 0, rejected: 0, unknown: 0 };
	let unknownButPaid = 0;
	const notPaid: string[] = [];
	rows.forEach((row, index) => {
		const item = run.items[index];
		if (!item) return;
		const json = item.json;
		const label = `row ${index + 1} (${String(row.reference_id ?? 'no reference')})`;
		const paired = item.pairedItem as { item?: number } | undefined;
		if (paired?.item !== index)
			fail(`${label}: pairedItem ${JSON.stringify(item.pairedItem)}, expected item ${index}`);
		if (json.row !== index + 1) fail(`${label}: output says row ${String(json.row)}`);
		if (typeof row.reference_id === 'string' && json.referenceId !== row.reference_id) {
			fail(`${label}: output is about reference ${String(json.referenceId)}`);
		}
		const outcome = reportedOutcome(json);
		outcomes.push(outcome);
		reported[outcome]++;
		if (outcome !== 'paid' && !reasonOf(json))
			fail(`${label}: reported ${outcome} without a reason`);
		if (
			(outcome === 'unknown' || (outcome === 'failed' && json.error !== undefined)) &&
			notPaid.length < 20
		) {
			notPaid.push(`${label} ${outcome}: ${reasonOf(json)}`);
		}

		const ref = typeof row.reference_id === 'string' ? row.reference_id : undefined;
		const invoices = ref ? (invoicesByRef.get(ref) ?? []) : [];
		const calls = ref ? (callsByRef.get(ref) ?? []) : [];
		const invoice = invoices[0];
		const processCommits = invoice?.processCommitted ?? 0;

		// What the row was meant to do.
		if (kinds[index] === 'invalid' && outcome !== 'rejected')
			fail(`${label}: a malformed row was ${outcome}, not rejected`);
		if (kinds[index] !== 'invalid' && outcome === 'rejected')
			fail(`${label}: a good row was rejected: ${reasonOf(json)}`);
		if (kinds[index] === 'fail' && outcome === 'paid') fail(`${label}: a row set to fail was paid`);
		if (kinds[index] === 'pay' && outcome === 'failed' && json.error === undefined) {
			fail(`${label}: a row set to succeed ended ${reasonOf(json)}`);
		}

		switch (outcome) {
			case 'rejected':
				if (invoices.length > 0)
					fail(`${label}: rejected before sending, yet the ledger has invoice ${invoice.id}`);
				if (calls.length > 0)
					fail(
						`${label}: rejected before sending, yet the ledger has ${calls.length} create/process calls`,
					);
				break;
			case 'paid':
				if (!invoice) fail(`${label}: reported paid, but the ledger has no invoice`);
				else {
					if (json.id !== invoice.id)
						fail(`${label}: reported invoice ${String(json.id)}, ledger has ${invoice.id}`);
					if (invoice.status !== json.status)
						fail(`${label}: reported ${String(json.status)}, ledger says ${invoice.status}`);
					if (processCommits !== 1)
						fail(`${label}: reported paid, ledger shows ${processCommits} accepted process calls`);
				}
				break;
			case 'failed':
				if (json.error === undefined) {
					// A final status other than paid: the platform was asked once and said no.
					if (!invoice)
						fail(`${label}: reported ${String(json.status)}, but the ledger has no invoice`);
					else {
						if (invoice.status !== json.status)
							fail(`${label}: reported ${String(json.status)}, ledger says ${invoice.status}`);
						if (processCommits !== 1)
							fail(`${label}: ledger shows ${processCommits} accepted process calls`);
					}
				} else {
					// Reported as not processed: the platform must agree that nothing was paid.
					if (processCommits !== 0)
						fail(
							`${label}: reported not processed (${reasonOf(json)}), ledger shows ${processCommits} accepted process calls`,
						);
					if (invoice && invoice.status !== 'created')
						fail(`${label}: reported not processed, ledger says ${invoice.status}`);
					if (/confirmed nothing was created/.test(String(json.error)) && invoice) {
						fail(`${label}: reported "nothing was created", ledger has invoice ${invoice.id}`);
					}
					const processCalls = calls.filter((call) => call.operation === 'process');
					if (!invoice && processCalls.length > 0)
						fail(`${label}: no invoice, yet ${processCalls.length} process calls`);
				}
				break;
			case 'unknown':
				if (invoice && (invoice.status === 'processed' || invoice.status === 'partially_processed'))
					unknownButPaid++;
				break;
		}
	});

	// Nothing in the ledger for this run beyond the rows' own reference IDs (checked above), and paid = processed.
	const ledgerByStatus: Record<string, number> = {};
	for (const invoice of mine.invoices)
		ledgerByStatus[invoice.status] = (ledgerByStatus[invoice.status] ?? 0) + 1;
	const ledgerProcessed =
		(ledgerByStatus.processed ?? 0) + (ledgerByStatus.partially_processed ?? 0);
	if (reported.paid + unknownButPaid !== ledgerProcessed) {
		fail(
			`the node reported ${reported.paid} paid (+${unknownButPaid} unknown that were paid), the ledger has ${ledgerProcessed} processed invoices`,
		);
	}
	if (ledger.summary.referencesWithMultipleInvoices !== 0)
		fail(
			`ledger: ${ledger.summary.referencesWithMultipleInvoices} references with several invoices`,
		);
	if (ledger.summary.invoicesProcessedMoreThanOnce !== 0)
		fail(
			`ledger: ${ledger.summary.invoicesProcessedMoreThanOnce} invoices processed more than once`,
		);

	const writeFaults: Record<string, number> = {};
	for (const call of mine.calls) {
		if (call.fault) {
			const key = `${call.operation} ${call.fault.kind} ${call.fault.phase}`;
			writeFaults[key] = (writeFaults[key] ?? 0) + 1;
		}
	}
	return {
		violations,
		outcomes,
		summary: {
			rows: rows.length,
			reported,
			ledgerByStatus,
			ledgerProcessed,
			unknownButPaid,
			createCalls: countCalls(mine.calls.filter((call) => call.operation === 'create')),
			processCalls: countCalls(mine.calls.filter((call) => call.operation === 'process')),
			faultsByKind: faultState?.injectedByKind ?? {},
			faultsInjected: faultState?.injected ?? 0,
			writeFaults,
			notPaid,
		},
	};
}

export interface RerunCheck {
	violations: string[];
	/** Rows the second run found already created / already processed. */
	alreadyExisted: number;
	alreadyProcessed: number;
	newInvoices: number;
	newProcessCommits: number;
}

/**
 * The same rows a second time. Nothing that the first run created may be created again, nothing it had
 * processed may be processed again, and every row the first run paid comes back as already processed with
 * no process request sent. `strict` (a re-run without faults) also asks every such row to say alreadyExisted.
 */
export function checkRerun(
	scenario: ScenarioRows,
	before: LedgerSnapshot,
	firstOutcomes: Reported[],
	rerun: ScenarioRun,
	after: LedgerSnapshot,
	strict: boolean,
): RerunCheck {
	const violations: string[] = [];
	const fail = (text: string) => {
		if (violations.length < 200) violations.push(text);
	};
	const nodeError = rerun.result.errorOf(PT_NODE) ?? rerun.result.executionError;
	if (nodeError) fail(`the node failed as a whole: ${nodeError.message}`);
	if (rerun.items.length !== scenario.rows.length)
		fail(`${scenario.rows.length} rows in, ${rerun.items.length} items out`);

	const references = new Set(
		scenario.rows
			.map((row) => row.reference_id)
			.filter((ref): ref is string => typeof ref === 'string'),
	);
	const beforeMine = ledgerFor(before, references);
	const afterMine = ledgerFor(after, references);
	const beforeByRef = new Map(beforeMine.invoices.map((invoice) => [invoice.referenceId, invoice]));
	let newInvoices = 0;
	let newProcessCommits = 0;
	for (const invoice of afterMine.invoices) {
		const earlier = beforeByRef.get(invoice.referenceId);
		if (!earlier) {
			newInvoices++;
			continue;
		}
		if (earlier.id !== invoice.id)
			fail(
				`reference ${invoice.referenceId}: a second invoice ${invoice.id} besides ${earlier.id}`,
			);
		if (invoice.createsCommitted !== earlier.createsCommitted)
			fail(`reference ${invoice.referenceId}: created again`);
		if (invoice.processCommitted !== earlier.processCommitted) {
			newProcessCommits += invoice.processCommitted - earlier.processCommitted;
			if (earlier.processCommitted > 0)
				fail(`reference ${invoice.referenceId}: processed again on the re-run`);
		}
	}
	if (after.summary.referencesWithMultipleInvoices !== 0)
		fail(
			`ledger: ${after.summary.referencesWithMultipleInvoices} references with several invoices`,
		);
	if (after.summary.invoicesProcessedMoreThanOnce !== 0)
		fail(
			`ledger: ${after.summary.invoicesProcessedMoreThanOnce} invoices processed more than once`,
		);

	let alreadyExisted = 0;
	let alreadyProcessed = 0;
	scenario.rows.forEach((row, index) => {
		const json = rerun.items[index]?.json;
		if (!json) return;
		const label = `re-run row ${index + 1} (${String(row.reference_id ?? 'no reference')})`;
		if ((rerun.items[index].pairedItem as { item?: number }).item !== index)
			fail(`${label}: wrong pairedItem`);
		if (json.alreadyExisted === true) alreadyExisted++;
		if (json.alreadyProcessed === true) alreadyProcessed++;
		const ref = typeof row.reference_id === 'string' ? row.reference_id : undefined;
		const earlier = ref ? beforeByRef.get(ref) : undefined;
		if (!earlier) return;
		if (json.error !== undefined) {
			// Under faults a look-up may fail for good; the row then says so and sends nothing.
			if (json.stage !== 'outcome_unknown' || strict) fail(`${label}: ${String(json.error)}`);
			return;
		}
		if (json.id !== earlier.id)
			fail(`${label}: reported invoice ${String(json.id)}, the first run made ${earlier.id}`);
		if (earlier.processCommitted > 0) {
			if (json.processRequested !== false)
				fail(`${label}: a process request was sent for an invoice processed in the first run`);
			if (json.alreadyProcessed !== true) fail(`${label}: not reported as already processed`);
		}
		// Without faults the create is answered 409 (alreadyExisted). On a loaded machine that answer may still come
		// after the 1 s Request Timeout; the look-up then finds the same invoice and says foundAfterError. Either is
		// the existing payout, and the ledger checks above prove nothing was created or paid again.
		if (strict && json.alreadyExisted !== true && json.foundAfterError !== true) {
			fail(
				`${label}: not reported as the existing payout (alreadyExisted ${String(json.alreadyExisted)}, foundAfterError ${String(json.foundAfterError)})`,
			);
		}
		if (firstOutcomes[index] === 'paid' && reportedOutcome(json) !== 'paid') {
			fail(`${label}: paid in the first run, now reported ${reportedOutcome(json)}`);
		}
	});
	return { violations, alreadyExisted, alreadyProcessed, newInvoices, newProcessCommits };
}

/** The fault counters of the sandbox (`GET /__sandbox/faults`). */
export async function faultState(
	sandbox: RunningSandbox,
): Promise<{ injected: number; injectedByKind: Partial<Record<FaultKind, number>> }> {
	const response = await fetch(`${sandbox.baseUrl}/__sandbox/faults`);
	return (await response.json()) as {
		injected: number;
		injectedByKind: Partial<Record<FaultKind, number>>;
	};
}
