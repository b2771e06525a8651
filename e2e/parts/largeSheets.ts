/**
 * The large-sheet examples in one n8n (docs/large-sheets.md), on n8n 2.x and 1.123.x: "Pay a sheet in chunks"
 * reads the unpaid rows of the "payouts" Data Table, POSTs them in chunks to "Pay a chunk", and writes each row's
 * outcome back; every payout calls back to "payout-callbacks-postgres", which records each final status once in
 * PostgreSQL, notifies once and writes the status to the sheet again. Then the callback storm (every callback
 * again, in order, reversed, in bursts) and a second run of the sheet, which must send only the rows not paid.
 * Judged by the sandbox's ledger. Queue mode runs the same examples at scale (e2e/queueScenario.ts).
 */
import { CallbackRelay, forward } from '../lib/callbackRelay';
import { createDataTable, insertRows, readRows } from '../lib/dataTables';
import { importCredentials } from '../lib/n8n';
import { sleep, waitFor } from '../lib/processes';
import { configureSandbox, readLedger } from '../lib/sandbox';
import { createDatabase, dropDatabase, sql } from '../lib/services';
import {
	callbackStorm,
	checkLedgerForSheet,
	checkRecordedOnce,
	checkSheetAgainstLedger,
	finalStatusesNeverAcknowledged,
	finalStatusesOf,
	Notification,
	referencesSent,
} from '../lib/sheetChecks';
import {
	chunkWebhookPath,
	CREATE_OUTCOMES_TABLE,
	OUTCOMES_TABLE,
	postgresCallbackWebhookId,
	postgresCredential,
	prepareChunkWorkflow,
	preparePostgresCallbackWorkflow,
	prepareSheetWorkflow,
	SHEET_COLUMNS,
	SHEET_TABLE,
	sheetRows,
} from '../lib/sheetWorkflows';
import type { PartContext, ScenarioPart } from './index';

/** Two chunks of the example's 100 rows, small enough for one n8n on SQLite on a busy machine. */
const ROWS = 120;
const SHEET_ID = 'ptE2ePartSheet01';
const CHUNK_ID = 'ptE2ePartChunk01';
const CALLBACKS_ID = 'ptE2ePartPgCalls';

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
	const deadline = Date.now() + timeoutMs;
	let last = '';
	let lastChange = Date.now();
	while (Date.now() < deadline) {
		const executions = await ctx.rest!.executions(state!.callbacksId);
		const running = executions.some((e) => ['running', 'new', 'waiting'].includes(e.status));
		const now = `${executions.length}/${state!.relay.sink.length}`;
		if (now !== last || running) lastChange = Date.now();
		last = now;
		if (!running && Date.now() - lastChange >= quietMs) return;
		await sleep(500);
	}
}

async function recordedRows(ctx: PartContext): Promise<string[][]> {
	return await sql(
		state!.db,
		`select invoice_id, status, outcome from ${OUTCOMES_TABLE}`,
		ctx.partDir,
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
	const table = await createDataTable(rest, SHEET_TABLE, SHEET_COLUMNS);
	const sheet = sheetRows('e2e-sheet', ROWS);
	await insertRows(rest, table, sheet.rows);
	// The two examples that name the table: created once it exists, as a user imports them and picks it.
	const sheetId = await rest.createWorkflow(
		prepareSheetWorkflow(ctx.root, {
			id: SHEET_ID,
			chunkUrl: relay.balancerUrl(state.chunkPath),
			tableId: table.id,
			callbackUrl: relay.callbackUrl,
		}),
		false,
	);
	state.callbacksId = await rest.createWorkflow(
		preparePostgresCallbackWorkflow(ctx.root, {
			id: CALLBACKS_ID,
			notifyUrl: relay.sinkUrl,
			tableId: table.id,
		}),
		true,
	);
	const probe = await waitFor(
		"the Postgres callback workflow's production webhook",
		async () => {
			const r = await forward(state!.triggerUrl, '{}', '');
			return r.status === 404 ? undefined : r;
		},
		{ timeoutMs: 60_000, intervalMs: 500 },
	);
	report.check(
		`${label}: the "${SHEET_TABLE}" Data Table created and filled (${ROWS} rows), the sheet and Postgres callback examples imported on it, the callback workflow active (an unsigned probe is refused, not 404)`,
		probe.status === 401,
		`probe answered ${probe.status} ${probe.text}`,
	);

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
	await waitFor(
		'the sandbox to deliver every callback',
		async () => {
			const l = await readLedger(ctx.sandbox.baseUrl);
			return l.summary.callbacks.pending === 0 && l.summary.pendingProcessing === 0
				? true
				: undefined;
		},
		{ timeoutMs: 120_000, intervalMs: 1_000 },
	);
	await settle(ctx);
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

	const storm = await callbackStorm([...relay.relayed], [state.triggerUrl]);
	report.check(
		`${label}: the callback storm (${storm.sent} repeats: in order, reversed, in bursts) is answered 200`,
		storm.notOk.length === 0,
		storm.notOk.slice(0, 5).join('; '),
	);
	await settle(ctx);
	ledger = await readLedger(ctx.sandbox.baseUrl);
	checkRecordedOnce(
		report,
		label,
		await recordedRows(ctx),
		relay.sink as unknown as Notification[],
		finalStatusesOf(ledger, sheet.references),
	);

	const again = await runSheet('second run');
	const resent = referencesSent(again);
	const unpaidBefore = [...sheet.invalid].sort();
	report.check(
		`${label}: second run sends only the rows not paid or failed (the ${sheet.invalid.size} invalid ones)`,
		JSON.stringify([...resent].sort()) === JSON.stringify(unpaidBefore),
		`sent ${resent.size}: ${[...resent].slice(0, 5).join(', ')}`,
	);
	const after = await readLedger(ctx.sandbox.baseUrl);
	checkLedgerForSheet(report, `${label}: second run`, after, sheet);
	checkSheetAgainstLedger(
		report,
		`${label}: second run`,
		await readRows(rest, table),
		after,
		sheet,
		true,
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
