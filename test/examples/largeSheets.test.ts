/**
 * The large-sheet examples (docs/large-sheets.md) as files: what the real-n8n suite cannot see cheaply, or would
 * only see as a wrong ledger much later. The suite (e2e/parts/largeSheets.ts, e2e/queueScenario.ts) runs them.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { CREATE_OUTCOMES_TABLE } from '../../e2e/lib/sheetWorkflows';

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
	return new Function('$json', `return (${body});`) as (json: Record<string, unknown>) => unknown;
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
			// What binds a chunk to its parent's approval (test/examples/callerAuth.test.ts).
			for (const option of ['approvedCode', 'approvalScope', 'safetyLimits'])
				delete (parameters.options as Record<string, unknown>)[option];
			return { ...rest, parameters };
		};
		const paying = (wf: Example) =>
			wf.nodes.filter((n) => n.type === 'n8n-nodes-paymentstrust.paymentsTrust');
		expect(paying(chunk)).toHaveLength(1);
		expect(strip(paying(chunk)[0])).toEqual(strip(paying(bulk)[0]));
		expect(next(chunk, 'Chunk received')).toEqual(['One item per row']);
	});

	it('the parent reads and writes back only rows that are not final, and keeps looping when nothing matched', () => {
		const notFinal = [
			{ keyName: 'outcome', condition: 'neq', keyValue: 'paid' },
			{ keyName: 'outcome', condition: 'neq', keyValue: 'failed' },
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

	it("the parent's outcome column says paid only for a paid status, and never final for an error", () => {
		const assignments = (
			node(sheet, 'Outcome for the sheet').parameters.assignments as {
				assignments: Array<{ name: string; value: string }>;
			}
		).assignments;
		const outcome = expression(assignments.find((a) => a.name === 'outcome')!.value);
		expect(outcome({ status: 'processed', id: 'cpi_1' })).toBe('paid');
		expect(outcome({ status: 'partially_processed' })).toBe('paid');
		for (const status of [
			'process_failed',
			'expired',
			'terminated',
			'canceled',
			'cancel_failed',
			'partially_canceled',
		])
			expect(outcome({ status })).toBe('failed');
		expect(outcome({ stage: 'validation', error: 'Row 3: amount …' })).toBe('rejected');
		expect(outcome({ stage: 'safety_limit', error: '…' })).toBe('rejected');
		expect(outcome({ stage: 'outcome_unknown', error: 'no readable answer' })).toBe('unknown');
		expect(outcome({ status: 'processing', id: 'cpi_2' })).toBe('pending');
		expect(outcome({ status: 'created', error: 'timed out' })).toBe('unknown');
		// A failed chunk: HTTP Request's error item carries no row.
		expect(
			expression(assignments.find((a) => a.name === 'reference_id')!.value)({ error: {} }),
		).toBe('');
	});

	it('the Postgres example records (invoice, status) once and notifies only a newly recorded row', () => {
		const trigger = node(callbacks, 'PaymentsTrust Trigger');
		expect(trigger.parameters.triggerOn).toBe('finalStatuses');
		expect(trigger.webhookId).toMatch(/^[0-9a-f-]{36}$/);
		const record = node(callbacks, 'Record outcome once');
		const query = String(record.parameters.query);
		expect(query).toMatch(/ON CONFLICT \(invoice_id, status\) DO NOTHING\s+RETURNING invoice_id/);
		const placeholders = query.match(/\$\d+/g) ?? [];
		// n8n skips an undefined query parameter, which would shift every later one: each must fall back to null.
		const replacement = String(
			(record.parameters.options as Record<string, unknown>).queryReplacement,
		);
		const values = expression(replacement)({ id: 'cpi_1', status: 'process_failed' }) as unknown[];
		expect(values).toHaveLength(placeholders.length);
		expect(values.slice(0, 4)).toEqual(['cpi_1', 'process_failed', null, 'failed']);
		expect(values.every((v) => v !== undefined)).toBe(true);
		expect(next(callbacks, 'PaymentsTrust Trigger')).toEqual([
			'Record outcome once',
			'Write final status to the sheet',
		]);
		expect(next(callbacks, 'Record outcome once')).toEqual(['Newly recorded?']);
		expect(next(callbacks, 'Newly recorded?', 0)).toEqual(['Notify once']);
		expect(next(callbacks, 'Newly recorded?', 1)).toEqual([]);
		const condition = (
			node(callbacks, 'Newly recorded?').parameters.conditions as {
				conditions: Array<{ leftValue: string; operator: { operation: string } }>;
			}
		).conditions;
		expect(condition).toEqual([
			expect.objectContaining({
				leftValue: '={{ $json.invoice_id }}',
				operator: expect.objectContaining({ operation: 'exists' }),
			}),
		]);
	});

	it("the Postgres example's sticky note creates the table the suite creates", () => {
		const note = String(node(callbacks, 'Sticky Note').parameters.content);
		expect(note).toContain(CREATE_OUTCOMES_TABLE);
	});
});
