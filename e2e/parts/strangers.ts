/**
 * Issue 29 in a real n8n (2.41.1 and 1.123.50): the examples that move money, imported as shipped and configured
 * only as their notes say, played by a stranger. Judged by the sandbox's ledger.
 *
 * "Pay a sheet in chunks" → "Pay a chunk" (a copy of each under its own workflow id and, for the chunk, its own
 * webhook path, so the part can run beside large-sheets; the parent's URL points at a loopback proxy that can hold
 * a chunk back, as a chunk lost on its way would be):
 *   - no credential, a wrong secret, the secret under another header name: refused before any node runs;
 *   - the readable paths of before: not there;
 *   - the secret without an approval: nothing paid;
 *   - a chunk the parent sent (approved, not yet paid: held back by the proxy) replayed with one amount changed,
 *     one payee changed, a row added: nothing paid;
 *   - the parent run again: every row paid exactly once; the held chunk replayed unchanged: nothing paid twice.
 * "Bulk payouts with approval" (a copy with its own path):
 *   - no credential, a wrong secret: refused, no execution, the approver is not asked;
 *   - the form URL without the approver's password, with a wrong one, guessed or unsigned: refused, still waiting;
 *   - the approver with the password: paid exactly once.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import {
	ApproverInbox,
	executionState,
	postStart,
	sendApproverTo,
	startRun,
	startUrl,
	submitForm,
	waitUntilDone,
} from '../lib/approvalFlow';
import {
	AGENT_CALLER,
	APPROVAL_CALLER,
	basicAuthOf,
	CHUNK_CALLER,
	headerOf,
} from '../lib/callerAuth';
import { createDataTable, insertRows, readRows } from '../lib/dataTables';
import { freePort, waitFor } from '../lib/processes';
import { runSteps } from '../lib/report';
import { readLedger, type LedgerLike } from '../lib/sandbox';
import { checkSheetAgainstLedger } from '../lib/sheetChecks';
import {
	prepareChunkWorkflow,
	prepareSheetWorkflow,
	SHEET_COLUMNS,
	sheetRows,
} from '../lib/sheetWorkflows';
import { loadWorkflow, preparePartWorkflow, type WorkflowJson } from '../lib/workflows';
import type { PartContext, ScenarioPart } from './index';

const CHUNK_ID = 'ptE2eStrangerChk';
const SHEET_ID = 'ptE2eStrangerSht';
const APPROVAL_ID = 'ptE2eStrangerApr';
const CHUNK_PATH = 'e2e05f1c-29a0-4c1d-8e2f-000000000001';
const APPROVAL_PATH = 'e2e05f1c-29a0-4c1d-8e2f-000000000002';
const CSV_NAME = 'strangers-approval.csv';
const PREFIX = 'e2e-stranger';

interface HeldChunk {
	body: string;
	headers: Record<string, string>;
}

/**
 * The parent's way to "Pay a chunk": forwards each POST with its caller header to the chunk's production URL, or,
 * when `holdNext` is set, keeps the request (body and headers) and answers 503, as a chunk lost on its way.
 */
class ChunkProxy {
	holdNext = false;
	readonly held: HeldChunk[] = [];
	private constructor(
		private readonly server: http.Server,
		readonly url: string,
	) {}

	static async start(target: string): Promise<ChunkProxy> {
		const port = await freePort();
		let proxy: ChunkProxy | undefined;
		const header = CHUNK_CALLER.data.name.toLowerCase();
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const body = Buffer.concat(chunks).toString('utf8');
				const headers: Record<string, string> = {};
				if (typeof req.headers[header] === 'string') headers[header] = req.headers[header];
				if (proxy!.holdNext) {
					proxy!.holdNext = false;
					proxy!.held.push({ body, headers });
					res.writeHead(503);
					res.end('{"held":true}');
					return;
				}
				void postChunk(target, body, headers).then(({ status, text }) => {
					res.writeHead(status || 502, { 'content-type': 'application/json' });
					res.end(text);
				});
			});
		});
		await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
		proxy = new ChunkProxy(server, `http://127.0.0.1:${port}/chunk`);
		return proxy;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

async function postChunk(
	url: string,
	body: string,
	headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
	try {
		const res = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body,
			signal: AbortSignal.timeout(300_000),
		});
		return { status: res.status, text: await res.text() };
	} catch (error) {
		return { status: 0, text: (error as Error).message };
	}
}

let state:
	| {
			proxy: ChunkProxy;
			inbox: ApproverInbox;
			chunkUrl: string;
			approval: WorkflowJson;
	  }
	| undefined;

function creates(ledger: LedgerLike, references: string[]) {
	const wanted = new Set(references);
	return ledger.calls.filter(
		(call) => call.operation === 'create' && wanted.has(String(call.referenceId ?? '')),
	);
}

function invoices(ledger: LedgerLike, references: string[]) {
	const wanted = new Set(references);
	return ledger.invoices.filter((invoice) => wanted.has(invoice.referenceId));
}

async function chunkStrangers(ctx: PartContext): Promise<void> {
	const { report, rest, sandbox } = ctx;
	const { proxy, chunkUrl } = state!;
	const label = 'strangers: pay a chunk';
	const executionsOfChunk = async () => (await rest!.executions(CHUNK_ID)).length;

	// A stranger's own rows: two payouts to themselves.
	const theirs = [1, 2].map((n) => ({
		reference_id: `${PREFIX}-theirs-${n}`,
		service: 'test_usd',
		currency: 'USD',
		amount: '20',
		account: `99990${n}`,
	}));
	const theirReferences = theirs.map((row) => row.reference_id);
	const body = JSON.stringify({ chunk: 1, firstRow: 1, rows: theirs });
	// A freshly activated webhook answers 404 for a moment.
	await waitFor(
		"the chunk workflow's production webhook",
		async () => ((await postChunk(chunkUrl, '{}', {})).status === 404 ? undefined : true),
		{ timeoutMs: 60_000, intervalMs: 500 },
	);
	const before = await executionsOfChunk();
	const wrongValue = { [CHUNK_CALLER.data.name]: 'guessed-secret' };
	const otherName = { 'X-Api-Key': CHUNK_CALLER.data.value };
	const attempts = [
		['no credential', await postChunk(chunkUrl, body, {})],
		['a wrong secret', await postChunk(chunkUrl, body, wrongValue)],
		['the secret under another header', await postChunk(chunkUrl, body, otherName)],
	] as const;
	const guessed = [];
	for (const readable of ['pay-a-chunk', 'paymentstrust-payout-approval', 'ai-payouts'])
		guessed.push(
			await postChunk(`${ctx.inst.baseUrl}/webhook/${readable}`, body, {
				...headerOf(CHUNK_CALLER),
				...headerOf(APPROVAL_CALLER),
				...headerOf(AGENT_CALLER),
			}),
		);
	let ledger = await readLedger(sandbox.baseUrl);
	for (const [what, answer] of attempts)
		report.check(
			`${label}: ${what}: refused (${answer.status}) before any node runs`,
			answer.status === 401 || answer.status === 403,
			answer.text.slice(0, 200),
		);
	report.check(
		`${label}: the readable paths of before (pay-a-chunk, paymentstrust-payout-approval, ai-payouts) are not there (404)`,
		guessed.every((answer) => answer.status === 404),
		guessed.map((answer) => answer.status).join(', '),
	);
	report.check(
		`${label}: none of these started an execution or sent anything`,
		(await executionsOfChunk()) === before && creates(ledger, theirReferences).length === 0,
		`${(await executionsOfChunk()) - before} executions, ${creates(ledger, theirReferences).length} creates`,
	);

	// The secret leaked, but no approval: the chunk pays only rows of an approval.
	const leaked = await postChunk(chunkUrl, body, headerOf(CHUNK_CALLER));
	ledger = await readLedger(sandbox.baseUrl);
	report.check(
		`${label}: the secret without an approval pays nothing`,
		leaked.status === 200 &&
			leaked.text.includes('Approved Code') &&
			creates(ledger, theirReferences).length === 0,
		`answered ${leaked.status}: ${leaked.text.slice(0, 200)}`,
	);

	// The sheet, and the parent as its note says: the table picked, the URL pasted, the credential picked.
	const table = await createDataTable(rest!, 'payouts_strangers', SHEET_COLUMNS);
	const sheet = sheetRows(`${PREFIX}-sheet`, 6);
	await insertRows(rest!, table, sheet.rows);
	const sheetId = await rest!.createWorkflow(
		prepareSheetWorkflow(ctx.root, { id: SHEET_ID, chunkUrl: proxy.url, tableId: table.id }),
		false,
	);
	const references = sheet.references;
	proxy.holdNext = true;
	const held = await rest!.runManually(sheetId, 'Start', ctx.install, 300_000);
	ledger = await readLedger(sandbox.baseUrl);
	const captured = proxy.held[0];
	const approvedBody = captured
		? (JSON.parse(captured.body) as {
				rows: Array<Record<string, unknown>>;
				approval: { references: Record<string, string> };
			})
		: undefined;
	report.check(
		`${label}: the parent validates the sheet and sends the chunk with its approval (${references.length} references) and the secret`,
		held.status === 'success' &&
			approvedBody !== undefined &&
			references.every((ref) => typeof approvedBody.approval.references[ref] === 'string') &&
			captured.headers[CHUNK_CALLER.data.name.toLowerCase()] === CHUNK_CALLER.data.value &&
			creates(ledger, references).length === 0,
		`parent ${held.status} ${held.error ?? ''}; held ${proxy.held.length}`,
	);
	if (!approvedBody) return;

	// A stranger holding the secret and the approved chunk (approved, not yet paid) changes it.
	const replay = async (rows: Array<Record<string, unknown>>) =>
		await postChunk(chunkUrl, JSON.stringify({ ...approvedBody, rows }), headerOf(CHUNK_CALLER));
	const rows = approvedBody.rows;
	const added = { ...rows[0], id: 999, reference_id: `${PREFIX}-added`, account: '999999' };
	const cases = [
		['one amount changed', rows.map((row, i) => (i === 1 ? { ...row, amount: '5000' } : row))],
		['one payee changed', rows.map((row, i) => (i === 2 ? { ...row, account: '999999' } : row))],
		['a row added', [...rows, added]],
	] as const;
	for (const [what, changed] of cases) {
		const answer = await replay([...changed]);
		ledger = await readLedger(sandbox.baseUrl);
		report.check(
			`${label}: the approved chunk replayed with ${what}: nothing paid`,
			answer.status === 200 &&
				answer.text.includes('not part of the approved run') &&
				creates(ledger, [...references, `${PREFIX}-added`]).length === 0,
			`answered ${answer.status}: ${answer.text.slice(0, 200)}`,
		);
	}

	// The owner runs the parent again: every row paid exactly once.
	const again = await rest!.runManually(sheetId, 'Start', ctx.install, 300_000);
	ledger = await readLedger(sandbox.baseUrl);
	const paid = invoices(ledger, references);
	const valid = references.filter((ref) => !sheet.invalid.has(ref));
	report.check(
		`${label}: the parent run again pays every row of the sheet exactly once`,
		again.status === 'success' &&
			paid.length === valid.length &&
			paid.every((invoice) => invoice.createsCommitted === 1 && invoice.processCommitted === 1),
		`parent ${again.status}; ${paid.length} invoices of ${valid.length}`,
	);
	// The sheet says what the ledger says, row by row (as in the large-sheets part).
	checkSheetAgainstLedger(
		report,
		`${label}: the parent run again`,
		await readRows(rest!, table),
		ledger,
		sheet,
		true,
	);
	const replayed = await replay(rows);
	ledger = await readLedger(sandbox.baseUrl);
	report.check(
		`${label}: the approved chunk replayed unchanged pays nothing twice`,
		replayed.status === 200 &&
			invoices(ledger, references).every((invoice) => invoice.createsCommitted === 1) &&
			invoices(ledger, references).length === valid.length,
		`answered ${replayed.status}`,
	);
}

async function approvalStrangers(ctx: PartContext): Promise<void> {
	const { report, rest, sandbox } = ctx;
	const { inbox, approval } = state!;
	const label = 'strangers: approval';
	const url = startUrl(ctx, approval);
	const references = [1, 2, 3].map((n) => `${PREFIX}-approval-${n}`);
	writeFileSync(
		path.join(ctx.filesDir, CSV_NAME),
		[
			'reference_id,service,currency,amount,account,note',
			...references.map((ref, i) => `${ref},test_usd,USD,${i + 5}.00,${300000 + i},ok`),
		].join('\n') + '\n',
	);
	const executions = async () => (await rest!.executions(APPROVAL_ID)).length;
	await waitFor(
		"the approval workflow's production webhook",
		async () => ((await postStart(url, {})).status === 404 ? undefined : true),
		{ timeoutMs: 60_000, intervalMs: 500 },
	);
	const messages = inbox.messages.length;
	const before = await executions();
	const none = await postStart(url, {});
	const wrong = await postStart(url, { [APPROVAL_CALLER.data.name]: 'guessed-secret' });
	report.check(
		`${label}: starting a run without the run starter's secret, or with a wrong one: refused (${none.status}, ${wrong.status}), no execution, nobody asked`,
		[401, 403].includes(none.status) &&
			[401, 403].includes(wrong.status) &&
			(await executions()) === before &&
			inbox.messages.length === messages,
		`${none.text.slice(0, 100)} | ${wrong.text.slice(0, 100)}`,
	);

	const request = await startRun(ctx, url, inbox);
	const signed = new URL(request.formUrl);
	const refusals: string[] = [];
	const noAuth = await fetch(request.formUrl, { signal: AbortSignal.timeout(30_000) });
	await noAuth.text();
	refusals.push(`GET without password ${noAuth.status}`);
	const submitNoAuth = await submitForm(request.formUrl, 'Approve', { auth: {} });
	refusals.push(`POST without password ${submitNoAuth}`);
	const submitWrong = await submitForm(request.formUrl, 'Approve', {
		auth: basicAuthOf('guessed-password'),
	});
	refusals.push(`POST with a wrong password ${submitWrong}`);
	const guessedId = new URL(signed);
	guessedId.pathname = guessedId.pathname.replace(
		`/${request.executionId}`,
		`/${Number(request.executionId) + 1000}`,
	);
	const submitGuessed = await submitForm(guessedId.toString(), 'Approve');
	refusals.push(`POST to a guessed execution ${submitGuessed}`);
	let unsignedOk = true;
	if (signed.searchParams.has('signature')) {
		const unsigned = new URL(signed);
		unsigned.search = '';
		const submitUnsigned = await submitForm(unsigned.toString(), 'Approve');
		refusals.push(`POST unsigned, with the password ${submitUnsigned}`);
		unsignedOk = submitUnsigned !== 200;
	}
	const still = await executionState(ctx, request.executionId);
	const ledger = await readLedger(sandbox.baseUrl);
	report.check(
		`${label}: the form URL without the approver's password, with a wrong one, at a guessed execution${signed.searchParams.has('signature') ? ', or without its signature' : ''}: refused, the run still waits, nothing sent`,
		noAuth.status === 401 &&
			submitNoAuth === 401 &&
			[401, 403].includes(submitWrong) &&
			submitGuessed !== 200 &&
			unsignedOk &&
			still.status === 'waiting' &&
			creates(ledger, references).length === 0,
		`${refusals.join('; ')}; execution ${still.status}`,
	);

	await submitForm(request.formUrl, 'Approve');
	const done = await waitUntilDone(ctx, request.executionId);
	const after = await readLedger(sandbox.baseUrl);
	report.check(
		`${label}: the approver, with the password, approves: every row paid exactly once`,
		done.status === 'success' &&
			invoices(after, references).length === references.length &&
			invoices(after, references).every((invoice) => invoice.createsCommitted === 1),
		`execution ${done.status}; ${invoices(after, references).length} invoices`,
	);
}

export const strangersPart: ScenarioPart = {
	name: 'strangers',
	majors: [2, 1],
	async workflows(ctx) {
		const chunk = prepareChunkWorkflow(ctx.root, {
			id: CHUNK_ID,
			path: CHUNK_PATH,
			webhookId: CHUNK_PATH,
		});
		chunk.name = `${chunk.name} (strangers)`;
		const source = loadWorkflow(
			path.join(ctx.root, 'examples', 'bulk-payouts-with-approval.workflow.json'),
		);
		const { workflow: approval } = preparePartWorkflow(source, {
			id: APPROVAL_ID,
			filesDir: ctx.filesDir,
			csvName: CSV_NAME,
		});
		approval.name = `${approval.name} (strangers)`;
		const webhook = approval.nodes.find((n) => n.type === 'n8n-nodes-base.webhook')!;
		webhook.parameters.path = APPROVAL_PATH;
		webhook.webhookId = APPROVAL_PATH;
		const inbox = await ApproverInbox.start();
		sendApproverTo(approval, inbox.url);
		const chunkUrl = `${ctx.inst.baseUrl}/webhook/${CHUNK_PATH}`;
		state = { proxy: await ChunkProxy.start(chunkUrl), inbox, chunkUrl, approval };
		return { workflows: [chunk, approval], activate: [CHUNK_ID, APPROVAL_ID] };
	},
	async run(ctx) {
		try {
			await runSteps(ctx.report, 'strangers', [
				['chunk', async () => await chunkStrangers(ctx)],
				['approval', async () => await approvalStrangers(ctx)],
			]);
		} finally {
			await state?.proxy.close();
			await state?.inbox.close();
			state = undefined;
		}
	},
};
