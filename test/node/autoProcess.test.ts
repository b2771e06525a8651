/**
 * Issue 27: Create and Process with Processing "In the Create Request" (Auto Process): the create request
 * carries options.auto_process and no Process request is ever sent for the row. The sandbox's ledger is the
 * judge: one committed create per reference, no process call, each invoice moved to processing once (by its
 * create), and nothing processed behind the user's back on an account without the option.
 */
import type { IDataObject } from 'n8n-workflow';

import { PaymentsTrust } from '../../nodes/PaymentsTrust/PaymentsTrust.node';
import { runWorkflow } from '../../harness/runWorkflow';
import {
	payoutParameters,
	paymentsTrustWorkflow,
	PT_NODE,
	ROWS_FROM,
	rowsFor,
	type RowsFrom,
} from '../support/payoutWorkflow';
import { useSandbox } from '../support/sandboxSuite';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

const sandbox = useSandbox();

const AUTO = { processing: 'autoProcess' };
const WAIT = { waitForFinalStatus: true, pollIntervalSeconds: 0.05, maxWaitSeconds: 10 };
/** Settling reads fast: "still created" is believed after the policy's reads, here a few ms apart. */
const FAST = { concurrency: 3 };

function rowsOf(count: number, prefix: string): IDataObject[] {
	return Array.from({ length: count }, (_, index) => ({
		reference_id: `${prefix}-${index + 1}`,
		amount: `${index + 1}.25`,
		account: String(index + 1),
	}));
}

function pay(
	rows: IDataObject[],
	options: IDataObject = {},
	extra: IDataObject = AUTO,
	rowsFrom: RowsFrom = 'fields',
	node: IDataObject = CONTINUE_ON_FAIL,
) {
	return runNode(
		sandbox.credentials,
		payoutParameters('createAndProcess', options, extra, rowsFrom),
		rowsFor(rows, rowsFrom),
		node,
	);
}

const ledger = () => sandbox.ledger();
const processCalls = () => ledger().calls.filter((call) => call.operation === 'process');

describe.each(ROWS_FROM)('rows from %s: one request per payout', (rowsFrom) => {
	it('pays every row with its create request alone; the ledger shows each invoice processed once', async () => {
		const rows = rowsOf(12, `ap-${rowsFrom}`);
		const run = await pay(rows, { concurrency: 5 }, AUTO, rowsFrom);
		const { summary, invoices } = ledger();
		expect(summary.createAttempts).toMatchObject({ total: 12, committed: 12 });
		expect(summary.processCalls.total).toBe(0);
		expect(summary.autoProcessed).toBe(12);
		expect(invoices.map((invoice) => invoice.processCommitted)).toEqual(Array(12).fill(1));
		const json = run.json();
		expect(json.map((item) => item.referenceId)).toEqual(rows.map((row) => row.reference_id));
		for (const [index, item] of json.entries()) {
			expect(item).toMatchObject({
				status: 'processing',
				autoProcess: true,
				processRequested: false,
				alreadyProcessed: false,
				alreadyExisted: false,
				row: index + 1,
			});
			expect(item.id).toBe(
				invoices.find((invoice) => invoice.referenceId === item.referenceId)?.id,
			);
		}
	});
});

it('Wait for Final Status waits for the final status as with a separate Process request', async () => {
	const rows = rowsOf(4, 'ap-wait');
	rows[2].test_details_payout_status = 'process failed';
	const json = (await pay(rows, WAIT)).json();
	expect(json.map((item) => item.status)).toEqual([
		'processed',
		'processed',
		'process_failed',
		'processed',
	]);
	expect(processCalls()).toHaveLength(0);
	expect(
		ledger()
			.invoices.map((invoice) => invoice.status)
			.sort(),
	).toEqual(['process_failed', 'processed', 'processed', 'processed']);
});

it('a second run of the same sheet pays nothing: each row is the existing, already processed payout', async () => {
	const rows = rowsOf(5, 'ap-rerun');
	await pay(rows);
	const before = ledger();
	const json = (await pay(rows)).json();
	const after = ledger();
	expect(after.summary.createAttempts.committed).toBe(before.summary.createAttempts.committed);
	expect(after.summary.processCalls.total).toBe(0);
	expect(after.invoices.map((invoice) => invoice.processCommitted)).toEqual(Array(5).fill(1));
	for (const item of json)
		expect(item).toMatchObject({ alreadyExisted: true, alreadyProcessed: true, autoProcess: true });
});

describe('an account without the auto_process option (the invoice comes back and stays "created")', () => {
	beforeEach(() => sandbox.configure({ autoProcessEnabled: false }));

	it('Continue On Fail: no row is processed behind the user’s back, none is reported paid, the run stops creating', async () => {
		const rows = rowsOf(20, 'ap-noopt');
		const json = (await pay(rows, FAST)).json();
		const { summary, invoices } = ledger();
		// No Process request, nothing processed; at most one invoice per row in flight when the first came back.
		expect(summary.processCalls.total).toBe(0);
		expect(invoices.every((invoice) => invoice.status === 'created')).toBe(true);
		expect(invoices.every((invoice) => invoice.processCommitted === 0)).toBe(true);
		expect(invoices.length).toBeGreaterThanOrEqual(1);
		expect(invoices.length).toBeLessThanOrEqual(FAST.concurrency);
		expect(json).toHaveLength(20);
		for (const item of json) {
			expect(item.error).toBeDefined();
			expect(item.stage).toBe('not_auto_processed');
			expect(item.status).toBeUndefined();
		}
		const created = json.filter((item) => /was created but not processed/.test(String(item.error)));
		expect(created).toHaveLength(invoices.length);
		expect(String(created[0].error)).toMatch(
			/^Row \d+ \(item \d+, reference ID "ap-noopt-\d+"\): invoice cpoi_\w+ was created but not processed: the create request asked the platform to process it \(Auto Process\), and it is still in status "created"\. No Process request was sent; nothing was paid for this row\.$/,
		);
		const notSent = json.filter((item) => /^Row \d+ .*: not sent: /.test(String(item.error)));
		expect(notSent).toHaveLength(20 - invoices.length);
	});

	it('without Continue On Fail the node fails with what to do; nothing is processed', async () => {
		const run = await pay(rowsOf(6, 'ap-noopt-stop'), FAST, AUTO, 'fields', {});
		expect(run.result.status).toBe('error');
		const text = failureText(run.result);
		expect(text).toContain('was created but not processed');
		expect(text).toContain('does not have the auto_process option');
		expect(text).toContain('Processing to "Separate Process Request"');
		expect(processCalls()).toHaveLength(0);
		expect(ledger().invoices.every((invoice) => invoice.status === 'created')).toBe(true);
	});

	it('the way out: the same sheet with a separate Process request pays those invoices once', async () => {
		const rows = rowsOf(6, 'ap-noopt-then');
		await pay(rows, FAST);
		const stranded = new Set(ledger().invoices.map((invoice) => invoice.referenceId));
		expect(stranded.size).toBeGreaterThan(0);
		sandbox.configure({ autoProcessEnabled: true });
		const json = (await pay(rows, FAST, {})).json();
		expect(json.every((item) => item.status === 'processing')).toBe(true);
		for (const item of json)
			expect(item.alreadyExisted).toBe(stranded.has(String(item.referenceId)));
		const { summary, invoices } = ledger();
		expect(summary.processCalls.accepted).toBe(6);
		expect(summary.autoProcessed).toBe(0);
		expect(invoices.map((invoice) => invoice.processCommitted)).toEqual(Array(6).fill(1));
	});
});

it('an invoice that already exists in "created" is not processed: the row says so', async () => {
	const rows = rowsOf(2, 'ap-existing');
	// Create alone (no processing) leaves both invoices in "created".
	await runNode(sandbox.credentials, payoutParameters('create'), rows);
	const json = (await pay(rows)).json();
	expect(processCalls()).toHaveLength(0);
	expect(ledger().invoices.every((invoice) => invoice.status === 'created')).toBe(true);
	for (const item of json) {
		expect(item.stage).toBe('not_auto_processed');
		expect(String(item.error)).toContain('is still in status "created"');
	}
});

describe('what a run sends is decided before anything is sent', () => {
	it('Invoice Options → Auto Process saved on Create and Process is not sent: Processing alone decides', async () => {
		// A workflow saved while the option was shown there: n8n drops the hidden option's value.
		const run = await pay(rowsOf(3, 'ap-old'), {}, { invoiceOptions: { auto_process: true } });
		expect(run.json().every((item) => item.processRequested === true)).toBe(true);
		const { summary } = ledger();
		expect(summary.processCalls.accepted).toBe(3);
		expect(summary.autoProcessed).toBe(0);
	});

	it('a safety limit holds: the row that would cross it and those after are not sent', async () => {
		const rows = rowsOf(4, 'ap-limit'); // 1.25, 2.25, 3.25, 4.25
		const limits = { safetyLimits: { limit: [{ currency: 'USD', maxTotal: '4' }] } };
		const json = (await pay(rows, limits)).json();
		expect(json.map((item) => item.stage ?? item.status)).toEqual([
			'processing',
			'processing',
			'safety_limit',
			'safety_limit',
		]);
		expect(
			ledger()
				.invoices.map((invoice) => invoice.referenceId)
				.sort(),
		).toEqual(['ap-limit-1', 'ap-limit-2']);
	});
});

describe('the approval covers how the rows are processed', () => {
	const SHEET = rowsOf(3, 'ap-apr');
	const approve = async (extra: IDataObject) => {
		const run = await runNode(sandbox.credentials, payoutParameters('validate', {}, extra), SHEET);
		return (run.json()[0].summary as IDataObject).approval as IDataObject;
	};

	it('Validate checks and prices the rows as with a separate Process request; only the code differs', async () => {
		const validate = async (extra: IDataObject) =>
			(await runNode(sandbox.credentials, payoutParameters('validate', {}, extra), SHEET)).json();
		const withoutCode = (items: IDataObject[]) =>
			items.map(({ summary, ...item }) => {
				const { approval, ...totals } = summary as IDataObject;
				return {
					...item,
					totals,
					rows: Object.keys((approval as IDataObject).references as object),
				};
			});
		const separate = await validate({});
		const auto = await validate(AUTO);
		expect(withoutCode(auto)).toEqual(withoutCode(separate));
		expect(separate[0].fee).toBeDefined();
		expect(ledger().calls).toHaveLength(0);
	});

	it('Validate gives another code for Auto Process; a mismatch sends nothing, the matching code pays', async () => {
		const separate = await approve({});
		const auto = await approve(AUTO);
		expect(auto.code).not.toBe(separate.code);
		const refused = await pay(SHEET, { approvedCode: separate.code }, AUTO, 'fields', {});
		expect(refused.result.status).toBe('error');
		expect(failureText(refused.result)).toContain('not the approved ones');
		expect(ledger().calls).toHaveLength(0);
		const paid = (await pay(SHEET, { approvedCode: auto.code })).json();
		expect(paid.every((item) => item.status === 'processing')).toBe(true);
		expect(processCalls()).toHaveLength(0);
	});
});

describe('as an AI agent tool, the budget counts what may have moved', () => {
	const TOOL_TYPE = 'n8n-nodes-paymentstrust.paymentsTrustTool';
	const asTool = () => {
		const node = new PaymentsTrust();
		node.description = { ...node.description, name: `${node.description.name}Tool` };
		return node;
	};
	const call = async (rows: IDataObject[]) => {
		const parameters = payoutParameters(
			'createAndProcess',
			{ concurrency: 1, safetyLimits: { limit: [{ currency: 'USD', maxTotal: '100' }] } },
			AUTO,
		);
		const result = await runWorkflow({
			workflow: paymentsTrustWorkflow(parameters, rows, { type: TOOL_TYPE, ...CONTINUE_ON_FAIL }),
			credentials: { paymentsTrustApi: sandbox.credentials as never },
			nodeTypes: { [TOOL_TYPE]: asTool() },
		});
		return result.outputOf(PT_NODE).map((item) => item.json);
	};
	const rows = (prefix: string) => [
		{ reference_id: `${prefix}-1`, amount: '40', account: '1' },
		{ reference_id: `${prefix}-2`, amount: '30', account: '2' },
	];

	it('paid with the create request: both amounts are spent', async () => {
		const json = await call(rows('ap-agent'));
		expect(json.map((item) => item.status)).toEqual(['processing', 'processing']);
		expect(json[1].budgetLeft).toEqual({ USD: '30.00' });
		expect(processCalls()).toHaveLength(0);
	});

	it('an account without the option: the created invoice keeps its amount, the row never sent gives it back', async () => {
		sandbox.configure({ autoProcessEnabled: false });
		const json = await call(rows('ap-agent-noopt'));
		expect(json.map((item) => item.stage)).toEqual(['not_auto_processed', 'not_auto_processed']);
		expect(json[1].budgetLeft).toEqual({ USD: '60.00' });
		expect(ledger().invoices.map((invoice) => [invoice.referenceId, invoice.status])).toEqual([
			['ap-agent-noopt-1', 'created'],
		]);
	});
});
