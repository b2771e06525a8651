/**
 * The large-sheet examples (docs/large-sheets.md) as files: what the real-n8n suite cannot see cheaply, or would
 * only see as a wrong ledger much later. The suite (e2e/parts/largeSheets.ts, e2e/queueScenario.ts) runs them.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { CREATE_OUTCOMES_TABLE, SHEET_COLUMNS } from '../../e2e/lib/sheetWorkflows';

const CLAIM = 'Claim unsent notifications';

interface ExampleNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: number[];
	parameters: Record<string, unknown>;
	credentials?: Record<string, unknown>;
	onError?: string;
	alwaysOutputData?: boolean;
	executeOnce?: boolean;
	webhookId?: string;
}

interface Example {
	nodes: ExampleNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
}

const load = (file: string) =>
	JSON.parse(readFileSync(join(__dirname, '../../examples', file), 'utf8')) as Example;
const sheet = load('pay-sheet-in-chunks.workflow.json');
const chunk = load('pay-a-chunk.workflow.json');
const callbacks = load('payout-callbacks-postgres.workflow.json');
const bulk = load('bulk-payouts.workflow.json');
const fileCallbacks = load('payout-callbacks.workflow.json');
/** The columns the parent writes for each row's attempts (docs/retries.md). */
const ATTEMPT_COLUMNS = ['attempt', 'attempt_reference_id', 'attempts', 'retry_note'];

const node = (workflow: Example, name: string): ExampleNode => {
	const found = workflow.nodes.find((n) => n.name === name);
	if (!found) throw new Error(`no node "${name}"`);
	return found;
};
const next = (workflow: Example, name: string, output = 0): string[] =>
	(workflow.connections[name]?.main[output] ?? []).map((c) => c.node);

/** A `={{ … }}` expression of an example, as a function of `$json` (what n8n evaluates for one item). */
function expression(source: unknown): (json: Record<string, unknown>) => unknown {
	const body = String(source)
		.replace(/^=\{\{/, '')
		.replace(/\}\}$/, '');
	const run = new Function('$json', '$execution', `return (${body});`) as (
		json: Record<string, unknown>,
		execution: { id: string },
	) => unknown;
	return (json) => run(json, { id: '1' });
}

/** A callback example's `={{ … }}` expression over the trigger's item (`$('PaymentsTrust Trigger').item.json`). */
function triggerExpression(source: unknown): (json: Record<string, unknown>) => unknown {
	const body = String(source)
		.replace(/^=\{\{/, '')
		.replace(/\}\}$/, '');
	const run = new Function('$', `return (${body});`) as (
		$: (name: string) => { item: { json: Record<string, unknown> } },
	) => unknown;
	return (json) =>
		run((name) => {
			if (name !== 'PaymentsTrust Trigger') throw new Error(`reads ${name}`);
			return { item: { json } };
		});
}

// Core node types and versions the examples use, all shipped by n8n 1.123.x and 2.x (checked in both installs).
const KNOWN_CORE_TYPES: Record<string, number[]> = {
	'n8n-nodes-base.stickyNote': [1],
	'n8n-nodes-base.manualTrigger': [1],
	'n8n-nodes-base.webhook': [2],
	'n8n-nodes-base.splitOut': [1],
	'n8n-nodes-base.set': [3.4],
	'n8n-nodes-base.code': [2],
	'n8n-nodes-base.splitInBatches': [3],
	'n8n-nodes-base.httpRequest': [4.2],
	'n8n-nodes-base.dataTable': [1],
	'n8n-nodes-base.postgres': [2.5],
	'n8n-nodes-base.if': [2.2],
	'n8n-nodes-base.scheduleTrigger': [1.2],
	'n8n-nodes-base.stopAndError': [1],
};

describe('large-sheet examples', () => {
	it.each([
		['pay-sheet-in-chunks', sheet],
		['pay-a-chunk', chunk],
		['payout-callbacks-postgres', callbacks],
	])('%s uses node types and versions of n8n 1.123.x and 2.x, with unique ids', (_name, wf) => {
		for (const n of wf.nodes) {
			if (n.type.startsWith('n8n-nodes-paymentstrust.')) continue;
			expect(KNOWN_CORE_TYPES[n.type]).toContain(n.typeVersion);
		}
		expect(new Set(wf.nodes.map((n) => n.id)).size).toBe(wf.nodes.length);
	});

	it('"Pay a chunk" pays with the bulk example\'s node, the same settings (only its source metadata, row numbers, approval and limits differ)', () => {
		const strip = (n: ExampleNode) => {
			const { id: _id, position: _p, credentials: _c, ...rest } = n;
			const parameters = JSON.parse(JSON.stringify(rest.parameters)) as Record<string, never>;
			delete (parameters.additionalFields as Record<string, unknown>).metadata;
			delete (parameters.columnNames as Record<string, unknown>).rowNumberColumn;
			// What binds a chunk to its parent's approval (test/examples/callerAuth.test.ts), and Retry Failed Rows,
			// which the chunk needs as its parent's Validate has it (pinned below): the bulk CSV example pays once.
			for (const option of [
				'approvedCode',
				'approvalScope',
				'safetyLimits',
				'retryFailedRows',
				'maxAttemptsPerRow',
			])
				delete (parameters.options as Record<string, unknown>)[option];
			return { ...rest, parameters };
		};
		const paying = (wf: Example) =>
			wf.nodes.filter((n) => n.type === 'n8n-nodes-paymentstrust.paymentsTrust');
		expect(paying(chunk)).toHaveLength(1);
		expect(strip(paying(chunk)[0])).toEqual(strip(paying(bulk)[0]));
		expect(next(chunk, 'Chunk received')).toEqual(['One item per row']);
	});

	it('the parent reads and writes back only rows that are not finally done (paid or stopped), and keeps looping when nothing matched', () => {
		// A failed row (outcome retry, or failed from a callback) is read again: the next run with Retry Failed
		// Rows pays it as its next attempt, or says it stopped.
		const notFinal = [
			{ keyName: 'outcome', condition: 'neq', keyValue: 'paid' },
			{ keyName: 'outcome', condition: 'neq', keyValue: 'stopped' },
		];
		const read = node(sheet, 'Rows not yet paid');
		expect(read.parameters).toMatchObject({
			operation: 'get',
			matchType: 'allConditions',
			returnAll: true,
		});
		expect((read.parameters.filters as { conditions: unknown[] }).conditions).toEqual(notFinal);
		const write = node(sheet, 'Write outcome to the sheet');
		expect(write.parameters).toMatchObject({ operation: 'update', matchType: 'allConditions' });
		expect((write.parameters.filters as { conditions: unknown[] }).conditions).toEqual([
			{ keyName: 'reference_id', condition: 'eq', keyValue: '={{ $json.reference_id }}' },
			...notFinal,
		]);
		expect(write.alwaysOutputData).toBe(true);
		// Loop Over Items: output 1 sends the next batch, the write goes back to it.
		expect(next(sheet, 'Chunks in flight', 1)).toEqual(['Pay each chunk']);
		expect(next(sheet, 'Write outcome to the sheet')).toEqual(['Chunks in flight']);
		expect(node(sheet, 'Chunks in flight').parameters.batchSize).toBe(16);
		expect(node(sheet, 'Pay each chunk').onError).toBe('continueRegularOutput');
	});

	it("the parent's outcome column says paid only for a paid status, stopped only when the node never retries, and never final for an error", () => {
		const assignments = (
			node(sheet, 'Outcome for the sheet').parameters.assignments as {
				assignments: Array<{ name: string; value: string }>;
			}
		).assignments;
		const field = (name: string) => expression(assignments.find((a) => a.name === name)!.value);
		const outcome = field('outcome');
		expect(outcome({ status: 'processed', id: 'cpi_1' })).toBe('paid');
		expect(outcome({ status: 'partially_processed' })).toBe('paid');
		for (const status of [
			'process_failed',
			'expired',
			'terminated',
			'canceled',
			'cancel_failed',
			'partially_canceled',
		]) {
			// Retry Failed Rows says what the next run does: another attempt, or never.
			expect(outcome({ status, willRetry: true })).toBe('retry');
			expect(outcome({ status, willRetry: false })).toBe('stopped');
			// Without the node's word (a chunk without the option): failed, read again by the next run.
			expect(outcome({ status })).toBe('failed');
		}
		expect(outcome({ stage: 'validation', error: 'Row 3: amount …' })).toBe('rejected');
		expect(outcome({ stage: 'safety_limit', error: '…' })).toBe('rejected');
		expect(outcome({ stage: 'reference_conflict', error: '…' })).toBe('stopped');
		expect(outcome({ stage: 'attempts', error: 'attempts could not be read' })).toBe('unknown');
		expect(outcome({ stage: 'outcome_unknown', error: 'no readable answer' })).toBe('unknown');
		expect(outcome({ status: 'processing', id: 'cpi_2' })).toBe('pending');
		expect(outcome({ status: 'created', error: 'timed out' })).toBe('unknown');
		// A failed chunk: HTTP Request's error item carries no row.
		expect(field('reference_id')({ error: {} })).toBe('');
		// An attempt's item is written to its row (the row's own reference), with the attempt's reference.
		const retried = {
			referenceId: 'inv-42~2',
			originalReferenceId: 'inv-42',
			attempt: 2,
			attempts: 2,
			willRetry: true,
			status: 'process_failed',
			retryNote: 'attempt 2 … the next run sends attempt 3',
		};
		expect(field('reference_id')(retried)).toBe('inv-42');
		expect(field('attempt_reference_id')(retried)).toBe('inv-42~2');
		expect(field('attempt')(retried)).toBe('2');
		expect(field('attempts')(retried)).toBe('2');
		expect(field('retry_note')(retried)).toBe(retried.retryNote);
		const first = { referenceId: 'inv-7', originalReferenceId: 'inv-7', attempt: 1, attempts: 1 };
		expect(field('reference_id')(first)).toBe('inv-7');
		expect(field('attempt_reference_id')(first)).toBe('inv-7');
		expect(field('retry_note')(first)).toBe('');
		// A row refused before anything was sent has no attempt.
		const refused = { referenceId: 'inv-9', stage: 'validation', error: '…' };
		expect(field('attempt_reference_id')(refused)).toBe('');
		expect(field('attempts')(refused)).toBe('');
	});

	it("the sheet has the attempt columns everywhere they are listed: the write, the suite's table, both sticky notes, the docs", () => {
		const written = ['invoice_id', 'status', 'outcome', 'error', ...ATTEMPT_COLUMNS];
		const write = node(sheet, 'Write outcome to the sheet').parameters.columns as {
			value: Record<string, string>;
			schema: Array<{ id: string }>;
		};
		expect(Object.keys(write.value)).toEqual(written);
		expect(write.schema.map((c) => c.id)).toEqual(written);
		for (const name of written) expect(write.value[name]).toBe(`={{ $json.${name} }}`);
		expect(SHEET_COLUMNS.map((c) => c.name).slice(-written.length)).toEqual(written);
		const docs = readFileSync(join(__dirname, '../../docs/large-sheets.md'), 'utf8');
		const readme = readFileSync(join(__dirname, '../../examples/README.md'), 'utf8');
		for (const name of ATTEMPT_COLUMNS) {
			expect(String(node(sheet, 'Sticky Note').parameters.content)).toContain(`\`${name}\``);
			expect(String(node(sheet, 'Sticky Note1').parameters.content)).toContain(`\`${name}\``);
			expect(docs).toContain(`\`${name}\``);
			expect(readme).toContain(`\`${name}\``);
		}
		// The callback example writes the attempt columns too, to the row of the attempt.
		const callbackWrite = node(callbacks, 'Write final status to the sheet').parameters.columns as {
			value: Record<string, string>;
		};
		expect(Object.keys(callbackWrite.value)).toEqual(written);
	});

	it("Retry Failed Rows is on, alike, on the parent's Validate and the chunk's Create and Process", () => {
		const validate = node(sheet, 'Validate the sheet').parameters;
		const pay = node(chunk, 'Pay each row').parameters;
		expect(validate.operation).toBe('validate');
		expect(pay.operation).toBe('createAndProcess');
		for (const options of [validate.options, pay.options] as Array<Record<string, unknown>>)
			expect(options).toMatchObject({ retryFailedRows: true, maxAttemptsPerRow: 3 });
		// The chunk answers the attempt fields, which the parent writes to the row.
		const answered = String(node(chunk, 'Outcome').parameters.includeFields)
			.split(',')
			.map((f) => f.trim());
		expect(answered).toEqual(
			expect.arrayContaining([
				'referenceId',
				'originalReferenceId',
				'attempt',
				'attempts',
				'willRetry',
				'retryNote',
				'status',
				'id',
				'error',
				'stage',
			]),
		);
	});

	describe('"Chunks of 100 rows"', () => {
		const code = String(node(sheet, 'Chunks of 100 rows').parameters.jsCode);
		type Chunk = { json: { rows: unknown[]; approval: { references: Record<string, string> } } };
		const runChunks = (
			rows: Array<Record<string, unknown>>,
			validated: Array<Record<string, unknown>>,
			summary: Record<string, unknown>,
		) => {
			const items = validated.map((json, i) => ({ json: i === 0 ? { ...json, summary } : json }));
			const $ = (name: string) =>
				name === 'Rows not yet paid'
					? { all: () => rows.map((json) => ({ json })) }
					: { all: () => items, first: () => items[0] };
			return new Function('$', code)($) as Chunk[];
		};
		const rows = Array.from({ length: 150 }, (_, i) => ({ reference_id: `r-${i}`, id: i + 1 }));

		it('hands each chunk the digests of its rows\' attempts (the approval names "r-3~2", not "r-3")', () => {
			const attemptOf = (i: number) => (i % 3 === 0 ? `r-${i}~2` : `r-${i}`);
			const validated = rows.map((row, i) => ({
				referenceId: attemptOf(i),
				originalReferenceId: row.reference_id,
			}));
			const approval = {
				code: 'PTA1-AAAA-AAAA-AAAA-AAAA',
				rows: 150,
				references: Object.fromEntries(rows.map((_, i) => [attemptOf(i), `D${i}`])),
			};
			const chunks = runChunks(rows, validated, {
				approval,
				samePayee: { allowed: false, groups: [] },
			});
			expect(chunks).toHaveLength(2);
			expect(chunks[0].json.approval.references).toEqual(
				Object.fromEntries(rows.slice(0, 100).map((_, i) => [attemptOf(i), `D${i}`])),
			);
			expect(chunks[1].json.approval.references['r-102~2']).toBe('D102');
			expect(chunks[1].json.approval.references['r-102']).toBeUndefined();
		});

		it('sends no chunk when one payee is in two rows of the sheet (a chunk sees only its own rows)', () => {
			const validated = rows.map((row) => ({ referenceId: row.reference_id }));
			const approval = {
				code: 'PTA1-AAAA-AAAA-AAAA-AAAA',
				rows: 150,
				references: Object.fromEntries(rows.map((row) => [row.reference_id, 'D'])),
			};
			const samePayee = {
				allowed: false,
				groups: [
					{
						service: 'test_usd',
						recipient: { account: '700001' },
						rows: [
							{ row: 5, referenceId: 'r-4', amount: '10.00', currency: 'USD' },
							{ row: 140, referenceId: 'r-139', amount: '10.00', currency: 'USD' },
						],
					},
				],
			};
			expect(() => runChunks(rows, validated, { approval, samePayee })).toThrow(
				/One payee is in more than one row of the sheet: row 5 \(reference ID "r-4"\) and row 140 \(reference ID "r-139"\) pay test_usd account 700001\. No chunk was sent/,
			);
			// Allowed on purpose ("Allow Same Payee in Several Rows" on both sides): the chunks go.
			expect(
				runChunks(rows, validated, { approval, samePayee: { ...samePayee, allowed: true } }),
			).toHaveLength(2);
		});
	});

	it.each([
		['payout-callbacks-postgres', 'Write final status to the sheet'],
		['payout-callbacks', 'Paid row'],
		['payout-callbacks', 'Failed row'],
	])(
		"%s (%s) finds the sheet's row of an attempt's callback: the metadata's original_reference_id, else its reference",
		(file, name) => {
			const wf = file === 'payout-callbacks' ? fileCallbacks : callbacks;
			const target = node(wf, name).parameters;
			const source =
				name === 'Write final status to the sheet'
					? (target.filters as { conditions: Array<{ keyName: string; keyValue: string }> })
							.conditions[0]
					: {
							keyName: 'reference_id',
							keyValue: (
								target.assignments as { assignments: Array<{ name: string; value: string }> }
							).assignments.find((a) => a.name === 'sheetReferenceId')!.value,
						};
			expect(source.keyName).toBe('reference_id');
			const row = triggerExpression(source.keyValue);
			const attempt2 = {
				id: 'cpi_2',
				referenceId: 'inv-42~2',
				status: 'processed',
				metadata: { source: 'pay-a-chunk', original_reference_id: 'inv-42', attempt: 2 },
			};
			expect(row(attempt2)).toBe('inv-42');
			expect(row({ id: 'cpi_1', referenceId: 'inv-42', metadata: { source: 'pay-a-chunk' } })).toBe(
				'inv-42',
			);
			expect(row({ id: 'cpi_3', referenceId: 'inv-7', metadata: null })).toBe('inv-7');
			expect(row({ id: 'cpi_4', referenceId: 'inv-8' })).toBe('inv-8');
		},
	);

	it("the Postgres example's sheet write leaves finally done rows alone and writes the attempt it heard of", () => {
		const write = node(callbacks, 'Write final status to the sheet');
		expect((write.parameters.filters as { conditions: unknown[] }).conditions.slice(1)).toEqual([
			{ keyName: 'outcome', condition: 'neq', keyValue: 'paid' },
			{ keyName: 'outcome', condition: 'neq', keyValue: 'stopped' },
		]);
		const value = (write.parameters.columns as { value: Record<string, string> }).value;
		const attempt2 = {
			id: 'cpi_2',
			referenceId: 'inv-42~2',
			status: 'process_failed',
			resolution: 'declined_error',
			metadata: { original_reference_id: 'inv-42', attempt: 2 },
		};
		const attempt1 = { id: 'cpi_1', referenceId: 'inv-42', status: 'processed', metadata: {} };
		expect(triggerExpression(value.attempt_reference_id)(attempt2)).toBe('inv-42~2');
		expect(triggerExpression(value.attempt)(attempt2)).toBe('2');
		expect(triggerExpression(value.attempts)(attempt2)).toBe('2');
		expect(triggerExpression(value.attempt)(attempt1)).toBe('1');
		expect(triggerExpression(value.outcome)(attempt2)).toBe('failed');
		expect(triggerExpression(value.outcome)(attempt1)).toBe('paid');
		expect(triggerExpression(value.retry_note)(attempt1)).toBe('');
		expect(String(triggerExpression(value.retry_note)(attempt2))).toContain('inv-42~2');
	});

	it('the Postgres example records (invoice, status) once, then the sheet, then claims unsent notifications', () => {
		const trigger = node(callbacks, 'PaymentsTrust Trigger');
		expect(trigger.parameters.triggerOn).toBe('finalStatuses');
		expect(trigger.webhookId).toMatch(/^[0-9a-f-]{36}$/);
		const record = node(callbacks, 'Record outcome once');
		const query = String(record.parameters.query);
		expect(query).toMatch(/ON CONFLICT \(invoice_id, status\) DO NOTHING/);
		const placeholders = query.match(/\$\d+/g) ?? [];
		// n8n skips an undefined query parameter, which would shift every later one: each must fall back to null.
		const replacement = String(
			(record.parameters.options as Record<string, unknown>).queryReplacement,
		);
		const values = expression(replacement)({ id: 'cpi_1', status: 'process_failed' }) as unknown[];
		expect(values).toHaveLength(placeholders.length);
		expect(values.slice(0, 4)).toEqual(['cpi_1', 'process_failed', null, 'failed']);
		expect(values.every((v) => v !== undefined)).toBe(true);
		// One chain: the record first (what must not be lost), the sheet, then the notifications. A failing sheet
		// write stops the execution after the record; the schedule sends that notification.
		expect(next(callbacks, 'PaymentsTrust Trigger')).toEqual(['Record outcome once']);
		expect(next(callbacks, 'Record outcome once')).toEqual(['Write final status to the sheet']);
		expect(next(callbacks, 'Write final status to the sheet')).toEqual([CLAIM]);
		// The sheet write outputs the rows it changed: none for a payout that is not on the sheet.
		expect(node(callbacks, 'Write final status to the sheet').alwaysOutputData).toBe(true);
		expect(next(callbacks, 'Every minute')).toEqual([CLAIM]);
		expect(node(callbacks, 'Every minute').parameters).toEqual({
			rule: { interval: [{ field: 'minutes', minutesInterval: 1 }] },
		});
	});

	it('claims an unsent notification in one UPDATE that two executions cannot both win, with its idempotency key', () => {
		const claim = node(callbacks, CLAIM);
		expect(claim.executeOnce).toBe(true);
		const sql = String(claim.parameters.query).replace(/\s+/g, ' ');
		expect(sql).toContain(
			'WHERE notified_at IS NULL AND (notify_after IS NULL OR notify_after <= now())',
		);
		expect(sql).toContain('FOR UPDATE SKIP LOCKED');
		expect(sql).toMatch(/LIMIT 50\b/);
		expect(sql).toContain("SET notify_after = now() + interval '10 minutes'");
		expect(sql).toContain("'paymentstrust:' || o.invoice_id || ':' || o.status AS idempotency_key");
		expect(next(callbacks, CLAIM)).toEqual(['Anything to send?']);
		expect(next(callbacks, 'Anything to send?', 0)).toEqual(['Send notification']);
		expect(next(callbacks, 'Anything to send?', 1)).toEqual([]);
	});

	it('marks a notification sent only after a 2xx, keeps a failed one unsent and ends the execution in error', () => {
		const send = node(callbacks, 'Send notification');
		// Shipped empty: n8n 2.x refuses to publish, n8n 1.x fails every send (kept for retry) until it is set.
		expect(send.parameters.url).toBe('');
		expect(send.onError).toBe('continueErrorOutput');
		expect(send.parameters.headerParameters).toEqual({
			parameters: [{ name: 'Idempotency-Key', value: '={{ $json.idempotency_key }}' }],
		});
		const body = JSON.parse(
			expression(send.parameters.jsonBody)({
				invoice_id: 'cpi_1',
				status: 'processed',
				idempotency_key: 'paymentstrust:cpi_1:processed',
				notify_attempts: 2,
			}) as string,
		) as Record<string, unknown>;
		expect(body).toMatchObject({ idempotencyKey: 'paymentstrust:cpi_1:processed', attempt: 2 });
		expect(next(callbacks, 'Send notification', 0)).toEqual(['Mark notified']);
		expect(next(callbacks, 'Send notification', 1)).toEqual(['Keep for retry']);
		expect(next(callbacks, 'Keep for retry')).toEqual(['Notification failed']);
		expect(node(callbacks, 'Notification failed').type).toBe('n8n-nodes-base.stopAndError');
		// n8n's v1 order runs the branch placed higher first: every success is marked before the error stops it.
		expect(node(callbacks, 'Mark notified').position[1]).toBeLessThan(
			node(callbacks, 'Keep for retry').position[1],
		);
		const mark = String(node(callbacks, 'Mark notified').parameters.query);
		expect(mark).toContain('SET notified_at = now()');
		const keep = String(node(callbacks, 'Keep for retry').parameters.query).replace(/\s+/g, ' ');
		expect(keep).toContain("SET notify_after = now() + interval '1 minute', notify_error = $3");
		expect(keep).toContain('AND notified_at IS NULL');
	});

	it('has the four Postgres nodes docs/callbacks.md names for the credential', () => {
		expect(
			callbacks.nodes.filter((n) => n.type === 'n8n-nodes-base.postgres').map((n) => n.name),
		).toEqual(['Record outcome once', CLAIM, 'Mark notified', 'Keep for retry']);
	});

	it.each([
		['pay-sheet-in-chunks', sheet],
		['payout-callbacks-postgres', callbacks],
	])(
		'%s ships its Data table nodes with no table picked (no placeholder id, no cached name)',
		(_n, wf) => {
			const tables = wf.nodes.filter((n) => n.type === 'n8n-nodes-base.dataTable');
			expect(tables.length).toBeGreaterThan(0);
			for (const t of tables)
				expect(t.parameters.dataTableId).toEqual({ __rl: true, mode: 'list', value: '' });
		},
	);

	it("the Postgres example's sticky note creates the table the suite creates", () => {
		const note = String(node(callbacks, 'Sticky Note').parameters.content);
		expect(note).toContain(CREATE_OUTCOMES_TABLE);
	});
});
