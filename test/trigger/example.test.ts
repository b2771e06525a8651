import { readFileSync } from 'fs';
import { join } from 'path';

import { PaymentsTrustTrigger } from '../../nodes/PaymentsTrustTrigger/PaymentsTrustTrigger.node';

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
) as { nodes: ExampleNode[]; connections: Record<string, { main: Array<Array<{ node: string }>> }> };

// Core node types and versions the example relies on, all shipped by n8n 1.x (recent) and 2.x.
const KNOWN_CORE_TYPES: Record<string, number[]> = {
	'n8n-nodes-base.stickyNote': [1],
	'n8n-nodes-base.switch': [3, 3.1, 3.2],
	'n8n-nodes-base.set': [3.3, 3.4],
	'n8n-nodes-base.convertToFile': [1, 1.1],
	'n8n-nodes-base.readWriteFile': [1],
};

describe('examples/payout-callbacks.workflow.json', () => {
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-paymentstrust.paymentsTrustTrigger');

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

	it('connects existing nodes only, trigger → switch → paid/failed rows → file', () => {
		const names = new Set(workflow.nodes.map((node) => node.name));
		for (const [from, outputs] of Object.entries(workflow.connections)) {
			expect(names.has(from)).toBe(true);
			for (const targets of outputs.main) for (const target of targets) expect(names.has(target.node)).toBe(true);
		}
		expect(workflow.connections['PaymentsTrust Trigger'].main[0][0].node).toBe('Paid or failed?');
		expect(workflow.connections['Paid or failed?'].main.map((o) => o[0].node)).toEqual(['Paid row', 'Failed row']);
	});
});
