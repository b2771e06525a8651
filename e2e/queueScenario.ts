/**
 * n8n 2.x in queue mode (docs/queue-mode.md): the suite's own PostgreSQL database and Redis prefixes, one
 * main, two workers, two webhook processes, the packed package in each process's community-nodes folder. The
 * workflows are the importable examples of docs/large-sheets.md, prepared like every other example (ids,
 * credentials, URLs): the suite's relay plays the load balancer in front of the webhook processes.
 *
 *   1. Bulk across workers: "Pay a sheet in chunks" (run with `n8n execute`) reads the unpaid rows of the
 *      "payouts" Data Table, POSTs them in chunks to "Pay a chunk", one queued execution per chunk, 16 in flight;
 *      both workers pay rows, under sandbox faults; each row's outcome is written back to the table. Checked
 *      against the sandbox's ledger.
 *   2. A worker killed (SIGKILL) in the middle of a second sheet, then the same sheet again: only the rows not
 *      paid are sent, no reference paid twice, every row accounted for, the table agrees with the ledger.
 *   3. Callbacks across webhook processes: "payout-callbacks-postgres" records each final status once in
 *      PostgreSQL (INSERT … ON CONFLICT DO NOTHING RETURNING), notifies once, writes the sheet; the storm sends
 *      every signed callback again to both webhook processes at the same moment, in order, reversed, in bursts,
 *      with the sandbox batching close status changes. Forged callbacks: 401 from every process, nothing started.
 */
import { CallbackRelay, forward } from './lib/callbackRelay';
import { invoiceDocument, signAsSandbox, signForged, unseenInvoiceBody } from './lib/callbacks';
import { readRows } from './lib/dataTables';
import { isUnfinished, waitUntilQuiet } from './lib/executions';
import { checkSheetLedger } from './lib/ledgerChecks';
import { ExecutionSummary, importCredentials, Instance, N8nInstall, RestSession } from './lib/n8n';
import { sleep, waitFor } from './lib/processes';
import { QueueCluster } from './lib/queueCluster';
import { countBy, RowOutcome } from './lib/rowOutcomes';
import {
	configureSandbox,
	LedgerLike,
	readLedger,
	RunningSandbox,
	setSandboxFaults,
	waitUntilCallbacksDelivered,
} from './lib/sandbox';
import {
	importAndPublish,
	ownerSession,
	ScenarioBase,
	scenarioFolders,
	secs,
	startSandboxForN8n,
	suiteCredentials,
	waitForTriggerWebhook,
} from './lib/scenarioSetup';
import { createQueueServices, dropQueueServices, QueueServices, sql } from './lib/services';
import {
	attemptsByRow,
	callbackStorm,
	checkExecutionsAfterRecovery,
	checkHeldWhileReceiverDown,
	checkRecordedAndNotified,
	checkSheetAgainstLedger,
	endedWithoutPayment,
	finalStatusesNeverAcknowledged,
	finalStatusesOf,
	recordedOutcomes,
	referencesSent,
	retriesSent,
	waitUntilNotified,
} from './lib/sheetChecks';
import { checkAccounted, perWorker, rowsOf, runSheet, workerOfExecution } from './lib/sheetRuns';
import { sheetOnDataTable, SheetOnTable } from './lib/sheetTables';
import {
	chunkWebhookPath,
	CREATE_OUTCOMES_TABLE,
	postgresCallbackWebhookId,
	postgresCredential,
	prepareChunkWorkflow,
	preparePostgresCallbackWorkflow,
	SHEET_TABLE,
} from './lib/sheetWorkflows';
import { WorkflowJson } from './lib/workflows';
import { QueueAgent } from './queueAgent';

const SHEET1_ROWS = Number(process.env.PT_E2E_QUEUE_ROWS || 2000);
const SHEET2_ROWS = Number(process.env.PT_E2E_QUEUE_KILL_ROWS || 1000);
/** 30: row 25 is refused by the bank, so a failed final status is among the callbacks. */
const CALLBACK_ROWS = 30;
const WORKER_CONCURRENCY = 4;
/** The sheet example's "Chunks of 100 rows". */
const CHUNK_SIZE = 100;
const PARENT_S1_ID = 'ptE2eQueueSheet1';
const PARENT_S2_ID = 'ptE2eQueueSheet2';
const PARENT_CALLBACKS_ID = 'ptE2eQueueSheetC';
const CHUNK_ID = 'ptE2eQueueChunk1';
const CHUNK_CALLBACKS_ID = 'ptE2eQueueChunkC';
const CALLBACKS_ID = 'ptE2eQueuePgCall';
const CHUNK_CALLBACKS_PATH = 'pay-a-chunk-callbacks';
/** Money operations only, every fault kind but `slow` (it would only stretch the run). */
const FAULTS = {
	rate: 0.05,
	operations: ['create', 'process', 'get'],
	kinds: { '500': 1, '502': 1, '503': 1, '504': 1, drop: 1, '429': 1 },
	seed: 15,
};

/** The parts of the queue scenario, as `--queue-parts=` names them (default: all). */
export const QUEUE_PARTS = ['bulk', 'kill', 'callbacks', 'agent'] as const;
export type QueuePart = (typeof QUEUE_PARTS)[number];

export interface QueueScenarioOptions extends ScenarioBase {
	parts?: QueuePart[];
}

interface Ctx extends QueueScenarioOptions {
	install: N8nInstall;
	dir: string;
	logDir: string;
	filesDir: string;
	sandbox: RunningSandbox;
	cluster: QueueCluster;
	relay: CallbackRelay;
	services: QueueServices;
	rest?: RestSession;
	callbackUrls: string[];
	/** The sheets (Data Tables) and the parent workflow of each, made once n8n runs. */
	sheets: Record<'s1' | 's2' | 'cb', SheetOnTable>;
	/** The AI agent example's budget across workers (issue 29), when that part runs. */
	agent?: QueueAgent;
}

async function bulkAcrossWorkers(ctx: Ctx): Promise<void> {
	const { report } = ctx;
	const sheet = ctx.sheets.s1;
	await setSandboxFaults(ctx.sandbox.baseUrl, FAULTS);
	const result = await runSheet(ctx, 'sheet 1', sheet.parentId);
	if (!result) return;
	const { answers, ms } = result;
	const expectedChunks = Math.ceil(SHEET1_ROWS / CHUNK_SIZE);
	const bad = answers.filter((a) => a.statusCode !== 200);
	report.check(
		`sheet 1: ${expectedChunks} chunks of ${CHUNK_SIZE} rows, each answered 200 by a webhook process`,
		answers.length === expectedChunks && bad.length === 0,
		`${answers.length} answers; not 200: ${bad
			.map((a) => `chunk ${a.chunk}: ${a.statusCode} ${a.error ?? ''}`)
			.slice(0, 5)
			.join('; ')}`,
	);
	const { rows: rowsBy, chunks: chunksBy } = perWorker(ctx.cluster, answers);
	report.info(
		`sheet 1: rows paid per worker ${JSON.stringify(rowsBy)}; chunks per worker ${JSON.stringify(chunksBy)}; ${(SHEET1_ROWS / (ms / 1000)).toFixed(0)} rows/s`,
	);
	const workers = ctx.cluster.byRole('worker').map((w) => w.tag);
	report.check(
		`sheet 1: both workers ran chunks (${workers.map((w) => `${w}: ${chunksBy[w] ?? 0} chunks, ${rowsBy[w] ?? 0} rows`).join('; ')})`,
		workers.every((w) => (chunksBy[w] ?? 0) > 0) &&
			Object.keys(rowsBy).every((t) => workers.includes(t)),
		JSON.stringify(rowsBy),
	);
	const rows = rowsOf(answers);
	const byRef = checkAccounted(report, 'sheet 1', rows, sheet.references, sheet.invalid);
	const ledger = await readLedger(ctx.sandbox.baseUrl);
	report.info(`sheet 1: faults injected so far ${ledger.summary.faultsInjected}`);
	report.check(
		'sheet 1: the sandbox injected faults during the run',
		ledger.summary.faultsInjected > 0,
		`${ledger.summary.faultsInjected}`,
	);
	await checkLedgerAndTable(ctx, 'sheet 1', ledger, byRef, sheet);
}

/**
 * After a run of a sheet: the ledger has each attempt of every row sent once and nothing else, no row or payee paid
 * twice, each row's answer names its latest attempt, and the table agrees with that attempt. Under faults a row
 * may end without a readable outcome ("unknown"): not final, sent again next run.
 */
async function checkLedgerAndTable(
	ctx: Ctx,
	label: string,
	ledger: LedgerLike,
	outcomes: Map<string, RowOutcome>,
	sheet: SheetOnTable,
): Promise<void> {
	checkSheetLedger(ctx.report, label, ledger, outcomes, sheet);
	checkSheetAgainstLedger(
		ctx.report,
		label,
		await readRows(ctx.rest!, sheet.table),
		ledger,
		sheet,
		false,
	);
}

async function workerKilledMidSheet(ctx: Ctx): Promise<void> {
	const { report } = ctx;
	const sheet = ctx.sheets.s2;
	const refs = new Set(sheet.references);
	const victim = ctx.cluster.byRole('worker')[0];
	const run = runSheet(ctx, 'sheet 2 (worker killed)', sheet.parentId);
	// Kill when about a third of the sheet has reached the platform.
	let killedAt = 0;
	try {
		killedAt = await waitFor(
			'a third of sheet 2 to reach the sandbox',
			async () => {
				const n = (await readLedger(ctx.sandbox.baseUrl)).invoices.filter((i) =>
					refs.has(i.referenceId),
				).length;
				return n >= SHEET2_ROWS / 3 ? n : undefined;
			},
			{ timeoutMs: 300_000, intervalMs: 250 },
		);
	} catch (error) {
		report.fail('sheet 2: payouts started before the kill', error);
	}
	victim.proc?.signal('SIGKILL');
	const killTime = Date.now();
	report.info(
		`sheet 2: SIGKILL to ${victim.tag} (its process group) with ${killedAt} of ${SHEET2_ROWS} invoices created`,
	);
	const first = await run;
	const firstRows = first ? rowsOf(first.answers) : [];
	if (first) {
		const { answers } = first;
		const failedChunks = answers.filter((a) => a.statusCode !== 200);
		const counts = countBy(firstRows);
		report.info(
			`sheet 2 with the kill: ${answers.length} chunks, ${failedChunks.length} not answered 200 (${[
				...new Set(failedChunks.map((a) => `${a.statusCode}: ${(a.error ?? '').slice(0, 120)}`)),
			].join(
				' | ',
			)}); ${firstRows.length} row outcomes (${counts.paid} paid, ${counts.failed} failed, ${counts.rejected} rejected, ${counts.pending} not final); finished ${secs(Date.now() - killTime)} after the kill`,
		);
		report.check(
			'sheet 2 with the kill: the chunks the dead worker held come back as failed chunks, not as paid rows',
			failedChunks.length > 0 && firstRows.length < SHEET2_ROWS,
			`${failedChunks.length} failed chunks, ${firstRows.length} row outcomes`,
		);
	}
	const ledgerAfterKill = await readLedger(ctx.sandbox.baseUrl);
	const tableAfterKill = await readRows(ctx.rest!, sheet.table);
	// The sheet after the kill: the dead worker's rows are not written, everything written agrees with the ledger.
	checkSheetAgainstLedger(
		report,
		'sheet 2 with the kill',
		tableAfterKill,
		ledgerAfterKill,
		sheet,
		false,
	);
	const unpaid = new Set(
		tableAfterKill
			.filter(
				// What the parent reads again: rows neither paid nor stopped (a failed row is retried, issue 26).
				(r) => refs.has(String(r.reference_id)) && !['paid', 'stopped'].includes(String(r.outcome)),
			)
			.map((r) => String(r.reference_id)),
	);
	// Rows whose payout may have paid or still pays: found by reference, never sent again. A row whose payout
	// ended without payment is paid again as its attempt 2 (Retry Failed Rows), so it is not one of them.
	const createdBefore = new Set(
		ledgerAfterKill.invoices
			.filter((i) => unpaid.has(i.referenceId) && !endedWithoutPayment(i.status))
			.map((i) => i.referenceId),
	);
	// Rows whose attempt 1 had already ended without payment: the run again must pay them as their attempt 2.
	const failedBefore = new Set(
		ledgerAfterKill.invoices
			.filter((i) => unpaid.has(i.referenceId) && endedWithoutPayment(i.status))
			.map((i) => i.referenceId),
	);
	report.info(
		`sheet 2 with the kill: ${unpaid.size} rows of the sheet not paid or stopped; ${createdBefore.size} of them already have an invoice not ended (the dead worker's rows), ${failedBefore.size} an attempt 1 that ended without payment`,
	);
	// The worker is started again (it waits ~10 s over the crash journal n8n left), then the same sheet is run
	// again, as a user would after seeing failed chunks.
	const tRestart = Date.now();
	try {
		await ctx.cluster.startOne(victim, 120_000);
		report.check(`${victim.tag} started again after the kill`, true, secs(Date.now() - tRestart));
	} catch (error) {
		report.fail(`${victim.tag} started again after the kill`, error);
	}
	const again = await runSheet(ctx, 'sheet 2 again', sheet.parentId);
	if (!again) return;
	const bad = again.answers.filter((a) => a.statusCode !== 200);
	report.check(
		'sheet 2 again: every chunk answered 200',
		bad.length === 0,
		bad
			.map((a) => `chunk ${a.chunk}: ${a.statusCode} ${a.error ?? ''}`)
			.slice(0, 5)
			.join('; '),
	);
	report.info(
		`sheet 2 again: rows per worker ${JSON.stringify(perWorker(ctx.cluster, again.answers).rows)}`,
	);
	const againChunks = ctx.relay.chunks.slice(-again.answers.length);
	const sent = referencesSent(againChunks);
	const sentPaid = [...sent].filter((ref) => !unpaid.has(ref));
	const notSent = [...unpaid].filter((ref) => !sent.has(ref));
	report.check(
		`sheet 2 again: only the ${unpaid.size} rows the sheet does not say paid or stopped were sent`,
		sentPaid.length === 0 && notSent.length === 0,
		`sent though final in the sheet: ${sentPaid.slice(0, 5).join(', ')}; not sent: ${notSent.slice(0, 5).join(', ')}`,
	);
	const againRows = rowsOf(again.answers);
	const ledger = await readLedger(ctx.sandbox.baseUrl);
	const chains = attemptsByRow(ledger, sheet.references);
	const firstAttemptEnded = (ref: string) => {
		const first = chains.get(ref)?.[0];
		return first !== undefined && endedWithoutPayment(first.status);
	};
	// Each row's item in this run, by the row's own reference ID (an attempt's item names it originalReferenceId).
	const itemOf = new Map(
		again.answers
			.flatMap((a) => a.outcomes)
			.map((o) => [String(o.originalReferenceId ?? o.referenceId), o]),
	);
	// Found by reference either before sending (alreadyExisted) or after the create was refused as a repeat
	// (foundAfterError): both mean the existing invoice (attempt 1) was reported, not a second one made. Only a row
	// whose attempt 1 ended without payment after the sheet was read may instead be paid as its attempt 2.
	const found = [...createdBefore].filter((ref) => {
		const o = itemOf.get(ref);
		return o?.referenceId === ref && (o.alreadyExisted === true || o.foundAfterError === true);
	});
	const retriedAfterEnding = [...createdBefore].filter((ref) => {
		const o = itemOf.get(ref);
		return o?.retried === true && o.referenceId === `${ref}~2` && firstAttemptEnded(ref);
	});
	report.check(
		'sheet 2 again: rows started before the kill were found by reference, not paid again',
		found.length + retriedAfterEnding.length === createdBefore.size,
		`${found.length} of ${createdBefore.size} found existing, ${retriedAfterEnding.length} paid as attempt 2 after their attempt 1 ended without payment`,
	);
	// Retry Failed Rows: exactly the rows whose attempt 1 ended without payment get an attempt 2, one per row per run.
	const retried = retriesSent(againChunks);
	const withAttempt2 = sheet.references.filter((ref) => (chains.get(ref)?.length ?? 0) >= 2);
	const sorted = (refs: Iterable<string>) => JSON.stringify([...refs].sort());
	const missed = [...failedBefore].filter((ref) => !retried.has(`${ref}~2`));
	const beyond = withAttempt2.filter((ref) => !unpaid.has(ref) || chains.get(ref)!.length !== 2);
	report.check(
		`sheet 2 again: the rows whose attempt 1 ended without payment (${failedBefore.size} by the ledger after the kill) are paid again as their attempt 2 ("…~2"), no other attempt created`,
		sorted(retried) === sorted(withAttempt2.map((ref) => `${ref}~2`)) &&
			missed.length === 0 &&
			beyond.length === 0,
		`retried ${retried.size} (${[...retried].slice(0, 5).join(', ')}); rows with an attempt 2 in the ledger ${withAttempt2.length}; not retried though failed before: ${missed.slice(0, 5).join(', ')}; attempts of rows not sent or beyond 2: ${beyond.slice(0, 5).join(', ')}`,
	);
	// Every row's last answer: the second run's where it sent the row, else the first run's.
	const lastAnswer = new Map(firstRows.map((r) => [r.referenceId, r]));
	for (const r of againRows) lastAnswer.set(r.referenceId, r);
	const combined = sheet.references
		.map((ref) => lastAnswer.get(ref))
		.filter((r): r is RowOutcome => r !== undefined);
	const byRef = checkAccounted(
		report,
		'sheet 2, both runs',
		combined,
		sheet.references,
		sheet.invalid,
	);
	await checkLedgerAndTable(ctx, 'sheet 2 again', ledger, byRef, sheet);
}

function countStatuses(invoices: Array<{ status: string }>): Record<string, number> {
	const out: Record<string, number> = {};
	for (const i of invoices) out[i.status] = (out[i.status] ?? 0) + 1;
	return out;
}

async function callbackWorkflowExecutions(ctx: Ctx): Promise<ExecutionSummary[]> {
	return await ctx.rest!.executions(CALLBACKS_ID);
}

/** Waits until the sink and the callback workflow's executions stop changing and none is running. */
async function settle(ctx: Ctx, quietMs = 4_000, timeoutMs = 180_000): Promise<void> {
	await waitUntilQuiet(
		async () => {
			const executions = await callbackWorkflowExecutions(ctx);
			const running = executions.some(isUnfinished);
			return { key: `${executions.length}/${ctx.relay.sink.length}/${running}`, running };
		},
		quietMs,
		timeoutMs,
	);
}

async function recordedRows(ctx: Ctx): Promise<string[][]> {
	return await recordedOutcomes(ctx.services, ctx.logDir);
}

async function callbacksAcrossWebhookProcesses(ctx: Ctx): Promise<void> {
	const { report, relay } = ctx;
	await setSandboxFaults(ctx.sandbox.baseUrl, null);
	// The platform batches status changes of one invoice that are close together (a receiver may never see
	// "processing"): callbacks carry the newest status.
	await configureSandbox(ctx.sandbox.baseUrl, { callbackBatchMs: 300 });
	// A small sheet paid through the queue, its payouts calling back through the relay (the load balancer).
	const sheet = ctx.sheets.cb;
	// The notification receiver is down while the sheet's own callbacks arrive: the notifications must wait in the
	// table, not be lost.
	relay.sinkDown = true;
	const paid = await runSheet(ctx, 'callbacks sheet', sheet.parentId);
	report.check(
		'callbacks: a sheet whose payouts have a callback URL was paid through the queue',
		paid !== undefined && paid.answers.every((a) => a.statusCode === 200),
		paid?.answers.map((a) => `${a.statusCode} ${a.error ?? ''}`).join(', '),
	);
	await waitUntilCallbacksDelivered(ctx.sandbox.baseUrl, 120_000);
	await settle(ctx);
	const original = [...relay.relayed];
	const targets = new Set(original.map((c) => c.target));
	report.info(
		`callbacks: the sandbox sent ${original.length} callbacks (${JSON.stringify(countStatuses(original.map((c) => ({ status: c.invoiceStatus }))))}), spread over ${targets.size} webhook processes; answered ${JSON.stringify(countStatuses(original.map((c) => ({ status: String(c.httpStatus) }))))}`,
	);
	report.check(
		"callbacks: both webhook processes received the sandbox's callbacks, every final status answered 200 (a delivery that timed out is sent again)",
		targets.size === ctx.callbackUrls.length &&
			finalStatusesNeverAcknowledged(original).length === 0,
		`${targets.size} targets`,
	);
	checkHeldWhileReceiverDown(
		report,
		'callbacks',
		await recordedRows(ctx),
		{ accepted: relay.sink.length, refused: relay.sinkRefused.length },
		(await callbackWorkflowExecutions(ctx)).filter((e) => e.status === 'error').length,
	);
	relay.sinkDown = false;
	const recoveredAt = Date.now();

	// The storm: every callback again to both webhook processes at the same moment, in order, reversed, in bursts.
	const t0 = Date.now();
	const storm = await callbackStorm(original, ctx.callbackUrls);
	report.check(
		`callbacks: every repeat of the storm is acknowledged 200 by every webhook process (${storm.sent})`,
		storm.notOk.length === 0,
		storm.notOk.slice(0, 5).join('; '),
	);
	report.info(`callbacks: ${storm.sent} repeats sent in ${secs(Date.now() - t0)}`);

	// New final-status callbacks (invoices n8n never saw) sent to both webhook processes at the same moment.
	const anyInvoice = (await readLedger(ctx.sandbox.baseUrl)).invoices.find((i) =>
		i.referenceId.startsWith('qm-cb'),
	);
	const simultaneous: string[] = [];
	const template = anyInvoice
		? await invoiceDocument(ctx.sandbox.baseUrl, anyInvoice.id)
		: undefined;
	if (template) {
		for (let k = 1; k <= 5; k++) {
			const body = unseenInvoiceBody(template, `cpi_qm_simultaneous_${k}`, `qm-simultaneous-${k}`);
			simultaneous.push(`cpi_qm_simultaneous_${k}`);
			const signature = signAsSandbox(body);
			await Promise.all(ctx.callbackUrls.map(async (url) => await forward(url, body, signature)));
		}
	}
	// Every outcome notified at last: the claim runs after every callback (a new one every 20 s, to the next webhook
	// process in turn) and every minute.
	await waitUntilNotified(async () => await recordedRows(ctx), {
		timeoutMs: 240_000,
		nudgeEveryMs: 20_000,
		nudge: async () => {
			if (!template) return;
			const k = simultaneous.length + 1;
			const body = unseenInvoiceBody(template, `cpi_qm_simultaneous_${k}`, `qm-simultaneous-${k}`);
			simultaneous.push(`cpi_qm_simultaneous_${k}`);
			await forward(ctx.callbackUrls[k % ctx.callbackUrls.length], body, signAsSandbox(body));
		},
	});
	await settle(ctx);

	const ledger = await readLedger(ctx.sandbox.baseUrl);
	const expected = finalStatusesOf(ledger, sheet.references);
	for (const id of simultaneous) expected.set(id, 'processed');
	const recorded = await recordedRows(ctx);
	report.info(
		`callbacks: ${relay.sink.length} notifications accepted, ${relay.sinkRefused.length} refused, for ${expected.size} final statuses`,
	);
	checkRecordedAndNotified(report, 'callbacks', recorded, expected, relay);
	checkSheetAgainstLedger(
		report,
		'callbacks',
		await readRows(ctx.rest!, sheet.table),
		ledger,
		sheet,
		true,
	);
	const executions = await callbackWorkflowExecutions(ctx);
	checkExecutionsAfterRecovery(report, 'callbacks', executions, recoveredAt);

	// Forged callbacks: refused by every webhook process, nothing started.
	// Only executions started by a callback: the workflow's schedule starts one every minute.
	const byCallback = (list: Array<{ mode: string }>) =>
		list.filter((e) => e.mode === 'webhook').length;
	const before = { executions: byCallback(executions), sink: relay.sink.length };
	const body = relay.relayed[0]?.body ?? '{}';
	const forgedAnswers: string[] = [];
	for (const url of ctx.callbackUrls) {
		const forged = await forward(url, body, signForged(body));
		const unsigned = await forward(url, body, '');
		forgedAnswers.push(`${forged.status}/${unsigned.status}`);
	}
	report.check(
		'forged and unsigned callbacks are answered 401 by every webhook process',
		forgedAnswers.every((a) => a === '401/401'),
		`answers (forged/unsigned) per process: ${forgedAnswers.join(', ')}`,
	);
	await sleep(3_000);
	const after = {
		executions: byCallback(await callbackWorkflowExecutions(ctx)),
		sink: relay.sink.length,
	};
	report.check(
		'forged callbacks start nothing',
		after.executions === before.executions && after.sink === before.sink,
		`${after.executions - before.executions} new executions, ${after.sink - before.sink} notifications`,
	);
}

/** Issue 29: the AI agent example's day budget, across executions that both workers run (e2e/queueAgent.ts). */
async function agentBudgetAcrossWorkers(ctx: Ctx): Promise<void> {
	await setSandboxFaults(ctx.sandbox.baseUrl, null);
	await ctx.agent!.run({
		report: ctx.report,
		sandboxBaseUrl: ctx.sandbox.baseUrl,
		webhooks: ctx.cluster.byRole('webhook').map((w) => w.inst.baseUrl),
		rest: ctx.rest!,
		workerOfExecution: () => workerOfExecution(ctx.cluster),
	});
}

async function prepareWorkflows(ctx: Ctx, main: Instance): Promise<void> {
	const { root, report, relay } = ctx;
	// The callback example records into a table of n8n's own database, created as its sticky note says.
	await sql(ctx.services, CREATE_OUTCOMES_TABLE, ctx.logDir);
	const agent = ctx.agent?.imports(root);
	await importCredentials(main, [
		...suiteCredentials(ctx.sandbox.baseUrl, postgresCredential(ctx.services.database)),
		...(agent?.credentials ?? []),
	]);
	const workflows: Array<[string, WorkflowJson, boolean]> = [
		...(agent?.workflows ?? []).map(
			(workflow) => [workflow.name ?? '', workflow, true] as [string, WorkflowJson, boolean],
		),
		['pay-a-chunk', prepareChunkWorkflow(root, { id: CHUNK_ID }), true],
		[
			'pay-a-chunk (callbacks to the relay)',
			prepareChunkWorkflow(root, {
				id: CHUNK_CALLBACKS_ID,
				path: CHUNK_CALLBACKS_PATH,
				webhookId: 'e2e00000-0000-4000-8000-00000000c002',
				callbackUrl: relay.callbackUrl,
			}),
			true,
		],
	];
	await importAndPublish(
		main,
		workflows.map(([, workflow]) => workflow),
		'queue-workflows',
		workflows.filter(([, , activate]) => activate).map(([, workflow]) => workflow.id!),
	);
	report.check(
		'credentials and the chunk workflow imported, published (n8n CLI, PostgreSQL)',
		true,
		workflows.map((w) => w[0]).join(', '),
	);
}

/**
 * The three sheets as Data Tables (made through n8n's REST API, as a user makes them in the UI), and the examples
 * that name a table, imported on them the way the editor imports a file: one "Pay a sheet in chunks" per sheet,
 * and the Postgres callback example on the callbacks sheet, published.
 */
async function prepareSheets(ctx: Ctx): Promise<void> {
	const { root, report, relay } = ctx;
	const rest = ctx.rest!;
	const chunkPath = chunkWebhookPath(prepareChunkWorkflow(root, { id: CHUNK_ID }));
	const specs: Array<[keyof Ctx['sheets'], string, number, string, string]> = [
		['s1', 'qm-s1', SHEET1_ROWS, PARENT_S1_ID, chunkPath],
		['s2', 'qm-s2', SHEET2_ROWS, PARENT_S2_ID, chunkPath],
		['cb', 'qm-cb', CALLBACK_ROWS, PARENT_CALLBACKS_ID, CHUNK_CALLBACKS_PATH],
	];
	for (const [key, prefix, rows, parentId, webhookPath] of specs) {
		ctx.sheets[key] = await sheetOnDataTable(rest, root, {
			tableName: `${SHEET_TABLE} ${prefix}`,
			prefix,
			rows,
			parentId,
			chunkUrl: relay.balancerUrl(webhookPath),
			// The chunk workflow that calls back to the relay was given that Callback URL: so is its parent's
			// Validate, as docs/large-sheets.md says (else no row's digest matches).
			callbackUrl: webhookPath === CHUNK_CALLBACKS_PATH ? relay.callbackUrl : undefined,
		});
	}
	await rest.createWorkflow(
		preparePostgresCallbackWorkflow(root, {
			id: CALLBACKS_ID,
			notifyUrl: relay.sinkUrl,
			tableId: ctx.sheets.cb.table.id,
		}),
		true,
	);
	report.check(
		'three sheets as Data Tables, a "Pay a sheet in chunks" on each, the Postgres callback example published (REST)',
		true,
		specs.map(([key]) => `${key}: ${ctx.sheets[key].references.length} rows`).join(', '),
	);
}

export async function runQueueScenario(
	install: N8nInstall,
	opts: QueueScenarioOptions,
): Promise<void> {
	const { report } = opts;
	const { dir, logDir, filesDir } = scenarioFolders(opts, `n8n-${install.version}-queue`, [
		'paymentstrust',
	]);
	const t0 = Date.now();

	let services: QueueServices;
	try {
		services = await createQueueServices(logDir);
		report.check(
			'own PostgreSQL database and Redis prefixes',
			true,
			`${services.database}, ${services.bullPrefix}*`,
		);
	} catch (error) {
		report.fail('own PostgreSQL database and Redis prefixes', error);
		return;
	}
	let sandbox: RunningSandbox | undefined;
	let cluster: QueueCluster | undefined;
	let relay: CallbackRelay | undefined;
	let agent: QueueAgent | undefined;
	try {
		sandbox = await startSandboxForN8n(opts.root, logDir);
		cluster = await QueueCluster.create({
			install,
			services,
			dir,
			filesDir,
			pkg: opts.pkg,
			workers: 2,
			webhooks: 2,
			workerConcurrency: WORKER_CONCURRENCY,
			// "Pay a sheet in chunks" runs from the editor for minutes while its chunks run on the workers. Offloaded
			// to a worker, it lost its job lock on this busy machine (the suite's 10 s locks) and Bull failed it as
			// stalled ("failed to be processed too many times"); in main it is not killed with worker-1 either.
			extraEnv: { OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'false' },
		});
		const webhookId = postgresCallbackWebhookId(opts.root);
		const webhooks = cluster.byRole('webhook').map((w) => w.inst.baseUrl);
		const callbackUrls = webhooks.map((base) => `${base}/webhook/${webhookId}/${opts.webhookPath}`);
		relay = await CallbackRelay.start(callbackUrls, webhooks);
		const wanted = (part: QueuePart) => !opts.parts || opts.parts.includes(part);
		const sheetsWanted = wanted('bulk') || wanted('kill') || wanted('callbacks');
		agent = wanted('agent') ? await QueueAgent.start() : undefined;
		const ctx: Ctx = {
			...opts,
			agent,
			install,
			dir,
			logDir,
			filesDir,
			sandbox,
			cluster,
			relay,
			services,
			callbackUrls,
			// Filled by prepareSheets once n8n runs.
			sheets: {} as Ctx['sheets'],
		};
		await prepareWorkflows(ctx, cluster.main.inst);

		const tStart = Date.now();
		await cluster.start(180_000);
		report.check(
			'queue mode up: main, 2 workers, 2 webhook processes (each with the packed package)',
			true,
			`${secs(Date.now() - tStart)}; ${cluster.processes.map((p) => `${p.tag} ${p.inst.port}`).join(', ')}`,
		);
		ctx.rest = await ownerSession(cluster.main.inst.baseUrl);
		if (sheetsWanted) {
			await prepareSheets(ctx);
			const probes = await Promise.all(
				callbackUrls.map(
					async (url) =>
						await waitForTriggerWebhook(url, forward, `the trigger's webhook at ${url}`),
				),
			);
			report.check(
				'both webhook processes serve the callback trigger (an unsigned probe is refused, not 404)',
				probes.every((p) => p.status === 401),
				probes.map((p) => p.status).join(', '),
			);
		}

		const parts: Array<[QueuePart, string, (ctx: Ctx) => Promise<void>]> = [
			['bulk', 'bulk across workers', bulkAcrossWorkers],
			['kill', 'worker killed mid-sheet', workerKilledMidSheet],
			['callbacks', 'callbacks across webhook processes', callbacksAcrossWebhookProcesses],
			['agent', 'agent budget across workers', agentBudgetAcrossWorkers],
		];
		for (const [, name, part] of parts.filter(([key]) => wanted(key))) {
			const tPart = Date.now();
			try {
				await part(ctx);
			} catch (error) {
				report.fail(`queue mode: ${name}`, error);
			}
			report.info(`part "${name}" took ${secs(Date.now() - tPart)}`);
		}
	} catch (error) {
		report.fail('queue mode scenario', error);
	} finally {
		await agent?.close();
		await cluster?.stop();
		await relay?.close();
		await sandbox?.process.stop();
		try {
			await dropQueueServices(services, logDir);
			report.check('own database dropped and Redis keys removed', true, services.database);
		} catch (error) {
			report.fail('own database dropped and Redis keys removed', error);
		}
		report.info(`queue mode took ${secs(Date.now() - t0)}`);
	}
}
