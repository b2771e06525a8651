/**
 * The large-sheet examples in one n8n (docs/large-sheets.md), on n8n 2.x and 1.123.x: "Pay a sheet in chunks"
 * reads the unpaid rows of the "payouts" Data Table, POSTs them in chunks to "Pay a chunk", and writes each row's
 * outcome back; every payout calls back to "payout-callbacks-postgres", which records each final status once in
 * PostgreSQL, notifies once and writes the status to the sheet again. Then the callback storm (every callback
 * again, in order, reversed, in bursts), and the sheet run again with Retry Failed Rows until it converges: rows
 * the bank refused once (fixed in between) are paid by their attempt 2, rows it always refuses stop at attempt 3,
 * and the fourth run sends only the invalid rows.
 * Judged by the sandbox's ledger. Queue mode runs the same examples at scale (e2e/queueScenario.ts).
 */
import { CallbackRelay, forward } from '../lib/callbackRelay';
import { insertRows, readRows, updateRows } from '../lib/dataTables';
import { importCredentials } from '../lib/n8n';
import { invoiceDocument, signAsSandbox, unseenInvoiceBody } from '../lib/callbacks';
import { isUnfinished, waitUntilQuiet } from '../lib/executions';
import { configureSandbox, readLedger, waitUntilCallbacksDelivered } from '../lib/sandbox';
import { waitForTriggerWebhook } from '../lib/scenarioSetup';
import { createDatabase, dropDatabase, sql } from '../lib/services';
import {
	callbackStorm,
	checkExecutionsAfterRecovery,
	checkHeldWhileReceiverDown,
	checkLedgerForSheet,
	checkRecordedAndNotified,
	checkRetriesConverged,
	checkSheetAgainstLedger,
	finalStatusesNeverAcknowledged,
	finalStatusesOf,
	recordedOutcomes,
	referencesSent,
	retriesSent,
	waitUntilNotified,
} from '../lib/sheetChecks';
import {
	chunkWebhookPath,
	CREATE_OUTCOMES_TABLE,
	fixRow,
	postgresCallbackWebhookId,
	postgresCredential,
	prepareChunkWorkflow,
	preparePostgresCallbackWorkflow,
	SHEET_TABLE,
	sheetRows,
} from '../lib/sheetWorkflows';
import { sheetOnDataTable } from '../lib/sheetTables';
import type { PartContext, ScenarioPart } from './index';

/** Two chunks of the example's 100 rows, small enough for one n8n on SQLite on a busy machine. */
const ROWS = 120;
const SHEET_ID = 'ptE2ePartSheet01';
const CHUNK_ID = 'ptE2ePartChunk01';
const CALLBACKS_ID = 'ptE2ePartPgCalls';
/** The Postgres example as shipped, only to be refused publication (n8n 2.x). */
const SHIPPED_ID = 'ptE2ePartPgShip1';

/** What `workflows` set up for `run`: the part's database and its relay (callbacks in, notifications in). */
let state:
	| {
			db: { database: string };
			relay: CallbackRelay;
			triggerUrl: string;
			chunkPath: string;
			/** The callback workflow's id as n8n saved it (n8n 1.x gives an imported workflow a new one). */
			callbacksId: string;
	  }
	| undefined;

/** Waits until the callback workflow's executions stop changing and none is running. */
async function settle(ctx: PartContext, quietMs = 4_000, timeoutMs = 120_000): Promise<void> {
	await waitUntilQuiet(
		async () => {
			const executions = await ctx.rest!.executions(state!.callbacksId);
			const running = executions.some(isUnfinished);
			return { key: `${executions.length}/${state!.relay.sink.length}`, running };
		},
		quietMs,
		timeoutMs,
	);
}

async function recordedRows(ctx: PartContext): Promise<string[][]> {
	return await recordedOutcomes(state!.db, ctx.partDir);
}

/**
 * n8n 2.x refuses to publish the Postgres example as shipped, with its credentials set (docs/callbacks.md steps 3
 * and 4) but no notification URL and no table picked, and names both nodes.
 */
async function shippedIsRefused(ctx: PartContext, label: string): Promise<void> {
	const rest = ctx.rest!;
	const id = await rest.createWorkflow(
		preparePostgresCallbackWorkflow(ctx.root, {
			id: SHIPPED_ID,
			webhookId: 'e2e00000-0000-4000-8000-0000000c0a11',
		}),
		false,
	);
	const saved = (await rest.getJson(`/rest/workflows/${encodeURIComponent(id)}`)) as {
		data?: { versionId?: string };
	};
	const answer = await rest.postJson(`/rest/workflows/${encodeURIComponent(id)}/activate`, {
		versionId: saved.data?.versionId,
	});
	const message = JSON.stringify(answer.json);
	ctx.report.check(
		`${label}: n8n 2.x refuses to publish the Postgres example as shipped (no notification URL, no table picked), naming both nodes (HTTP ${answer.status})`,
		answer.status !== 200 &&
			message.includes('Send notification') &&
			/\burl\b/.test(message) &&
			message.includes('Write final status to the sheet'),
		message.slice(0, 400),
	);
}

async function run(ctx: PartContext): Promise<void> {
	const { report, rest } = ctx;
	if (!state || !rest) throw new Error('the part was not prepared (workflows) or n8n has no owner');
	const { relay } = state;
	const label = 'large sheets';
	// Status changes of one invoice closer than 1 s go out as one callback (as the platform batches them): fewer
	// callbacks for one busy n8n process to answer.
	await configureSandbox(ctx.sandbox.baseUrl, { callbackBatchMs: 1_000 });
	// The two examples that name the table: created once it exists, as a user imports them and picks it. Rows the
	// bank refuses: every 25th always, every 20th until it is fixed (after the first run).
	const sheet = await sheetOnDataTable(rest, ctx.root, {
		tableName: SHEET_TABLE,
		prefix: 'e2e-sheet',
		rows: ROWS,
		failOnceEvery: 20,
		parentId: SHEET_ID,
		chunkUrl: relay.balancerUrl(state.chunkPath),
		callbackUrl: relay.callbackUrl,
	});
	const { table, parentId: sheetId } = sheet;
	state.callbacksId = await rest.createWorkflow(
		preparePostgresCallbackWorkflow(ctx.root, {
			id: CALLBACKS_ID,
			notifyUrl: relay.sinkUrl,
			tableId: table.id,
		}),
		true,
	);
	const probe = await waitForTriggerWebhook(
		state.triggerUrl,
		forward,
		"the Postgres callback workflow's production webhook",
	);
	report.check(
		`${label}: the "${SHEET_TABLE}" Data Table created and filled (${ROWS} rows), the sheet and Postgres callback examples imported on it, the callback workflow active (an unsigned probe is refused, not 404)`,
		probe.status === 401,
		`probe answered ${probe.status} ${probe.text}`,
	);

	if (ctx.install.major === 2) await shippedIsRefused(ctx, label);

	// The notification receiver is down while the sheet's own callbacks arrive: their notifications must wait in
	// the table, not be lost.
	relay.sinkDown = true;

	// Run as the editor's "Execute workflow" does: `n8n execute` has no Data Table module.
	const runSheet = async (what: string) => {
		const from = relay.chunks.length;
		const result = await rest.runManually(sheetId, 'Start', ctx.install, 600_000);
		report.check(
			`${label}: ${what}: "Pay a sheet in chunks" ran to its end (execution ${result.executionId}: ${result.status}, ${(result.ms / 1000).toFixed(1)} s)`,
			result.status === 'success',
			result.error,
		);
		return relay.chunks.slice(from);
	};

	const first = await runSheet('first run');
	report.check(
		`${label}: first run: ${Math.ceil(ROWS / 100)} chunks, each answered 200 by "Pay a chunk"`,
		first.length === Math.ceil(ROWS / 100) && first.every((c) => c.status === 200),
		first.map((c) => `${c.status}`).join(', '),
	);
	const delivered = async () => {
		await waitUntilCallbacksDelivered(
			ctx.sandbox.baseUrl,
			120_000,
			'the sandbox to deliver every callback',
		);
		await settle(ctx);
	};
	await delivered();
	let ledger = await readLedger(ctx.sandbox.baseUrl);
	checkLedgerForSheet(report, `${label}: first run`, ledger, sheet);
	checkSheetAgainstLedger(
		report,
		`${label}: first run`,
		await readRows(rest, table),
		ledger,
		sheet,
		true,
	);
	const unacknowledged = finalStatusesNeverAcknowledged(relay.relayed);
	const attempts = relay.relayed.filter((c) => c.httpStatus !== 200).length;
	report.check(
		`${label}: every final status the sandbox called back with was answered 200 by the Postgres callback workflow (${relay.relayed.length} deliveries, ${attempts} attempts not answered 200 and sent again)`,
		relay.relayed.length > 0 && unacknowledged.length === 0,
		unacknowledged.slice(0, 5).join(', '),
	);
	checkHeldWhileReceiverDown(
		report,
		label,
		await recordedRows(ctx),
		{ accepted: relay.sink.length, refused: relay.sinkRefused.length },
		(await rest.executions(state.callbacksId)).filter((e) => e.status === 'error').length,
	);
	relay.sinkDown = false;
	const recoveredAt = Date.now();

	const storm = await callbackStorm([...relay.relayed], [state.triggerUrl]);
	report.check(
		`${label}: the callback storm (${storm.sent} repeats: in order, reversed, in bursts) is answered 200`,
		storm.notOk.length === 0,
		storm.notOk.slice(0, 5).join('; '),
	);
	// The trigger drops the storm's repeats in this one process: new callbacks (invoices n8n never saw) run the
	// claim, as the schedule does every minute.
	const anyInvoice = relay.relayed[0].invoiceId;
	const template = await invoiceDocument(ctx.sandbox.baseUrl, anyInvoice);
	const fresh: string[] = [];
	await waitUntilNotified(async () => await recordedRows(ctx), {
		timeoutMs: 240_000,
		nudgeEveryMs: 20_000,
		nudge: async () => {
			const id = `cpi_e2e_${ctx.install.major}_nudge_${fresh.length + 1}`;
			fresh.push(id);
			const body = unseenInvoiceBody(template, id, `e2e-nudge-${fresh.length}`);
			await forward(state!.triggerUrl, body, signAsSandbox(body));
		},
	});
	await settle(ctx);
	ledger = await readLedger(ctx.sandbox.baseUrl);
	const expected = finalStatusesOf(ledger, sheet.references);
	for (const id of fresh) expected.set(id, 'processed');
	const recorded = await recordedRows(ctx);
	checkRecordedAndNotified(report, label, recorded, expected, relay);
	checkExecutionsAfterRecovery(
		report,
		label,
		await rest.executions(state.callbacksId),
		recoveredAt,
	);

	// Retry Failed Rows (issue 26). The rows refused once are fixed, as a user does before running again (a retry
	// pays the row as it is now). The second run pays them as their attempt 2 and sends attempt 2 of the rows the
	// bank always refuses; the third sends those rows' attempt 3, which stops them (Max Attempts per Row 3); the
	// fourth sends only the invalid rows: the sheet has converged.
	for (const ref of sheet.failOnce) await updateRows(rest, table, 'reference_id', ref, fixRow);
	const sorted = (refs: Iterable<string>) => JSON.stringify([...refs].sort());
	const retryRun = async (
		what: string,
		rows: Set<string>,
		attempt: number | undefined,
		retried: Set<string>,
	) => {
		const chunks = await runSheet(what);
		await delivered();
		const sent = referencesSent(chunks);
		report.check(
			`${label}: ${what} sends exactly the rows not paid and not stopped (${rows.size}: ${[...rows].filter((r) => !sheet.invalid.has(r)).length} failed before, ${sheet.invalid.size} invalid)`,
			sorted(sent) === sorted(rows),
			`sent ${sent.size}: ${[...sent].slice(0, 8).join(', ')}`,
		);
		const retries = retriesSent(chunks);
		const wanted = [...retried].map((ref) => `${ref}~${attempt}`);
		report.check(
			`${label}: ${what} creates ${attempt ? `attempt ${attempt} ("…~${attempt}")` : 'no attempt'} of ${retried.size} rows and no other`,
			sorted(retries) === sorted(wanted),
			`retried ${retries.size}: ${[...retries].slice(0, 8).join(', ')}`,
		);
		const ledgerNow = await readLedger(ctx.sandbox.baseUrl);
		checkLedgerForSheet(report, `${label}: ${what}`, ledgerNow, sheet);
		const rows_ = await readRows(rest, table);
		checkSheetAgainstLedger(report, `${label}: ${what}`, rows_, ledgerNow, sheet, true);
		return { ledger: ledgerNow, table: rows_ };
	};
	const union = (...sets: Array<Set<string>>) => new Set(sets.flatMap((x) => [...x]));
	await retryRun(
		'second run (Retry Failed Rows)',
		union(sheet.failOnce, sheet.alwaysFail, sheet.invalid),
		2,
		union(sheet.failOnce, sheet.alwaysFail),
	);
	const third = await retryRun(
		'third run',
		union(sheet.alwaysFail, sheet.invalid),
		3,
		sheet.alwaysFail,
	);
	const fourth = await retryRun('fourth run', sheet.invalid, undefined, new Set());
	report.check(
		`${label}: the fourth run created no invoice (${third.ledger.invoices.length} in the ledger before and after)`,
		fourth.ledger.invoices.length === third.ledger.invoices.length,
		`${third.ledger.invoices.length} → ${fourth.ledger.invoices.length}`,
	);
	checkRetriesConverged(report, `${label}: converged`, fourth.ledger, fourth.table, sheet);

	// One payee in two rows that land in different chunks (the first and the 101st of 101 new rows, with the invalid
	// row ahead of them): a chunk sees only its own rows, so the parent must stop before sending any chunk.
	const extra = sheetRows('e2e-same-payee', 101);
	const [firstRef, lastRef] = [extra.references[0], extra.references[100]];
	extra.rows[100].account = extra.rows[0].account;
	await insertRows(rest, table, extra.rows);
	const chunksBefore = relay.chunks.length;
	const stopped = await rest.runManually(sheetId, 'Start', ctx.install, 600_000);
	const afterStop = await readLedger(ctx.sandbox.baseUrl);
	report.check(
		`${label}: one payee in two rows of different chunks: "Pay a sheet in chunks" stops before sending any chunk, naming both rows (execution ${stopped.executionId}: ${stopped.status}), nothing created`,
		stopped.status === 'error' &&
			String(stopped.error).includes('One payee is in more than one row of the sheet') &&
			String(stopped.error).includes(firstRef) &&
			String(stopped.error).includes(lastRef) &&
			relay.chunks.length === chunksBefore &&
			afterStop.invoices.length === fourth.ledger.invoices.length,
		`${stopped.error ?? ''} (${relay.chunks.length - chunksBefore} chunks sent, ${afterStop.invoices.length - fourth.ledger.invoices.length} invoices created)`,
	);
}

export const largeSheetsPart: ScenarioPart = {
	name: 'large-sheets',
	majors: [1, 2],
	async workflows(ctx) {
		const db = await createDatabase('sheets', ctx.partDir);
		await sql(db, CREATE_OUTCOMES_TABLE, ctx.partDir);
		await importCredentials(ctx.inst, [postgresCredential(db.database)]);
		const triggerUrl = `${ctx.inst.baseUrl}/webhook/${postgresCallbackWebhookId(ctx.root)}/${ctx.webhookPath}`;
		const relay = await CallbackRelay.start([triggerUrl], [ctx.inst.baseUrl]);
		const chunk = prepareChunkWorkflow(ctx.root, { id: CHUNK_ID, callbackUrl: relay.callbackUrl });
		state = {
			db,
			relay,
			triggerUrl,
			chunkPath: chunkWebhookPath(chunk),
			callbacksId: CALLBACKS_ID,
		};
		return { workflows: [chunk], activate: [CHUNK_ID] };
	},
	async run(ctx) {
		try {
			await run(ctx);
		} catch (error) {
			// Say where: "aborted due to timeout" alone does not tell which request it was.
			const e = error as Error;
			throw new Error(`${e.message} (${(e.stack ?? '').split('\n').slice(1, 4).join(' ').trim()})`);
		} finally {
			await state?.relay.close();
			if (state) await dropDatabase(state.db, ctx.partDir).catch(() => undefined);
			state = undefined;
		}
	},
};
