import { readFileSync } from 'fs';
import { join } from 'path';

import axios from 'axios';

import { PaymentsTrustTrigger } from '../../nodes/PaymentsTrustTrigger/PaymentsTrustTrigger.node';
import { NoOp } from '../../harness/nodes/NoOp.node';
import type { WorkflowJson } from '../../harness/runWorkflow';
import { startWebhookServer } from '../../harness/webhookServer';
import { sign } from './fixtures';

interface ExampleNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, { id: string; name: string }>;
}

const workflow = JSON.parse(
	readFileSync(join(__dirname, '../../examples/payout-callbacks.workflow.json'), 'utf8'),
) as {
	nodes: ExampleNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
};

// Core node types and versions the example relies on, all shipped by n8n 1.x (recent) and 2.x.
const KNOWN_CORE_TYPES: Record<string, number[]> = {
	'n8n-nodes-base.stickyNote': [1],
	'n8n-nodes-base.switch': [3, 3.1, 3.2],
	'n8n-nodes-base.set': [3.3, 3.4],
	'n8n-nodes-base.convertToFile': [1, 1.1],
	'n8n-nodes-base.readWriteFile': [1],
	'n8n-nodes-base.removeDuplicates': [2],
};

describe('examples/payout-callbacks.workflow.json', () => {
	const trigger = workflow.nodes.find(
		(node) => node.type === 'n8n-nodes-paymentstrust.paymentsTrustTrigger',
	);

	it('starts with our trigger, with a fixed webhookId and the credential', () => {
		expect(trigger).toBeDefined();
		expect(trigger!.webhookId).toMatch(/^[0-9a-f-]{36}$/);
		expect(trigger!.typeVersion).toBe(new PaymentsTrustTrigger().description.version);
		expect(Object.keys(trigger!.credentials ?? {})).toEqual(['paymentsTrustApi']);
	});

	it('sets only parameters the trigger declares, with allowed values', () => {
		const properties = new PaymentsTrustTrigger().description.properties;
		for (const [name, value] of Object.entries(trigger!.parameters)) {
			const property = properties.find((p) => p.name === name);
			expect(property).toBeDefined();
			if (property?.type === 'options') {
				expect(property.options?.map((o) => (o as { value: unknown }).value)).toContain(value);
			}
		}
	});

	it('uses only real core node types and versions', () => {
		for (const node of workflow.nodes) {
			if (node === trigger) continue;
			expect(KNOWN_CORE_TYPES[node.type]).toBeDefined();
			expect(KNOWN_CORE_TYPES[node.type]).toContain(node.typeVersion);
		}
	});

	it('connects existing nodes only, trigger → remove duplicates → switch → paid/failed rows → file', () => {
		const names = new Set(workflow.nodes.map((node) => node.name));
		for (const [from, outputs] of Object.entries(workflow.connections)) {
			expect(names.has(from)).toBe(true);
			for (const targets of outputs.main)
				for (const target of targets) expect(names.has(target.node)).toBe(true);
		}
		expect(workflow.connections['PaymentsTrust Trigger'].main[0][0].node).toBe(
			'Drop repeated callbacks',
		);
		expect(workflow.connections['Drop repeated callbacks'].main[0][0].node).toBe('Paid or failed?');
		expect(workflow.connections['Paid or failed?'].main.map((o) => o[0].node)).toEqual([
			'Paid row',
			'Failed row',
		]);
	});

	it("drops repeats across executions in n8n's database, keyed on invoice id, status and update time", () => {
		// The trigger's own memory lives in the n8n process and is empty after a restart. Remove Duplicates'
		// "previous executions" mode keeps what it saw in n8n's database. (Not across several webhook
		// processes: n8n writes that history without a lock; see the next test.)
		const dedupe = workflow.nodes.find((node) => node.name === 'Drop repeated callbacks');
		expect(dedupe?.type).toBe('n8n-nodes-base.removeDuplicates');
		expect(dedupe?.parameters.operation).toBe('removeItemsSeenInPreviousExecutions');
		const key = String(dedupe?.parameters.dedupeValue);
		for (const field of ['$json.id', '$json.status', '$json.updatedAt'])
			expect(key).toContain(field);
		expect(dedupe?.parameters.options).toMatchObject({ scope: 'workflow' });
		expect(
			Number((dedupe?.parameters.options as { historySize?: number }).historySize),
		).toBeGreaterThanOrEqual(10000);
	});

	it('says it is for one n8n process and points several webhook processes to the Postgres example', () => {
		// Measured in queue mode with two webhook processes: 2-3 of 30 outcomes handled twice.
		const note = String(
			workflow.nodes.find((node) => node.type === 'n8n-nodes-base.stickyNote')?.parameters.content,
		);
		expect(note).toContain('For one n8n process receiving callbacks');
		expect(note).toContain('payout-callbacks-postgres.workflow.json');
		expect(note).not.toMatch(/reaches another n8n process/);
	});

	it('lets a callback through when n8n cannot read or write its dedup history, rather than losing it', () => {
		// The callback was already answered 200, so PaymentsTrust will not send it again: an error here would
		// lose the outcome. (n8n 2.41.1 fails the first two executions that create the history at once.) With
		// "On Error: Continue", the execution goes on, but Remove Duplicates then outputs only `{ error }` (n8n
		// replaces the json of an item that carries an error), not the callback.
		const dedupe = workflow.nodes.find(
			(node) => node.name === 'Drop repeated callbacks',
		) as ExampleNode & { onError?: string };
		expect(dedupe.onError).toBe('continueRegularOutput');
	});

	it('reads the invoice from the trigger after the dedup step, so a dedup error cannot turn a payout into "failed"', () => {
		// Reading $json there, an error item had no status: the Switch sent it to "failed" and a paid invoice's
		// outcome file said failed. Every expression after the trigger names the trigger's item instead.
		for (const node of workflow.nodes) {
			if (node === trigger || node.type === 'n8n-nodes-base.stickyNote') continue;
			const expressions = JSON.stringify(node.parameters);
			expect({ node: node.name, readsJson: /\$json\b/.test(expressions) }).toEqual({
				node: node.name,
				readsJson: node.name === 'Drop repeated callbacks' || node.name === 'Row to JSON file',
			});
		}
	});

	it('its trigger, served for real, starts only for a final status at <webhookId>/paymentstrust', async () => {
		// n8n-nodes-base is not installed: the core nodes after the trigger are stood in by No Operation.
		const standIns = Object.fromEntries(Object.keys(KNOWN_CORE_TYPES).map((type) => [type, NoOp]));
		const secretKey = 'sk_test_example';
		const server = await startWebhookServer({
			workflow: workflow as unknown as WorkflowJson,
			triggerNodeName: trigger!.name,
			credentials: {
				paymentsTrustApi: {
					baseUrl: 'http://127.0.0.1:9',
					accountId: 'a',
					apiKey: 'k',
					environment: 'test',
					testSecretKey: secretKey,
				},
			},
			nodeTypes: standIns,
		});
		try {
			expect(server.webhookUrl).toMatch(
				new RegExp(`/webhook/${trigger!.webhookId}/paymentstrust$`),
			);
			const callback = (status: string, updated: number) =>
				JSON.stringify({
					data: {
						type: 'payout-invoices',
						id: 'cpoi_example',
						attributes: { status, updated, test_mode: true },
					},
				});
			for (const body of [callback('processing', 1), callback('processed', 2)]) {
				const res = await axios.post(server.webhookUrl, body, {
					headers: { 'Content-Type': 'application/json', 'X-Signature': sign(body, secretKey) },
					transformRequest: [(data: string) => data],
					validateStatus: () => true,
				});
				expect(res.status).toBe(200);
			}
			await server.waitForExecutions(1, 10_000);
			await server.settled();
			expect(server.executions).toHaveLength(1);
			expect(server.executions[0].outputOf(trigger!.name)[0].json).toMatchObject({
				id: 'cpoi_example',
				status: 'processed',
			});
		} finally {
			await server.close();
		}
	});
});
