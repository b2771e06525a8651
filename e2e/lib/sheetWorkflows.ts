/**
 * The importable workflows for large sheets (docs/large-sheets.md), made ready for a throw-away n8n the way
 * `workflows.ts` prepares the other examples: fixed ids, the suite's credentials, URLs. Nothing else of the
 * examples is changed, so what the suite runs is what a user imports.
 *
 *   examples/pay-sheet-in-chunks.workflow.json   the parent: unpaid rows of the "payouts" Data Table → chunks →
 *                                                 "Pay a chunk" over HTTP, 16 chunks in flight → outcome per row
 *                                                 written back to the table
 *   examples/pay-a-chunk.workflow.json            the chunk: Webhook → one item per row → the bulk example's node
 *   examples/payout-callbacks-postgres.workflow.json   final statuses recorded once in PostgreSQL, written to the
 *                                                 table, notified at least once (retried until a 2xx)
 */
import path from 'node:path';

import { PG_HOST, PG_PORT, PG_USER } from './services';
import {
	baseline,
	loadWorkflow,
	NODE_TYPE,
	TRIGGER_TYPE,
	WorkflowJson,
	WorkflowNode,
} from './workflows';

export const SHEET_EXAMPLE = 'pay-sheet-in-chunks.workflow.json';
export const CHUNK_EXAMPLE = 'pay-a-chunk.workflow.json';
export const POSTGRES_CALLBACK_EXAMPLE = 'payout-callbacks-postgres.workflow.json';
/** The name of the Data Table the sheet example reads and writes (its Data table nodes hold the table's id). */
export const SHEET_TABLE = 'payouts';
/** The table the Postgres callback example records into (its sticky note's CREATE TABLE). */
export const OUTCOMES_TABLE = 'paymentstrust_outcomes';
export const POSTGRES_CREDENTIAL_ID = 'ptE2ePostgres001';
const POSTGRES_CREDENTIAL_NAME = 'Postgres (e2e)';

export const CREATE_OUTCOMES_TABLE = `CREATE TABLE ${OUTCOMES_TABLE} (
  invoice_id text NOT NULL,
  status text NOT NULL,
  reference_id text,
  outcome text NOT NULL,
  amount numeric,
  processed_amount numeric,
  currency text,
  test_mode boolean,
  updated_at timestamptz,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  notified_at timestamptz,
  notify_after timestamptz,
  notify_attempts integer NOT NULL DEFAULT 0,
  notify_error text,
  PRIMARY KEY (invoice_id, status)
);
CREATE INDEX ${OUTCOMES_TABLE}_unsent ON ${OUTCOMES_TABLE} (recorded_at)
  WHERE notified_at IS NULL;`;

/**
 * The columns of the "payouts" Data Table, as the sheet example's sticky note tells a user to create them: those of
 * `examples/payouts.csv`, all text, then the eight the workflows write.
 */
export const SHEET_COLUMNS: Array<{ name: string; type: 'string' | 'number' }> = [
	{ name: 'reference_id', type: 'string' },
	{ name: 'service', type: 'string' },
	{ name: 'currency', type: 'string' },
	{ name: 'amount', type: 'string' },
	{ name: 'account', type: 'string' },
	{ name: 'card_number', type: 'string' },
	{ name: 'test_details_payout_status', type: 'string' },
	{ name: 'test_details_payout_resolution', type: 'string' },
	{ name: 'note', type: 'string' },
	{ name: 'invoice_id', type: 'string' },
	{ name: 'status', type: 'string' },
	{ name: 'outcome', type: 'string' },
	{ name: 'error', type: 'string' },
	// Each row's attempts with Retry Failed Rows (docs/retries.md): the attempt that paid or failed last, its
	// reference ID ("inv-42~2"), how many the row has, and why it is (not) retried.
	{ name: 'attempt', type: 'string' },
	{ name: 'attempt_reference_id', type: 'string' },
	{ name: 'attempts', type: 'string' },
	{ name: 'retry_note', type: 'string' },
];

export function loadExample(root: string, file: string): WorkflowJson {
	return loadWorkflow(path.join(root, 'examples', file));
}

function nodeOfType(workflow: WorkflowJson, type: string, file: string): WorkflowNode {
	const node = workflow.nodes.find((n) => n.type === type);
	if (!node) throw new Error(`${file} has no ${type} node`);
	return node;
}

/** The Postgres credential n8n imports: the machine's PostgreSQL (trust auth), one database. */
export function postgresCredential(database: string): object {
	return {
		id: POSTGRES_CREDENTIAL_ID,
		name: POSTGRES_CREDENTIAL_NAME,
		type: 'postgres',
		data: {
			host: PG_HOST,
			port: PG_PORT,
			database,
			user: PG_USER,
			password: '',
			ssl: 'disable',
			allowUnauthorizedCerts: false,
			sshTunnel: false,
		},
	};
}

/**
 * "Pay a chunk" under the workflow id `id`. Optional: another webhook path and webhookId (a second copy on the
 * same n8n), and a Callback URL for its payouts.
 */
export function prepareChunkWorkflow(
	root: string,
	opts: { id: string; path?: string; webhookId?: string; callbackUrl?: string },
): WorkflowJson {
	const workflow = baseline(loadExample(root, CHUNK_EXAMPLE), opts.id).workflow;
	const webhook = nodeOfType(workflow, 'n8n-nodes-base.webhook', CHUNK_EXAMPLE);
	if (opts.path) webhook.parameters.path = opts.path;
	if (opts.webhookId) webhook.webhookId = opts.webhookId;
	if (opts.callbackUrl) {
		const pay = nodeOfType(workflow, NODE_TYPE, CHUNK_EXAMPLE);
		const additional = (pay.parameters.additionalFields ?? {}) as Record<string, unknown>;
		pay.parameters.additionalFields = { ...additional, callbackUrl: opts.callbackUrl };
	}
	return workflow;
}

/** The webhook path of "Pay a chunk" (its production URL is `<n8n>/webhook/<path>`). */
export function chunkWebhookPath(workflow: WorkflowJson): string {
	return String(
		nodeOfType(workflow, 'n8n-nodes-base.webhook', CHUNK_EXAMPLE).parameters.path ?? '',
	);
}

/** Points every Data table node of `workflow` at the table `tableId` (as picking it From list does). */
function useTable(workflow: WorkflowJson, tableId: string, file: string): void {
	const nodes = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.dataTable');
	if (nodes.length === 0) throw new Error(`${file} has no Data table node`);
	for (const node of nodes)
		node.parameters.dataTableId = {
			...(node.parameters.dataTableId as Record<string, unknown>),
			mode: 'list',
			value: tableId,
		};
}

/**
 * "Pay a sheet in chunks" under the workflow id `id`, on the table `tableId`, its chunks POSTed to `chunkUrl`. With
 * `callbackUrl`, its "Validate the sheet" says the Callback URL its chunk workflow's "Pay each row" was given, as
 * docs/large-sheets.md tells a user to (else every row's digest differs and the chunks pay nothing).
 */
export function prepareSheetWorkflow(
	root: string,
	opts: { id: string; chunkUrl: string; tableId: string; callbackUrl?: string },
): WorkflowJson {
	const workflow = baseline(loadExample(root, SHEET_EXAMPLE), opts.id).workflow;
	useTable(workflow, opts.tableId, SHEET_EXAMPLE);
	if (opts.callbackUrl) {
		const validate = nodeOfType(workflow, NODE_TYPE, SHEET_EXAMPLE);
		const additional = (validate.parameters.additionalFields ?? {}) as Record<string, unknown>;
		validate.parameters.additionalFields = { ...additional, callbackUrl: opts.callbackUrl };
	}
	const post = workflow.nodes.find(
		(n) =>
			n.type === 'n8n-nodes-base.httpRequest' && String(n.parameters.url).includes('/webhook/'),
	);
	if (!post) throw new Error(`${SHEET_EXAMPLE} has no HTTP Request node calling a webhook`);
	post.parameters.url = opts.chunkUrl;
	return workflow;
}

/**
 * The Postgres callback example under the workflow id `id` as a user following docs/callbacks.md makes it: our
 * credentials (PaymentsTrust on the trigger, Postgres on every Postgres node), the sheet `tableId` picked, and
 * `notifyUrl` as Send notification's URL. Without `tableId` and `notifyUrl`, both stay as shipped (empty), and the
 * trigger gets `webhookId` so the copy does not take the example's path.
 */
export function preparePostgresCallbackWorkflow(
	root: string,
	opts: { id: string; notifyUrl?: string; tableId?: string; webhookId?: string },
): WorkflowJson {
	const workflow = baseline(loadExample(root, POSTGRES_CALLBACK_EXAMPLE), opts.id).workflow;
	if (opts.tableId) useTable(workflow, opts.tableId, POSTGRES_CALLBACK_EXAMPLE);
	const postgres = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.postgres');
	if (postgres.length === 0) throw new Error(`${POSTGRES_CALLBACK_EXAMPLE} has no Postgres node`);
	for (const node of postgres)
		node.credentials = {
			postgres: { id: POSTGRES_CREDENTIAL_ID, name: POSTGRES_CREDENTIAL_NAME },
		};
	const notify = nodeOfType(workflow, 'n8n-nodes-base.httpRequest', POSTGRES_CALLBACK_EXAMPLE);
	if (opts.notifyUrl) notify.parameters.url = opts.notifyUrl;
	if (opts.webhookId)
		nodeOfType(workflow, TRIGGER_TYPE, POSTGRES_CALLBACK_EXAMPLE).webhookId = opts.webhookId;
	return workflow;
}

/** The trigger's webhookId in the Postgres callback example. */
export function postgresCallbackWebhookId(root: string): string {
	const trigger = nodeOfType(
		loadExample(root, POSTGRES_CALLBACK_EXAMPLE),
		TRIGGER_TYPE,
		POSTGRES_CALLBACK_EXAMPLE,
	);
	return String(trigger.webhookId);
}

export type SheetRow = Record<string, string | number>;

/**
 * A sheet of `rows` payouts as Data Table rows; every 25th is refused by the bank every time (`alwaysFail`), every
 * 97th has an invalid amount (rejected before anything is sent). With `failOnceEvery`, every such row (not a 25th)
 * is refused by the bank until the test fixes it (`fixRow`: what a user does before running the sheet again with
 * Retry Failed Rows, which pays the row as it is now).
 */
export function sheetRows(
	prefix: string,
	rows: number,
	opts: { failOnceEvery?: number } = {},
): {
	rows: SheetRow[];
	references: string[];
	invalid: Set<string>;
	alwaysFail: Set<string>;
	failOnce: Set<string>;
	accountOf: Map<string, string>;
} {
	const out: SheetRow[] = [];
	const references: string[] = [];
	const invalid = new Set<string>();
	const alwaysFail = new Set<string>();
	const failOnce = new Set<string>();
	const accountOf = new Map<string, string>();
	for (let i = 1; i <= rows; i++) {
		const ref = `${prefix}-${String(i).padStart(6, '0')}`;
		references.push(ref);
		const bad = i % 97 === 0;
		if (bad) invalid.add(ref);
		const fails = i % 25 === 0;
		const once = !fails && !bad && !!opts.failOnceEvery && i % opts.failOnceEvery === 0;
		if (fails && !bad) alwaysFail.add(ref);
		if (once) failOnce.add(ref);
		const account = String(200000 + i);
		accountOf.set(ref, account);
		out.push({
			reference_id: ref,
			service: 'test_usd',
			currency: 'USD',
			amount: bad ? '-5' : (10 + (i % 300) + (i % 7) / 4).toFixed(2),
			account,
			test_details_payout_status: fails || once ? 'process failed' : '',
			note: bad ? 'BAD: negative amount' : 'ok',
		});
	}
	return { rows: out, references, invalid, alwaysFail, failOnce, accountOf };
}

/** What fixes a `failOnce` row of `sheetRows` (the column that makes the bank refuse it, emptied). */
export const fixRow: SheetRow = { test_details_payout_status: '' };

/**
 * For the bench: "Pay a chunk" that answers an empty 200 when the chunk is done (no 10,000-item answers to carry
 * around) and pays with `options` (e.g. without waiting for final statuses).
 */
export function benchChunkWorkflow(
	root: string,
	opts: { id: string; path: string; webhookId: string; options: Record<string, unknown> },
): WorkflowJson {
	const workflow = prepareChunkWorkflow(root, opts);
	const webhook = nodeOfType(workflow, 'n8n-nodes-base.webhook', CHUNK_EXAMPLE);
	webhook.parameters.responseData = 'noData';
	// The bench measures paying, not the caller check (e2e/parts/strangers.ts proves that): no credential to make.
	delete webhook.parameters.authentication;
	delete webhook.credentials;
	const pay = nodeOfType(workflow, NODE_TYPE, CHUNK_EXAMPLE);
	pay.parameters.options = opts.options;
	// The bench's rows are made by the bench, not read from a Data Table: no `id` column to name them by.
	delete (pay.parameters.columnNames as Record<string, unknown>).rowNumberColumn;
	workflow.nodes = workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.set');
	delete workflow.connections[pay.name];
	return workflow;
}
