/**
 * Issue 12: the money path through a fault model of our own (test/support/faultProxy.ts), shared by
 * `test/money/faultProxy.test.ts` (CI size) and `scripts/fault-test.ts --proxy` (full size).
 *
 * N rows of Create and Process (wait for final status, Continue On Fail) go through the proxy in front of the
 * sandbox, then the same rows twice more (other faults, then none). Everything is judged from the sandbox's
 * ledger: no double payment, no write re-sent after it had committed, every row's output agreeing with the
 * ledger, "unknown" only where the platform really could not be asked, nothing secret anywhere.
 */
import type { IDataObject } from 'n8n-workflow';

import type { LedgerSnapshot, RunningSandbox } from '../../sandbox';
import { startSandbox } from '../../sandbox';
import { startFaultProxy, type FaultProxy, type ProxyRecord } from '../support/faultProxy';
import type { RowsFrom } from '../support/payoutWorkflow';
import {
	buildScenarioRows,
	checkRerun,
	checkRun,
	CI_SETTINGS,
	runScenario,
	type NodeSettings,
	type ScenarioRun,
} from './faultScenario';

export interface ProxyScenarioOptions {
	rows: number;
	seed: number;
	rate: number;
	lagReads: number;
	settings?: NodeSettings;
	/** Only the first run (faults of every kind), without the re-runs: a measurement of unknown outcomes. */
	firstRunOnly?: boolean;
	/** Processing of the payout node (issue 27): 'autoProcess' pays with the create request alone. */
	processing?: 'separateRequest' | 'autoProcess';
	/** Print each run's numbers as they come. */
	log?: (line: string) => void;
}

export interface RunNumbers {
	seconds: number;
	reported: Record<string, number>;
	/** Invoices with more than one committed create or process: double payments. */
	doublePayments: number;
	/** Writes that reached the platform after the same write had already committed in this run. */
	committedResends: number;
	/** Process requests for an invoice that had left `created` before this run. */
	processResendsAcrossRuns: number;
	/** Creates answered 409 because an earlier run had the reference (the idempotency key at work). */
	creates409: number;
	/** Process requests that reached the platform (none with Auto Process). */
	processCalls: number;
	faults: Record<string, number>;
}

export interface ProxyScenarioResult {
	violations: string[];
	runs: RunNumbers[];
	/** Fault kinds seen on writes and on reads in the first run. */
	faultKinds: Set<string>;
	secondOriginRequests: number;
	/** Reads the proxy answered with the state before a committed write (lag), and 409s it passed on with an empty or foreign body. */
	laggedReads: number;
	conflictBodies: number;
	/** Invoices in the ledger whose create request did not say `test_mode` (the platform may take them as live). */
	invoicesWithoutExplicitTestMode: number;
}

/** Writes that reached the platform after the same write (create of a reference, process of an invoice) had committed. */
export function committedResends(calls: LedgerSnapshot['calls']): number {
	const committed = new Set<string>();
	let resends = 0;
	for (const call of [...calls].sort((a, b) => a.seq - b.seq)) {
		const key =
			call.operation === 'create'
				? `create ${String(call.referenceId)}`
				: `process ${String(call.invoiceId)}`;
		if (committed.has(key)) resends++;
		if (call.committed) committed.add(key);
	}
	return resends;
}

/** Every secret the node holds, as it could leak: raw, and as the HTTP Basic value. */
function secretsOf(sandbox: RunningSandbox): string[] {
	const { accountId, apiKey, testSecretKey, liveSecretKey, publicKey } = sandbox.credentials;
	return [
		apiKey,
		testSecretKey,
		liveSecretKey,
		publicKey,
		Buffer.from(`${accountId}:${apiKey}`).toString('base64'),
	].filter((value) => !!value);
}

/**
 * An unknown row is allowed only where the platform truly could not be asked: among the reads about the row's
 * payout, `maxAttempts` in a row got no clean answer.
 */
function couldNotAsk(
	records: ProxyRecord[],
	referenceId: string,
	invoiceId: string | undefined,
	maxAttempts: number,
): boolean {
	let streak = 0;
	for (const record of records) {
		const about =
			(record.operation === 'list' && record.referenceId === referenceId) ||
			(record.operation === 'get' && invoiceId && record.invoiceId === invoiceId);
		if (!about) continue;
		streak = record.clean ? 0 : streak + 1;
		if (streak >= maxAttempts) return true;
	}
	return false;
}

/**
 * Why each row still ended `outcome_unknown` (issue 30): what its error says, what happened to its writes, how
 * many reads about its payout went out and how many came back clean, and how long before the end of the run its
 * last request went out. Also how long the run went on after its last row started (an upper bound of the
 * settling's tail after the first pass).
 */
function explainUnknown(
	run: ScenarioRun,
	records: ProxyRecord[],
	invoiceOf: Map<string, string>,
	rows: IDataObject[],
	log: (line: string) => void,
): void {
	if (!records.length) return;
	const end = records[records.length - 1].at;
	const about = (ref: string) => {
		const id = invoiceOf.get(ref);
		return records.filter(
			(record) => record.referenceId === ref || (id !== undefined && record.invoiceId === id),
		);
	};
	// The last row to start its first pass: its first request. After it only rows that started earlier finish
	// their first pass, and open rows are settled; the time from it to the end bounds the settling's tail.
	const firstSeen = new Map<string, number>();
	for (const record of records)
		if (record.referenceId && !firstSeen.has(record.referenceId))
			firstSeen.set(record.referenceId, record.at);
	const lastStart = Math.max(...firstSeen.values());
	const unknown: number[] = [];
	let settled = 0;
	run.items.forEach((item, index) => {
		if (item.json.stage === 'outcome_unknown') unknown.push(index);
		else if (item.json.settledAtEnd === true) settled++;
	});
	log(
		`  settling: ${settled} rows settled after their first pass, ${unknown.length} still unknown; from the last ` +
			`row's first request to the run's last request ${((end - lastStart) / 1000).toFixed(1)} s (run ${run.seconds.toFixed(1)} s)`,
	);
	for (const index of unknown.slice(0, 60)) {
		const ref = String(rows[index].reference_id);
		const mine = about(ref);
		const writes = mine
			.filter((record) => record.operation === 'create' || record.operation === 'process')
			.map((record) => `${record.operation}:${record.fault ?? record.upstreamStatus ?? '-'}`);
		const reads = mine.filter(
			(record) => record.operation === 'list' || record.operation === 'get',
		);
		const late = reads.filter((record) => record.at > lastStart);
		const last = mine[mine.length - 1];
		const why = String(run.items[index].json.error).replace(
			/^.*?is unknown and was not retried: /,
			'',
		);
		log(
			`    row ${index + 1}: writes [${writes.join(' ')}]; reads ${reads.length} (${reads.filter((record) => record.clean).length} clean), ` +
				`after the last row started ${late.length} (${late.filter((record) => record.clean).length} clean, ${late.filter((record) => record.lagged).length} lagged); ` +
				`last request ${last ? ((end - last.at) / 1000).toFixed(1) : '?'} s before the end: ${why.slice(0, 140)}`,
		);
	}
}

/**
 * The scenario as a test file runs it: once, before its tests (jest's beforeAll), with the proxy's CI rate (20 %)
 * and lag (three reads), printing each run's numbers. Returns a getter for the result.
 */
export function useProxyScenario(
	options: Pick<ProxyScenarioOptions, 'rows' | 'seed' | 'processing'>,
): () => ProxyScenarioResult {
	let result: ProxyScenarioResult | undefined;
	beforeAll(async () => {
		result = await runProxyScenario({
			...options,
			rate: 0.2,
			lagReads: 3,
			log: (line) => console.log(line),
		});
	}, 170_000);
	return () => {
		if (!result) throw new Error('the proxy scenario did not run');
		return result;
	};
}

export async function runProxyScenario(
	options: ProxyScenarioOptions,
): Promise<ProxyScenarioResult> {
	const settings = options.settings ?? CI_SETTINGS;
	const auto = options.processing === 'autoProcess';
	const extra = options.processing ? { processing: options.processing } : {};
	const log = options.log ?? (() => undefined);
	const sandbox = await startSandbox({ port: 0, processDelayMs: 30, seed: options.seed });
	const proxy: FaultProxy = await startFaultProxy(sandbox.baseUrl, {
		seed: options.seed,
		rate: options.rate,
		lagReads: options.lagReads,
		trickleMs: settings.requestTimeout * 1000 + 500,
	});
	const credentials = { ...sandbox.credentials, baseUrl: proxy.baseUrl } as unknown as IDataObject;
	const violations: string[] = [];
	const runs: RunNumbers[] = [];
	const secrets = secretsOf(sandbox);
	const faultKinds = new Set<string>();
	try {
		const scenario = buildScenarioRows(options.rows, `px-${options.seed}`);
		const references = new Set(
			scenario.rows
				.map((row) => row.reference_id)
				.filter((ref): ref is string => typeof ref === 'string'),
		);
		const mineCalls = (ledger: LedgerSnapshot) => {
			const ids = new Set(
				ledger.invoices
					.filter((invoice) => references.has(invoice.referenceId))
					.map((invoice) => invoice.id),
			);
			return ledger.calls.filter(
				(call) =>
					(call.referenceId !== null && references.has(call.referenceId)) ||
					(call.invoiceId !== null && ids.has(call.invoiceId)),
			);
		};

		const inspect = (
			label: string,
			run: ScenarioRun,
			before: LedgerSnapshot | undefined,
			recordsFrom: number,
		): RunNumbers => {
			const after = sandbox.ledger();
			const newCalls = mineCalls(after).slice(before ? mineCalls(before).length : 0);
			const processedBefore = new Set(
				(before?.invoices ?? [])
					.filter((invoice) => invoice.processCommitted > 0)
					.map((invoice) => invoice.id),
			);
			const reported: Record<string, number> = {};
			const text =
				JSON.stringify(run.result.runData) + JSON.stringify(run.result.executionError ?? null);
			for (const secret of secrets)
				if (text.includes(secret))
					violations.push(`${label}: a secret of the credential is in the output or an error`);
			const records = proxy.records.slice(recordsFrom);
			const invoiceOf = new Map(after.invoices.map((invoice) => [invoice.referenceId, invoice.id]));
			run.items.forEach((item, index) => {
				const json = item.json;
				const kind = json.error !== undefined ? String(json.stage) : String(json.status);
				reported[kind] = (reported[kind] ?? 0) + 1;
				if (json.stage === 'outcome_unknown') {
					const ref = String(scenario.rows[index].reference_id);
					if (!couldNotAsk(records, ref, invoiceOf.get(ref), settings.maxAttempts)) {
						violations.push(
							`${label}: row ${index + 1} reported unknown although the platform could be asked: ${String(json.error)}`,
						);
					}
				}
			});
			explainUnknown(run, records, invoiceOf, scenario.rows, log);
			const faults: Record<string, number> = {};
			for (const record of records) {
				if (!record.fault) continue;
				const key = `${record.operation} ${record.fault}`;
				faults[key] = (faults[key] ?? 0) + 1;
			}
			const numbers: RunNumbers = {
				seconds: run.seconds,
				reported,
				doublePayments:
					after.invoices.filter(
						(invoice) =>
							references.has(invoice.referenceId) &&
							(invoice.processCommitted > 1 || invoice.createsCommitted > 1),
					).length + after.summary.referencesWithMultipleInvoices,
				committedResends: committedResends(newCalls),
				processResendsAcrossRuns: newCalls.filter(
					(call) => call.operation === 'process' && processedBefore.has(String(call.invoiceId)),
				).length,
				creates409: newCalls.filter(
					(call) => call.operation === 'create' && call.decidedStatus === 409,
				).length,
				processCalls: newCalls.filter((call) => call.operation === 'process').length,
				faults,
			};
			log(`${label}: ${run.seconds.toFixed(1)} s, reported ${JSON.stringify(reported)}`);
			log(
				`  double payments ${numbers.doublePayments}, committed-write re-sends ${numbers.committedResends}, process re-sends across runs ${numbers.processResendsAcrossRuns}, creates answered 409 ${numbers.creates409}`,
			);
			log(`  proxy faults ${JSON.stringify(faults)}`);
			if (numbers.doublePayments)
				violations.push(`${label}: ${numbers.doublePayments} double payments`);
			if (auto && numbers.processCalls)
				violations.push(`${label}: ${numbers.processCalls} process requests with Auto Process`);
			if (numbers.processResendsAcrossRuns)
				violations.push(
					`${label}: ${numbers.processResendsAcrossRuns} process requests for invoices processed in an earlier run`,
				);
			if (options.lagReads <= 3 && numbers.committedResends)
				violations.push(
					`${label}: ${numbers.committedResends} writes re-sent after they had committed`,
				);
			runs.push(numbers);
			return numbers;
		};

		// Run 1: faults of every kind, the rows read from each item's columns (the bulk examples' mode); run 2
		// reads the same rows through the Fields Below expressions, run 3 from the columns again: both ways of
		// reading a row meet every fault, and a sheet paid in one mode is never paid again in the other.
		const runRows = (rowsFrom: RowsFrom) =>
			runScenario(sandbox, scenario.rows, settings, credentials, rowsFrom, extra);
		let recordsFrom = proxy.records.length;
		const first = await runRows('columns');
		const firstCheck = checkRun(scenario, first, sandbox.ledger());
		violations.push(...firstCheck.violations.map((text) => `run 1: ${text}`));
		for (const key of Object.keys(inspect('run 1', first, undefined, recordsFrom).faults))
			faultKinds.add(key);

		// A trickled create answer comes complete only after the deadline: the node must have cut it and looked
		// the payout up (foundAfterError), not waited for it. A same-origin redirect of a read must be followed.
		const firstRecords = proxy.records.slice(recordsFrom);
		for (const record of firstRecords.filter(
			(entry) =>
				entry.operation === 'create' && entry.fault === 'trickle' && entry.upstreamStatus === 201,
		)) {
			const index = scenario.rows.findIndex((row) => row.reference_id === record.referenceId);
			const json = first.items[index]?.json ?? {};
			if (json.error === undefined && json.foundAfterError !== true) {
				violations.push(
					`run 1: row ${index + 1}: a create answer trickled in past the Request Timeout was waited for instead of cut`,
				);
			}
		}
		const redirects = firstRecords.filter((entry) => entry.fault === 'redirect_same_origin').length;
		const followed = firstRecords.filter((entry) => entry.hop).length;
		if (followed !== redirects)
			violations.push(`run 1: ${redirects} same-origin redirects of reads, ${followed} followed`);

		/** The checks of the whole scenario, after its last run, and its numbers. */
		const finish = (): ProxyScenarioResult => {
			const withoutMode = sandbox.ledger().summary.invoicesWithoutExplicitTestMode;
			if (withoutMode)
				violations.push(`${withoutMode} invoices created without an explicit test_mode`);
			if (proxy.secondOriginRequests.length) {
				violations.push(
					`the second origin received ${proxy.secondOriginRequests.length} requests (first: ${proxy.secondOriginRequests[0].method} ${proxy.secondOriginRequests[0].url})`,
				);
			}
			return {
				violations,
				runs,
				faultKinds,
				secondOriginRequests: proxy.secondOriginRequests.length,
				laggedReads: proxy.records.filter((record) => record.lagged).length,
				conflictBodies: proxy.records.filter((record) => record.conflictBody).length,
				invoicesWithoutExplicitTestMode: withoutMode,
			};
		};
		if (options.firstRunOnly) return finish();

		// Run 2: the same rows under other faults.
		let before = sandbox.ledger();
		proxy.configure({ seed: options.seed + 1 });
		recordsFrom = proxy.records.length;
		const second = await runRows('fields');
		const secondCheck = checkRerun(
			scenario,
			before,
			firstCheck.outcomes,
			second,
			sandbox.ledger(),
			false,
		);
		violations.push(...secondCheck.violations.map((text) => `run 2: ${text}`));
		for (const key of Object.keys(inspect('run 2', second, before, recordsFrom).faults))
			faultKinds.add(key);

		// Run 3: the same rows, no faults (lag and foreign 409 bodies stay).
		before = sandbox.ledger();
		proxy.configure({ seed: options.seed + 2, rate: 0 });
		recordsFrom = proxy.records.length;
		const third = await runRows('columns');
		const thirdCheck = checkRerun(
			scenario,
			before,
			firstCheck.outcomes,
			third,
			sandbox.ledger(),
			true,
		);
		violations.push(...thirdCheck.violations.map((text) => `run 3: ${text}`));
		inspect('run 3', third, before, recordsFrom);

		return finish();
	} finally {
		await proxy.close();
		await sandbox.close();
	}
}
