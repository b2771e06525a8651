/**
 * The AI tool guardrail. n8n gives a node to an AI Agent as a copy of its type named `<name>Tool`
 * (n8n's convertNodeToAiTool appends "Tool" to the type name); the same node code then runs with the
 * parameters the model filled in. Here the PaymentsTrust node runs under that Tool type name, with
 * "model-supplied" amounts and reference IDs as expressions, and the sandbox's ledger says what was paid.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { PaymentsTrust, TOOL_DESCRIPTION } from '../../nodes/PaymentsTrust/PaymentsTrust.node';
import { runWorkflow } from '../../harness/runWorkflow';
import { paymentsTrustWorkflow, PT_NODE, payoutParameters } from '../support/payoutWorkflow';
import { failureText } from '../support/runNode';

const TOOL_TYPE = 'n8n-nodes-paymentstrust.paymentsTrustTool';

/** The node as n8n wraps it for agents: same class, type name with "Tool" appended. */
function asTool(): PaymentsTrust {
	const node = new PaymentsTrust();
	node.description = {
		...node.description,
		name: `${node.description.name}Tool`,
		displayName: `${node.description.displayName} Tool`,
	};
	return node;
}

let sandbox: RunningSandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(async () => {
	await sandbox.close();
});

const LIMIT_100 = { safetyLimits: { limit: [{ currency: 'USD', maxTotal: '100' }] } };
const paidWith = (prefix: string) =>
	sandbox.ledger().invoices.filter((invoice) => invoice.referenceId.startsWith(prefix));

async function runAsTool(parameters: IDataObject, rows: IDataObject[], type = TOOL_TYPE) {
	const workflow = paymentsTrustWorkflow(parameters, rows);
	const node = workflow.nodes.find((entry) => entry.name === PT_NODE)!;
	node.type = type;
	return await runWorkflow({
		workflow,
		credentials: { paymentsTrustApi: sandbox.credentials },
		nodeTypes: { [TOOL_TYPE]: asTool() },
	});
}

describe('as an AI tool', () => {
	it('Rows From "Columns of Each Input Item" refuses plainly: an agent gives its values through the fields', async () => {
		const callsBefore = sandbox.ledger().calls.length;
		const result = await runAsTool(payoutParameters('createAndProcess', LIMIT_100, {}, 'columns'), [
			{
				reference_id: 'tool-columns-1',
				service: 'test_usd',
				currency: 'USD',
				amount: '1',
				account: '1',
			},
		]);
		expect(result.status).toBe('error');
		expect(failureText(result)).toMatch(
			/^Rows From "Columns of Each Input Item" is not available to an AI agent\nNothing was sent/,
		);
		expect(sandbox.ledger().calls.length).toBe(callsBefore);
	});

	it('Create and Process without a Run Safety Limit refuses, and nothing reaches the platform', async () => {
		const callsBefore = sandbox.ledger().calls.length;
		const result = await runAsTool(payoutParameters('createAndProcess'), [
			{ reference_id: 'tool-nolimit-1', amount: '10', account: '1' },
		]);
		expect(result.status).toBe('error');
		expect(failureText(result)).toMatch(
			/^This payout tool needs a Run Safety Limit. Nothing was sent; tell the user that the workflow must set one.\n.*Options → Run Safety Limits/,
		);
		expect(paidWith('tool-nolimit-')).toHaveLength(0);
		expect(sandbox.ledger().calls.length).toBe(callsBefore);
	});

	it('Create without a limit refuses too (Auto Process would pay on create)', async () => {
		const result = await runAsTool(payoutParameters('create'), [
			{ reference_id: 'tool-create-1', amount: '10', account: '1' },
		]);
		expect(failureText(result)).toMatch(/^This payout tool needs a Run Safety Limit/);
		expect(paidWith('tool-create-')).toHaveLength(0);
	});

	it('Process is refused whatever the options', async () => {
		const result = await runAsTool(
			{
				resource: 'payoutInvoice',
				operation: 'process',
				invoiceId: 'cpoi_AAAAAAAAAAAAAAAA',
				options: {},
			},
			[{}],
		);
		expect(failureText(result)).toMatch(/^Process is not available to an AI agent/);
	});

	it('with a limit a call within it pays, once', async () => {
		const result = await runAsTool(payoutParameters('createAndProcess', LIMIT_100), [
			{ reference_id: 'tool-limit-1', amount: '60', account: '1' },
		]);
		expect(result.status).toBe('success');
		expect(
			paidWith('tool-limit-1').map((invoice) => [invoice.referenceId, invoice.amount]),
		).toEqual([['tool-limit-1', 60]]);
	});

	it('with a limit a call over it is refused before anything is sent', async () => {
		const rows = [
			{ reference_id: 'tool-over-1', amount: '60', account: '1' },
			{ reference_id: 'tool-over-2', amount: '60', account: '1' },
		];
		const result = await runAsTool(payoutParameters('createAndProcess', LIMIT_100), rows);
		expect(result.status).toBe('error');
		expect(failureText(result)).toMatch(
			/^Row 2 \(item 1, reference ID "tool-over-2"\): amount 60.00 USD is more than this tool's budget has left: 40.00 of 100.00 USD for all calls of this run together; nothing was sent. Pay at most 40.00 USD, or ask the user./,
		);
		expect(paidWith('tool-over-')).toHaveLength(0);
	});

	it('amounts and reference IDs a model supplies are validated like any row: nothing is sent for a bad one', async () => {
		for (const [reference, amount] of [
			['tool-bad-1', '1,000'],
			['tool-bad-2', '-5'],
			['', '5'],
			['tool bad 3', '5'],
			['tool-bad-4', '10.123'],
		]) {
			const result = await runAsTool(payoutParameters('createAndProcess', LIMIT_100), [
				{ reference_id: reference, amount, account: '1' },
			]);
			expect(result.status).toBe('error');
			expect(failureText(result)).toMatch(/^Row 1.*(amount|reference ID)/);
		}
		expect(paidWith('tool-bad')).toHaveLength(0);
		expect(
			sandbox
				.ledger()
				.invoices.filter(
					(invoice) => invoice.referenceId === '' || invoice.referenceId === 'tool bad 3',
				),
		).toHaveLength(0);
	});

	it('reads are not limited: Get Many runs as a tool without a limit', async () => {
		const result = await runAsTool({ resource: 'payoutInvoice', operation: 'getMany', limit: 5 }, [
			{},
		]);
		expect(result.status).toBe('success');
	});
});

describe('the tool description', () => {
	it('is what n8n tells the agent for a tool node, and it says payouts need a Run Safety Limit', () => {
		const tool = asTool();
		const node: INode = {
			id: '1',
			name: 'Pay',
			type: TOOL_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		node.parameters = NodeHelpers.getNodeParameters(
			tool.description.properties,
			node.parameters,
			true,
			false,
			node,
			tool.description,
		)!;
		const description = NodeHelpers.getToolDescriptionForNode(node, tool);
		expect(description).toBe(TOOL_DESCRIPTION);
		expect(description).toMatch(
			/Create and Create and Process run only when this node has a Run Safety Limit, which caps the total of all calls in this run per currency \(or of all runs in a time window, then named in each answer as budgetWindow\); any other currency is refused, and every answer says what is left \(budgetLeft\)/,
		);
		expect(description).toMatch(/Process is not available to agents/);
	});

	it('is not shown on the regular node', () => {
		const regular = new PaymentsTrust();
		const node: INode = {
			id: '1',
			name: 'Pay',
			type: 'n8n-nodes-paymentstrust.paymentsTrust',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const parameters = NodeHelpers.getNodeParameters(
			regular.description.properties,
			{},
			true,
			false,
			node,
			regular.description,
		)!;
		expect(parameters).not.toHaveProperty('toolDescription');
	});
});

describe('as a regular node', () => {
	it('Create and Process without a limit runs as before', async () => {
		const workflow = paymentsTrustWorkflow(payoutParameters('createAndProcess'), [
			{ reference_id: 'regular-1', amount: '10', account: '1' },
		]);
		const result = await runWorkflow({
			workflow,
			credentials: { paymentsTrustApi: sandbox.credentials },
		});
		expect(result.status).toBe('success');
		expect(paidWith('regular-1')).toHaveLength(1);
	});
});
