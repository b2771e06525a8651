/**
 * n8n 2.x in queue mode (docs/queue-mode.md): the suite's own PostgreSQL database and Redis prefixes, one
 * main, two workers, two webhook processes, the packed package in each process's community-nodes folder.
 *
 *   1. Bulk across workers: "Pay a sheet in chunks" (run with `n8n execute`) cuts a sheet of SHEET1_ROWS rows
 *      into chunks and POSTs each to the "Pay a chunk" webhook, one queued execution per chunk; both workers
 *      pay rows, under sandbox faults. Checked against the sandbox's ledger.
 *   2. A worker killed (SIGKILL) in the middle of a second sheet, then the same sheet again: no reference paid
 *      twice, every row accounted for.
 *   3. Callbacks across webhook processes: the sandbox's signed callbacks reach both webhook processes (a
 *      round-robin relay plays the load balancer), then the same bytes again to every process, in order and
 *      in reverse; each invoice status gets past "Drop repeated callbacks" once. Forged callbacks: 401 from
 *      every process, nothing started.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { CallbackRelay, forward, SinkRecord } from './lib/callbackRelay';
import { invoiceDocument, outcomeFileMismatches, sign, unseenInvoiceBody } from './lib/callbacks';
import {
	CHUNK_SIZE,
	examplePayoutNode,
	payChunkWorkflow,
	paySheetWorkflow,
	PROCESS_TAG_ENV,
	sheetCsv,
} from './lib/chunkWorkflows';
import {
	activateWorkflow,
	createInstance,
	describeFailure,
	executeWorkflow,
	importCredentials,
	importWorkflow,
	Instance,
	N8nInstall,
	RestSession,
} from './lib/n8n';
import { PackedPackage } from './lib/package';
import { sleep, waitFor } from './lib/processes';
import { QueueCluster, QUEUE_ENV } from './lib/queueCluster';
import { Report } from './lib/report';
import {
	configureSandbox,
	LedgerLike,
	readLedger,
	RunningSandbox,
	SANDBOX_CREDENTIALS,
	sandboxCredentialData,
	startSandboxProcess,
} from './lib/sandbox';
import { createQueueServices, dropQueueServices, QueueServices, sql } from './lib/services';
import {
	CALLBACK_WORKFLOW_ID,
	CREDENTIAL_ID,
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	loadWorkflow,
	prepareCallbackWorkflow,
	triggerNode,
	WorkflowJson,
} from './lib/workflows';
import { classify, countBy, FINAL_STATUSES, RowOutcome } from './scenario';

const SHEET1_ROWS = Number(process.env.PT_E2E_QUEUE_ROWS || 2000);
const SHEET2_ROWS = Number(process.env.PT_E2E_QUEUE_KILL_ROWS || 1000);
const CALLBACK_ROWS = 24;
const WORKER_CONCURRENCY = 4;
const PARENT_ID = 'ptE2eQueueSheet1';
const CHUNK_ID = 'ptE2eQueueChunk1';
const CHUNK_CALLBACKS_ID = 'ptE2eQueueChunkC';
const CHUNK_PATH = 'pt-e2e-pay-chunk';
const CHUNK_CALLBACKS_PATH = 'pt-e2e-pay-chunk-callbacks';
/** Money operations only, every fault kind but `slow` (it would only stretch the run). */
const FAULTS = {
	rate: 0.05,
	operations: ['create', 'process', 'get'],
	kinds: { '500': 1, '502': 1, '503': 1, '504': 1, drop: 1, '429': 1 },
	seed: 15,
};

export interface QueueScenarioOptions {
	root: string;
	workDir: string;
	pkg: PackedPackage;
	report: Report;
	webhookPath: string;
}

interface Ctx extends QueueScenarioOptions {
	install: N8nInstall;
	dir: string;
	logDir: string;
	filesDir: string;
	sandbox: RunningSandbox;
	cluster: QueueCluster;
	cli: Instance;
	relay: CallbackRelay;
	services: QueueServices;
	rest?: RestSession;
	callbackUrls: string[];
}

interface ChunkAnswer {
	chunk: number;
	statusCode: number | null;
	outcomes: Array<Record<string, unknown>>;
	error?: string;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The secret the sandbox signs test-mode callbacks with, whatever the credential calls the field. */
function signingSecret(): string {
	const fields = SANDBOX_CREDENTIALS as Record<string, string>;
	return fields.testSecretKey ?? fields.secretKey;
}

/** The chunk answers the parent got ("Pay each chunk"'s items, as its last step reported them). */
function chunkAnswers(items: Array<Record<string, unknown>>): ChunkAnswer[] {
	return items.map((json, i) => {
		const body = json.body;
		const error = json.error === undefined ? undefined : JSON.stringify(json.error).slice(0, 300);
		return {
			chunk: i + 1,
			statusCode: typeof json.statusCode === 'number' ? json.statusCode : null,
			outcomes: Array.isArray(body) ? (body as Array<Record<string, unknown>>) : [],
			error:
				error ?? (Array.isArray(body) ? undefined : JSON.stringify(body ?? json).slice(0, 300)),
		};
	});
}

async function runSheet(
	ctx: Ctx,
	label: string,
	csv: string,
): Promise<{ answers: ChunkAnswer[]; ms: number } | undefined> {
	const { report } = ctx;
	writeFileSync(path.join(ctx.filesDir, 'sheet.csv'), csv);
	ctx.relay.reports.length = 0;
	const t0 = Date.now();
	const { res } = await executeWorkflow(ctx.cli, PARENT_ID, 600_000);
	const ms = Date.now() - t0;
	report.info(
		`${label}: n8n execute of "Pay a sheet in chunks" exited ${res.code} after ${secs(ms)}`,
	);
	const reported = ctx.relay.reports[0];
	if (
		!report.check(
			`${label}: the parent workflow ran to its end (n8n execute exits 0, its last step reported)`,
			res.code === 0 && Array.isArray(reported),
			describeFailure('n8n execute', res),
		)
	) {
		return undefined;
	}
	return { answers: chunkAnswers(reported as Array<Record<string, unknown>>), ms };
}

function rowsOf(answers: ChunkAnswer[]): RowOutcome[] {
	return answers.flatMap((a) => a.outcomes.map((o, i) => classify(o, i + 1)));
}

/** Every reference of the sheet appears once in the answers; returns the outcome per reference. */
function checkAccounted(
	ctx: Ctx,
	label: string,
	rows: RowOutcome[],
	references: string[],
	invalid: Set<string>,
): Map<string, RowOutcome> {
	const { report } = ctx;
	const byRef = new Map<string, RowOutcome[]>();
	for (const r of rows) byRef.set(r.referenceId, [...(byRef.get(r.referenceId) ?? []), r]);
	const missing = references.filter((ref) => !byRef.has(ref));
	const twice = [...byRef].filter(([, list]) => list.length > 1).map(([ref]) => ref);
	const counts = countBy(rows);
	report.info(
		`${label}: ${rows.length} row outcomes: ${counts.paid} paid, ${counts.failed} failed, ${counts.rejected} rejected, ${counts.pending} not final`,
	);
	report.check(
		`${label}: every row of the sheet is answered exactly once (${references.length})`,
		missing.length === 0 && twice.length === 0 && rows.length === references.length,
		`${rows.length} outcomes; missing ${missing.length} (${missing.slice(0, 5).join(', ')}); twice ${twice.length} (${twice.slice(0, 5).join(', ')})`,
	);
	report.check(
		`${label}: every row ends paid, failed or rejected (none left pending)`,
		counts.pending === 0 && counts.paid + counts.failed + counts.rejected === rows.length,
		`${counts.pending} not final`,
	);
	const rejected = rows
		.filter((r) => r.cls === 'rejected')
		.map((r) => r.referenceId)
		.sort();
	report.check(
		`${label}: exactly the invalid rows were rejected (${invalid.size})`,
		JSON.stringify(rejected) === JSON.stringify([...invalid].sort()),
		`rejected ${rejected.length}: ${rejected.slice(0, 5).join(', ')}`,
	);
	return new Map(rows.map((r) => [r.referenceId, r]));
}

/** The ledger, restricted to one sheet's references: one invoice per sent row, nothing else, statuses agree. */
function checkSheetLedger(
	ctx: Ctx,
	label: string,
	ledger: LedgerLike,
	outcomes: Map<string, RowOutcome>,
	references: string[],
): void {
	const { report } = ctx;
	const refs = new Set(references);
	const invoices = ledger.invoices.filter((i) => refs.has(i.referenceId));
	const perRef = new Map<string, number>();
	for (const inv of invoices)
		perRef.set(inv.referenceId, (perRef.get(inv.referenceId) ?? 0) + inv.createsCommitted);
	const paidTwice = [...perRef].filter(([, n]) => n > 1).map(([ref]) => ref);
	report.check(
		`${label}: the ledger has no reference paid twice`,
		paidTwice.length === 0 &&
			ledger.summary.referencesWithMultipleInvoices === 0 &&
			ledger.summary.invoicesProcessedMoreThanOnce === 0,
		`${paidTwice.length} references with several creates; summary ${JSON.stringify({ multi: ledger.summary.referencesWithMultipleInvoices, processedTwice: ledger.summary.invoicesProcessedMoreThanOnce })}`,
	);
	// An omitted test_mode may be a live payout: every invoice a worker created must have said Test explicitly.
	const notTest = invoices.filter((i) => !i.testModeExplicit || i.testMode !== true);
	report.check(
		`${label}: every invoice was created in Test, test_mode said explicitly`,
		notTest.length === 0,
		notTest
			.slice(0, 5)
			.map(
				(i) => `${i.referenceId}: test_mode ${i.testModeExplicit ? String(i.testMode) : 'omitted'}`,
			)
			.join(', '),
	);
	const sent = [...outcomes.values()].filter((r) => r.cls !== 'rejected');
	const notOne = sent.filter((r) => perRef.get(r.referenceId) !== 1);
	report.check(
		`${label}: exactly one invoice for every row that reached the API (${sent.length})`,
		notOne.length === 0,
		notOne
			.slice(0, 10)
			.map((r) => `${r.referenceId}: ${perRef.get(r.referenceId) ?? 0} (${r.cls} ${r.error ?? ''})`)
			.join('; '),
	);
	const rejectedWithInvoice = [...outcomes.values()].filter(
		(r) => r.cls === 'rejected' && perRef.has(r.referenceId),
	);
	report.check(
		`${label}: no invoice for a rejected row`,
		rejectedWithInvoice.length === 0,
		rejectedWithInvoice.map((r) => r.referenceId).join(', '),
	);
	const byId = new Map(invoices.map((i) => [i.id, i]));
	const mismatch = sent.filter((r) => !r.invoiceId || byId.get(r.invoiceId)?.status !== r.status);
	report.check(
		`${label}: every reported status matches the ledger`,
		mismatch.length === 0,
		mismatch
			.slice(0, 10)
			.map(
				(r) =>
					`${r.referenceId}: node ${r.status ?? r.error}, ledger ${byId.get(r.invoiceId ?? '')?.status}`,
			)
			.join('; '),
	);
}

function perProcess(rows: Array<Record<string, unknown>>): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const o of rows) counts[String(o.process)] = (counts[String(o.process)] ?? 0) + 1;
	return counts;
}

async function bulkAcrossWorkers(ctx: Ctx): Promise<void> {
	const { report } = ctx;
	const sheet = sheetCsv('qm-s1', SHEET1_ROWS);
	await setFaults(ctx, FAULTS);
	const result = await runSheet(ctx, 'sheet 1', sheet.csv);
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
	const outcomes = answers.flatMap((a) => a.outcomes);
	const rowsBy = perProcess(outcomes);
	const chunksBy: Record<string, number> = {};
	for (const a of answers) {
		const tags = new Set(a.outcomes.map((o) => String(o.process)));
		for (const t of tags) chunksBy[t] = (chunksBy[t] ?? 0) + 1;
	}
	report.info(
		`sheet 1: rows paid per process ${JSON.stringify(rowsBy)}; chunks per process ${JSON.stringify(chunksBy)}; ${(SHEET1_ROWS / (ms / 1000)).toFixed(0)} rows/s`,
	);
	const workers = ctx.cluster.byRole('worker').map((w) => w.tag);
	report.check(
		`sheet 1: both workers ran chunks (${workers.map((w) => `${w}: ${chunksBy[w] ?? 0} chunks, ${rowsBy[w] ?? 0} rows`).join('; ')})`,
		workers.every((w) => (chunksBy[w] ?? 0) > 0) &&
			Object.keys(rowsBy).every((t) => workers.includes(t)),
		JSON.stringify(rowsBy),
	);
	const rows = rowsOf(answers);
	const byRef = checkAccounted(ctx, 'sheet 1', rows, sheet.references, sheet.invalid);
	const ledger = await readLedger(ctx.sandbox.baseUrl);
	report.info(`sheet 1: faults injected so far ${ledger.summary.faultsInjected}`);
	report.check(
		'sheet 1: the sandbox injected faults during the run',
		ledger.summary.faultsInjected > 0,
		`${ledger.summary.faultsInjected}`,
	);
	checkSheetLedger(ctx, 'sheet 1', ledger, byRef, sheet.references);
}

async function setFaults(ctx: Ctx, faults: object | null): Promise<void> {
	const res = await fetch(`${ctx.sandbox.baseUrl}/__sandbox/faults`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(faults),
		signal: AbortSignal.timeout(10_000),
	});
	if (!res.ok)
		throw new Error(`POST /__sandbox/faults answered ${res.status}: ${await res.text()}`);
}

async function workerKilledMidSheet(ctx: Ctx): Promise<void> {
	const { report } = ctx;
	const sheet = sheetCsv('qm-s2', SHEET2_ROWS);
	const refs = new Set(sheet.references);
	const victim = ctx.cluster.byRole('worker')[0];
	const run = runSheet(ctx, 'sheet 2 (worker killed)', sheet.csv);
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
	if (first) {
		const { answers } = first;
		const failedChunks = answers.filter((a) => a.statusCode !== 200);
		const rows = rowsOf(answers);
		const counts = countBy(rows);
		report.info(
			`sheet 2 with the kill: ${answers.length} chunks, ${failedChunks.length} not answered 200 (${[
				...new Set(failedChunks.map((a) => `${a.statusCode}: ${(a.error ?? '').slice(0, 120)}`)),
			].join(
				' | ',
			)}); ${rows.length} row outcomes (${counts.paid} paid, ${counts.failed} failed, ${counts.rejected} rejected, ${counts.pending} not final); finished ${secs(Date.now() - killTime)} after the kill`,
		);
		report.check(
			'sheet 2 with the kill: the chunks the dead worker held come back as failed chunks, not as paid rows',
			failedChunks.length > 0 && rows.length < SHEET2_ROWS,
			`${failedChunks.length} failed chunks, ${rows.length} row outcomes`,
		);
		const ledgerAfterKill = await readLedger(ctx.sandbox.baseUrl);
		const inFlight = ledgerAfterKill.invoices.filter(
			(i) => refs.has(i.referenceId) && !rows.some((r) => r.referenceId === i.referenceId),
		);
		report.info(
			`sheet 2 with the kill: ${inFlight.length} invoices exist for rows no answer reported (the dead worker's rows); by status ${JSON.stringify(countStatuses(inFlight))}`,
		);
	}
	// The worker is started again (it waits ~10 s over the crash journal n8n left), then the same sheet is run
	// again, as a user would after seeing failed chunks.
	const tRestart = Date.now();
	try {
		await ctx.cluster.startOne(victim, 120_000);
		report.check(`${victim.tag} started again after the kill`, true, secs(Date.now() - tRestart));
	} catch (error) {
		report.fail(`${victim.tag} started again after the kill`, error);
	}
	const again = await runSheet(ctx, 'sheet 2 again', sheet.csv);
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
		`sheet 2 again: rows per process ${JSON.stringify(perProcess(again.answers.flatMap((a) => a.outcomes)))}`,
	);
	const rows = rowsOf(again.answers);
	const byRef = checkAccounted(ctx, 'sheet 2 again', rows, sheet.references, sheet.invalid);
	const existed = rows.filter((r) => r.alreadyExisted === true).length;
	report.info(
		`sheet 2 again: ${existed} rows found already at the platform (paid or started before the kill), ${rows.length - existed - sheet.invalid.size} new`,
	);
	report.check(
		'sheet 2 again: rows started before the kill were found by reference, not paid again',
		existed >= killedAt,
		`${existed} found existing, ${killedAt} existed at the kill`,
	);
	checkSheetLedger(
		ctx,
		'sheet 2 again',
		await readLedger(ctx.sandbox.baseUrl),
		byRef,
		sheet.references,
	);
}

function countStatuses(invoices: Array<{ status: string }>): Record<string, number> {
	const out: Record<string, number> = {};
	for (const i of invoices) out[i.status] = (out[i.status] ?? 0) + 1;
	return out;
}

async function callbackWorkflowExecutions(
	ctx: Ctx,
): Promise<Array<{ id: string; status: string }>> {
	return await ctx.rest!.executions(CALLBACK_WORKFLOW_ID);
}

/** Waits until the sink and the callback workflow's executions stop changing and none is running. */
async function settle(ctx: Ctx, quietMs = 4_000, timeoutMs = 180_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	let lastChange = Date.now();
	while (Date.now() < deadline) {
		const executions = await callbackWorkflowExecutions(ctx);
		const running = executions.some(
			(e) => e.status === 'running' || e.status === 'new' || e.status === 'waiting',
		);
		const now = `${executions.length}/${ctx.relay.sink.length}/${running}`;
		if (now !== last || running) lastChange = Date.now();
		last = now;
		if (!running && Date.now() - lastChange >= quietMs) return;
		await sleep(500);
	}
}

/** The statuses (`<invoice id> <status>`) among `items` whose dedup value n8n's history holds. */
async function recordedStatuses(ctx: Ctx, items: SinkRecord[]): Promise<Set<string>> {
	const rows = await sql(
		ctx.services,
		`select value from processed_data where "workflowId" = '${CALLBACK_WORKFLOW_ID}'`,
		ctx.logDir,
	);
	const hashes = new Set<string>();
	for (const [value] of rows)
		for (const h of (JSON.parse(value) as { data?: string[] }).data ?? []) hashes.add(h);
	// The example's dedup value: "{{ $json.id }} {{ $json.status }} {{ $json.updatedAt }}".
	const hash = (s: SinkRecord) =>
		createHash('md5').update(`${s.invoiceId} ${s.status} ${s.updatedAt}`).digest('base64');
	return new Set(items.filter((s) => hashes.has(hash(s))).map((s) => `${s.invoiceId} ${s.status}`));
}

async function callbacksAcrossWebhookProcesses(ctx: Ctx): Promise<void> {
	const { report, relay } = ctx;
	await setFaults(ctx, null);
	// A small batch paid through the queue with the relay as callback URL: the sandbox calls back for each.
	const sheet = sheetCsv('qm-cb', CALLBACK_ROWS);
	const rows = sheet.csv
		.trim()
		.split('\n')
		.slice(1)
		.map((line) => {
			const [reference_id, service, currency, amount, account, test_details_payout_status, note] =
				line.split(',');
			return { reference_id, service, currency, amount, account, test_details_payout_status, note };
		})
		.filter((r) => !sheet.invalid.has(r.reference_id));
	const web = ctx.cluster.byRole('webhook')[0];
	const paid = await forward(
		`${web.inst.baseUrl}/webhook/${CHUNK_CALLBACKS_PATH}`,
		JSON.stringify({ chunk: 1, rows }),
		'',
	);
	report.check(
		'callbacks: a chunk with a callback URL was paid through the queue',
		paid.status === 200,
		`answered ${paid.status} ${paid.text.slice(0, 200)}`,
	);
	await waitFor(
		'the sandbox to finish delivering callbacks',
		async () => {
			const l = await readLedger(ctx.sandbox.baseUrl);
			return l.summary.callbacks.pending === 0 && l.summary.pendingProcessing === 0
				? true
				: undefined;
		},
		{ timeoutMs: 120_000, intervalMs: 1_000 },
	);
	await settle(ctx);
	const original = [...relay.relayed];
	const targets = new Set(original.map((c) => c.target));
	report.info(
		`callbacks: the sandbox sent ${original.length} callbacks, spread over ${targets.size} webhook processes; answered ${JSON.stringify(countStatuses(original.map((c) => ({ status: String(c.httpStatus) }))))}`,
	);
	report.check(
		"callbacks: both webhook processes received the sandbox's callbacks and answered 200",
		targets.size === ctx.callbackUrls.length && original.every((c) => c.httpStatus === 200),
		`${targets.size} targets`,
	);

	// What n8n's dedup history holds now, read from its database (md5/base64 of the dedup value).
	const originalKeys = new Set(relay.sink.map((s) => `${s.invoiceId} ${s.status}`));
	const recorded = await recordedStatuses(ctx, relay.sink);

	// Repeats: every callback again to every webhook process, in order, then in reverse order (a late
	// "processing" after its final status).
	const t0 = Date.now();
	let repeatAnswers = 0;
	for (const order of [original, [...original].reverse()]) {
		for (const c of order) {
			for (const url of ctx.callbackUrls) {
				const r = await forward(url, c.body, c.signature);
				if (r.status === 200) repeatAnswers++;
			}
		}
	}
	report.check(
		'callbacks: every repeat is acknowledged 200 by every webhook process',
		repeatAnswers === original.length * 2 * ctx.callbackUrls.length,
		`${repeatAnswers} of ${original.length * 2 * ctx.callbackUrls.length}`,
	);
	report.info(
		`callbacks: ${original.length * 2 * ctx.callbackUrls.length} repeats sent in ${secs(Date.now() - t0)}`,
	);

	// Simultaneous repeats: new final-status callbacks sent to both webhook processes at the same moment.
	const anyInvoice = (await readLedger(ctx.sandbox.baseUrl)).invoices.find((i) =>
		i.referenceId.startsWith('qm-cb'),
	);
	const simultaneous: string[] = [];
	if (anyInvoice) {
		const template = await invoiceDocument(ctx.sandbox.baseUrl, anyInvoice.id);
		for (let k = 1; k <= 5; k++) {
			const body = unseenInvoiceBody(template, `cpi_qm_simultaneous_${k}`, `qm-simultaneous-${k}`);
			simultaneous.push(`cpi_qm_simultaneous_${k}`);
			const signature = sign(signingSecret(), body);
			await Promise.all(ctx.callbackUrls.map(async (url) => await forward(url, body, signature)));
		}
	}
	await settle(ctx);

	// What got past "Drop repeated callbacks": every final status, never a non-final one, and no repeat of a
	// status n8n had recorded in its history before the repeats were sent.
	const key = (id: string, status: string) => `${id} ${status}`;
	const expected = new Set(
		original
			.filter((c) => FINAL_STATUSES.has(c.invoiceStatus))
			.map((c) => key(c.invoiceId, c.invoiceStatus)),
	);
	for (const id of simultaneous) expected.add(key(id, 'processed'));
	const seen = new Map<string, number>();
	for (const s of relay.sink)
		seen.set(key(s.invoiceId, s.status), (seen.get(key(s.invoiceId, s.status)) ?? 0) + 1);
	const missing = [...expected].filter((k) => !seen.has(k));
	const unexpected = [...seen.keys()].filter((k) => !expected.has(k));
	report.info(
		`callbacks: ${relay.sink.length} items got past "Drop repeated callbacks", run by ${JSON.stringify(perProcess(relay.sink as unknown as Array<Record<string, unknown>>))}`,
	);
	const letThroughByError = relay.sink.filter((s) => s.dedupError);
	report.info(
		`callbacks: ${letThroughByError.length} of them because "Drop repeated callbacks" failed (On Error → Continue)${letThroughByError.length ? `: ${[...new Set(letThroughByError.map((s) => s.dedupError))].slice(0, 2).join(' | ')}` : ''}`,
	);
	report.check(
		`callbacks: every final invoice status reached the steps after the trigger (${expected.size}), no other status did`,
		missing.length === 0 && unexpected.length === 0,
		`missing ${missing.length} (${missing.slice(0, 5).join(', ')}); unexpected ${unexpected.length} (${unexpected
			.slice(0, 5)
			.map((k) => JSON.stringify(relay.sink.find((s) => key(s.invoiceId, s.status) === k)))
			.join(', ')})`,
	);
	const recordedRepeated = [...recorded].filter((k) => (seen.get(k) ?? 0) > 1);
	report.check(
		`callbacks: no repeat of a status n8n had recorded got past, whichever webhook process it reached (${recorded.size} recorded)`,
		recorded.size > 0 && recordedRepeated.length === 0,
		`${recordedRepeated.length} passed again: ${recordedRepeated.slice(0, 5).join(', ')}`,
	);
	const lost = [...originalKeys].filter((k) => !recorded.has(k));
	const repeated = [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
	report.info(
		`callbacks: n8n's dedup history lacked ${lost.length} of ${originalKeys.size} statuses it had let through (overlapping executions overwrite each other's history: one row per workflow, read then written without a lock); statuses that got past more than once: ${repeated.length}${repeated.length ? ` (${repeated.slice(0, 5).join(', ')})` : ''}`,
	);
	const outcomeFiles = readdirSync(path.join(ctx.filesDir, 'paymentstrust')).filter((f) =>
		f.endsWith('.json'),
	);
	const finalInvoices = new Set([...expected].map((k) => k.split(' ')[0]));
	report.check(
		`callbacks: one outcome file per invoice with a final status (${finalInvoices.size}), as the example writes it`,
		outcomeFiles.length === finalInvoices.size &&
			[...finalInvoices].every((id) => outcomeFiles.includes(`${id}.json`)),
		`${outcomeFiles.length} files`,
	);
	const ledger = await readLedger(ctx.sandbox.baseUrl);
	const truth = new Map<string, string>(
		ledger.invoices.filter((i) => finalInvoices.has(i.id)).map((i) => [i.id, i.status]),
	);
	for (const id of simultaneous) truth.set(id, 'processed');
	const wrongFiles = outcomeFileMismatches(path.join(ctx.filesDir, 'paymentstrust'), truth);
	report.check(
		'callbacks: every outcome file says what the ledger says: its invoice, its final status, paid exactly when processed',
		wrongFiles.length === 0,
		wrongFiles.slice(0, 5).join('; '),
	);
	const executions = await callbackWorkflowExecutions(ctx);
	const unsuccessful = executions.filter((e) => e.status !== 'success');
	report.check(
		`callbacks: every execution of the callback workflow succeeded (${executions.length})`,
		unsuccessful.length === 0,
		unsuccessful
			.slice(0, 5)
			.map((e) => `${e.id}: ${e.status}`)
			.join(', '),
	);

	// Forged callbacks: refused by every webhook process, nothing started.
	const before = { executions: executions.length, sink: relay.sink.length };
	const body = relay.relayed[0]?.body ?? '{}';
	const forgedAnswers: string[] = [];
	for (const url of ctx.callbackUrls) {
		const forged = await forward(url, body, sign('sk_test_not_the_secret', body));
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
		executions: (await callbackWorkflowExecutions(ctx)).length,
		sink: relay.sink.length,
	};
	report.check(
		'forged callbacks start nothing',
		after.executions === before.executions && after.sink === before.sink,
		`${after.executions - before.executions} new executions, ${after.sink - before.sink} items past the trigger`,
	);
}

/** The callback example as the suite runs it: plus one step that tells the suite what got past the dedup. */
function callbackWorkflowWithSink(root: string, filesDir: string, sinkUrl: string): WorkflowJson {
	const source = loadWorkflow(path.join(root, 'examples', 'payout-callbacks.workflow.json'));
	const workflow = prepareCallbackWorkflow(source, { filesDir }).workflow;
	const dedupe = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.removeDuplicates');
	if (!dedupe) throw new Error('payout-callbacks.workflow.json has no Remove Duplicates node');
	const sink = {
		id: 'e2e-sink',
		name: 'e2e: tell the suite',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [660, 300],
		parameters: {
			method: 'POST',
			url: sinkUrl,
			sendBody: true,
			specifyBody: 'json',
			// What the trigger received (as the example's own steps read it), and whether Remove Duplicates failed
			// and let it through as its error.
			jsonBody: `={{ JSON.stringify({ invoiceId: $('PaymentsTrust Trigger').item.json.id, status: $('PaymentsTrust Trigger').item.json.status, updatedAt: $('PaymentsTrust Trigger').item.json.updatedAt, process: $env.${PROCESS_TAG_ENV}, executionId: $execution.id, fields: Object.keys($json).join(','), dedupError: $json.error === undefined ? null : String($json.error) }) }}`,
			options: {},
		},
	};
	workflow.nodes.push(sink);
	const outputs = (
		workflow.connections[dedupe.name] as {
			main: Array<Array<{ node: string; type: string; index: number }>>;
		}
	).main;
	outputs[0].push({ node: sink.name, type: 'main', index: 0 });
	return workflow;
}

async function prepareWorkflows(ctx: Ctx, main: Instance): Promise<void> {
	const { root, report } = ctx;
	const credential = {
		id: CREDENTIAL_ID,
		name: CREDENTIAL_NAME,
		type: CREDENTIAL_TYPE,
		data: sandboxCredentialData(ctx.sandbox.baseUrl),
	};
	await importCredentials(main, [credential]);
	const webhookUrls = ctx.cluster
		.byRole('webhook')
		.map((w) => `${w.inst.baseUrl}/webhook/${CHUNK_PATH}`);
	const workflows: Array<[string, WorkflowJson, boolean]> = [
		[
			'pay-chunk',
			payChunkWorkflow({
				id: CHUNK_ID,
				name: 'Pay a chunk',
				webhookId: 'e2e00000-0000-4000-8000-00000000c001',
				path: CHUNK_PATH,
				payout: examplePayoutNode(root),
			}),
			true,
		],
		[
			'pay-chunk-callbacks',
			payChunkWorkflow({
				id: CHUNK_CALLBACKS_ID,
				name: 'Pay a chunk (callbacks to the relay)',
				webhookId: 'e2e00000-0000-4000-8000-00000000c002',
				path: CHUNK_CALLBACKS_PATH,
				payout: examplePayoutNode(root, ctx.relay.callbackUrl),
			}),
			true,
		],
		['payout-callbacks', callbackWorkflowWithSink(root, ctx.filesDir, ctx.relay.sinkUrl), true],
		[
			'pay-sheet',
			paySheetWorkflow({
				id: PARENT_ID,
				sheetFile: path.join(ctx.filesDir, 'sheet.csv'),
				chunkUrls: webhookUrls,
				reportUrl: ctx.relay.reportUrl,
			}),
			false,
		],
	];
	// One import for all of them: every n8n CLI command boots n8n (10-20 s on a busy machine).
	await importWorkflow(
		main,
		workflows.map(([, workflow]) => workflow),
		'queue-workflows',
	);
	for (const [, workflow, activate] of workflows)
		if (activate) await activateWorkflow(main, workflow.id!);
	report.check(
		'credential and workflows imported, webhook workflows published (n8n CLI, PostgreSQL)',
		true,
		workflows.map((w) => w[0]).join(', '),
	);
}

export async function runQueueScenario(
	install: N8nInstall,
	opts: QueueScenarioOptions,
): Promise<void> {
	const { report } = opts;
	const dir = path.join(opts.workDir, `n8n-${install.version}-queue`);
	const logDir = path.join(dir, 'logs');
	const filesDir = path.join(dir, 'files');
	mkdirSync(path.join(filesDir, 'paymentstrust'), { recursive: true });
	report.info(`logs: ${logDir}`);
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
	try {
		sandbox = await startSandboxProcess(opts.root, logDir, 60_000);
		await configureSandbox(sandbox.baseUrl, { callbackTimeoutMs: 20_000 });
		cluster = await QueueCluster.create({
			install,
			services,
			dir,
			filesDir,
			pkg: opts.pkg,
			workers: 2,
			webhooks: 2,
			workerConcurrency: WORKER_CONCURRENCY,
		});
		const source = loadWorkflow(path.join(opts.root, 'examples', 'payout-callbacks.workflow.json'));
		const callbackUrls = cluster
			.byRole('webhook')
			.map(
				(w) => `${w.inst.baseUrl}/webhook/${triggerNode(source)!.webhookId}/${opts.webhookPath}`,
			);
		relay = await CallbackRelay.start(callbackUrls);
		// `n8n execute` (the parent) runs in its own process against the same database; it does not use the queue.
		const cliInst = await createInstance(install, {
			userFolder: path.join(dir, 'cli'),
			logDir: path.join(logDir, 'cli'),
			filesDir,
			extra: { ...QUEUE_ENV, ...services.env, [PROCESS_TAG_ENV]: 'cli' },
		});
		const ctx: Ctx = {
			...opts,
			install,
			dir,
			logDir,
			filesDir,
			sandbox,
			cluster,
			cli: cliInst,
			relay,
			services,
			callbackUrls,
		};
		await prepareWorkflows(ctx, cluster.main.inst);

		const tStart = Date.now();
		await cluster.start(180_000);
		report.check(
			'queue mode up: main, 2 workers, 2 webhook processes (each with the packed package)',
			true,
			`${secs(Date.now() - tStart)}; ${cluster.processes.map((p) => `${p.tag} ${p.inst.port}`).join(', ')}`,
		);
		ctx.rest = new RestSession(cluster.main.inst.baseUrl);
		await ctx.rest.setUpOwner();
		const probes = await Promise.all(
			callbackUrls.map(
				async (url) =>
					await waitFor(
						`the trigger's webhook at ${url}`,
						async () => {
							const r = await forward(url, '{}', '');
							return r.status === 404 ? undefined : r;
						},
						{ timeoutMs: 60_000, intervalMs: 500 },
					),
			),
		);
		report.check(
			'both webhook processes serve the callback trigger (an unsigned probe is refused, not 404)',
			probes.every((p) => p.status === 401),
			probes.map((p) => p.status).join(', '),
		);

		for (const [name, part] of [
			['bulk across workers', bulkAcrossWorkers],
			['worker killed mid-sheet', workerKilledMidSheet],
			['callbacks across webhook processes', callbacksAcrossWebhookProcesses],
		] as const) {
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
