/**
 * Issue 29: every shipped workflow that can move money authenticates its caller by default, as files. The real-n8n
 * suite (e2e/parts/strangers.ts) proves what n8n does with these settings; this catches an example that loses them.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

interface ExampleNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
}

interface Example {
	nodes: ExampleNode[];
	connections: Record<string, Record<string, Array<Array<{ node: string }>>>>;
}

const DIR = join(__dirname, '../../examples');
const examples = readdirSync(DIR)
	.filter((file) => file.endsWith('.workflow.json'))
	.map((file) => [file, JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Example] as const);
const load = (file: string) => examples.find(([name]) => name === file)![1];
const node = (workflow: Example, name: string): ExampleNode => {
	const found = workflow.nodes.find((n) => n.name === name);
	if (!found) throw new Error(`no node "${name}"`);
	return found;
};

const PAYS = 'n8n-nodes-paymentstrust.paymentsTrust';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('closed by default', () => {
	const paying = examples.filter(([, wf]) =>
		wf.nodes.some((n) => n.type === PAYS || n.type === `${PAYS}Tool`),
	);
	const webhooksOf = (wf: Example) => wf.nodes.filter((n) => n.type === 'n8n-nodes-base.webhook');

	it('finds the examples that pay through a webhook', () => {
		expect(paying.filter(([, wf]) => webhooksOf(wf).length > 0).map(([file]) => file)).toEqual(
			expect.arrayContaining([
				'ai-agent-payouts.workflow.json',
				'bulk-payouts-with-approval.workflow.json',
				'pay-a-chunk.workflow.json',
			]),
		);
	});

	it.each(paying.map(([file, wf]) => [file, wf] as const))(
		'%s: every webhook asks for a Header Auth credential, on a UUID path (its webhookId)',
		(_file, wf) => {
			for (const webhook of webhooksOf(wf)) {
				expect(webhook.parameters.authentication).toBe('headerAuth');
				expect(webhook.credentials?.httpHeaderAuth?.name).toMatch(/^PaymentsTrust /);
				expect(webhook.webhookId).toMatch(UUID);
				expect(webhook.parameters.path).toBe(webhook.webhookId);
			}
		},
	);

	it('the chunk pair shares one credential: the parent sends what the chunk asks for', () => {
		const chunk = node(load('pay-a-chunk.workflow.json'), 'Chunk received');
		const post = node(load('pay-sheet-in-chunks.workflow.json'), 'Pay each chunk');
		expect(post.parameters).toMatchObject({
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
		});
		expect(post.credentials?.httpHeaderAuth).toEqual(chunk.credentials?.httpHeaderAuth);
		expect(String(post.parameters.url)).toContain(`/webhook/${String(chunk.parameters.path)}`);
		expect(String(post.parameters.jsonBody)).toContain('approval: $json.approval');
	});

	it("a chunk pays only a part of the parent's approval, within limits fixed in the chunk", () => {
		const pay = node(load('pay-a-chunk.workflow.json'), 'Pay each row');
		const options = pay.parameters.options as Record<string, unknown>;
		expect(options.approvedCode).toBe("={{ $('Chunk received').first().json.body.approval }}");
		expect(options.approvalScope).toBe('part');
		const limits = (options.safetyLimits as { limit: Array<Record<string, string>> }).limit;
		expect(limits.length).toBeGreaterThan(0);
		// Fixed in the workflow: never an expression a request could feed.
		for (const limit of limits) expect(JSON.stringify(limit)).not.toContain('{{');
	});

	it("the parent validates with the pay node's own parameters (else every digest differs)", () => {
		const validate = node(load('pay-sheet-in-chunks.workflow.json'), 'Validate the sheet');
		const pay = node(load('pay-a-chunk.workflow.json'), 'Pay each row');
		expect(validate.parameters.operation).toBe('validate');
		for (const key of ['resource', 'rowsFrom', 'columnNames', 'additionalFields', 'invoiceOptions'])
			expect(validate.parameters[key]).toEqual(pay.parameters[key]);
	});

	it('each chunk carries the approval of its own rows only', () => {
		const code = String(
			node(load('pay-sheet-in-chunks.workflow.json'), 'Chunks of 100 rows').parameters.jsCode,
		);
		const rows = Array.from({ length: 150 }, (_, i) => ({ reference_id: `r-${i}`, id: i + 1 }));
		const approval = {
			code: 'PTA1-AAAA-AAAA-AAAA-AAAA',
			rows: 149,
			references: Object.fromEntries(rows.slice(1).map((row) => [row.reference_id, `D${row.id}`])),
		};
		// Validate's items: one per row, in order, the summary on the first.
		const validated = rows.map((row, i) => ({
			json: {
				referenceId: row.reference_id,
				...(i === 0 ? { summary: { approval, samePayee: { allowed: false, groups: [] } } } : {}),
			},
		}));
		const $ = (name: string) =>
			name === 'Rows not yet paid'
				? { all: () => rows.map((json) => ({ json })) }
				: { all: () => validated, first: () => validated[0] };
		const chunks = new Function('$', code)($) as Array<{
			json: { rows: unknown[]; approval: { code: string; references: Record<string, string> } };
		}>;
		expect(chunks).toHaveLength(2);
		// Row 1 was refused by validation: no digest, so the chunk sends it only to be refused again.
		expect(Object.keys(chunks[0].json.approval.references)).toHaveLength(99);
		expect(chunks[0].json.approval.references['r-0']).toBeUndefined();
		expect(chunks[1].json.approval.references).toEqual(
			Object.fromEntries(rows.slice(100).map((row) => [row.reference_id, `D${row.id}`])),
		);
		expect(chunks[1].json.approval.code).toBe(approval.code);
	});

	it('the approval example answers its caller without the preview or the link, and sends the link to the approver', () => {
		const wf = load('bulk-payouts-with-approval.workflow.json');
		const answer = String(node(wf, 'Answer the caller').parameters.responseBody);
		expect(answer).not.toMatch(/preview|approvalFormUrl|resumeFormUrl|approvalCode|\$json\)/);
		const notify = node(wf, 'Send the approver the form');
		expect(String(notify.parameters.jsonBody)).toContain('approvalFormUrl');
		expect(wf.connections['Answer the caller'].main[0].map((c) => c.node)).toEqual([
			'Send the approver the form',
		]);
		const wait = node(wf, 'Approve or reject');
		expect(wait.parameters).toMatchObject({ resume: 'form', incomingAuthentication: 'basicAuth' });
		expect(wait.credentials?.httpBasicAuth?.name).toBe('PaymentsTrust approver');
		const outcome = JSON.stringify(node(wf, 'Outcome per row').parameters);
		expect(outcome).toContain('approvedBy');
		expect(outcome).toContain('approvedAt');
	});
});
