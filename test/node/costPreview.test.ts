/**
 * Validate as a cost preview: each valid row's fee, total cost and what the recipient gets, and the run's
 * totals per currency. The expected numbers are the sandbox's own: the same rows are then created for real
 * and each invoice's fee, writeoff and service_amount, as the sandbox computed them, must equal the preview.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { payoutParameters } from '../support/payoutWorkflow';
import { CONTINUE_ON_FAIL, runNode } from '../support/runNode';

let sandbox: RunningSandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(async () => {
	await sandbox.close();
});

const card = { card_number: '4111111111111111' };
const bank = { iban: 'DE89370400440532013000', beneficiary_name: 'John Smith' };
/** Fee minimum, proportional fee, fee maximum, three FX services (2 and 3 decimals), a whole-number currency. */
const ROWS: IDataObject[] = [
	{ reference_id: 'cost-1', service: 'payment_card_usd', currency: 'USD', amount: '10', ...card },
	{
		reference_id: 'cost-2',
		service: 'payment_card_usd',
		currency: 'USD',
		amount: '100',
		card_number: '5500000000000004',
	},
	{
		reference_id: 'cost-3',
		service: 'payment_card_usd',
		currency: 'USD',
		amount: '5000',
		card_number: '4000056655665556',
	},
	{
		reference_id: 'cost-4',
		service: 'bank_transfer_eur',
		currency: 'USD',
		amount: '1234.56',
		...bank,
	},
	{
		reference_id: 'cost-5',
		service: 'bank_transfer_kwd',
		currency: 'USD',
		amount: '100.01',
		...bank,
	},
	{ reference_id: 'cost-6', service: 'bank_transfer_uah', currency: 'USD', amount: '50', ...bank },
	{
		reference_id: 'cost-7',
		service: 'payment_card_jpy',
		currency: 'JPY',
		amount: '12345',
		...card,
	},
	{ reference_id: 'cost-8', service: 'test_usd', currency: 'USD', amount: '0.01', account: '1' },
];

/** An invoice as the sandbox's Private API answers it (its own fee and FX arithmetic). */
async function sandboxInvoice(referenceId: string): Promise<IDataObject> {
	const { accountId, apiKey } = sandbox.credentials;
	const response = await fetch(
		`${sandbox.baseUrl}/api/payout-invoices?filter[reference_id]=${encodeURIComponent(referenceId)}`,
		{
			headers: {
				authorization: `Basic ${Buffer.from(`${accountId}:${apiKey}`).toString('base64')}`,
			},
		},
	);
	const body = (await response.json()) as { data: Array<{ attributes: IDataObject }> };
	expect(body.data).toHaveLength(1);
	return body.data[0].attributes;
}

/** The sandbox's numbers as the node writes amounts: exact text with the currency's decimals. */
const text = (value: unknown, decimals: number) => Number(value).toFixed(decimals);
const decimalsOf = (currency: string) => ({ JPY: 0, KWD: 3 })[currency] ?? 2;

it('each valid row shows the fee, total cost and recipient amount the platform then charges and pays', async () => {
	const preview = await runNode(sandbox.credentials, payoutParameters('validate'), ROWS);
	expect(preview.json().every((item) => item.valid === true)).toBe(true);
	expect(sandbox.ledger().invoices).toHaveLength(0);

	const created = await runNode(sandbox.credentials, payoutParameters('create'), ROWS);
	expect(created.result.status).toBe('success');

	for (const item of preview.json()) {
		const invoice = await sandboxInvoice(String(item.referenceId));
		const currency = String(invoice.currency);
		const serviceCurrency = String(invoice.service_currency);
		expect([
			item.referenceId,
			item.fee,
			item.totalCost,
			item.recipientAmount,
			item.recipientCurrency,
			item.exchangeRate,
		]).toEqual([
			item.referenceId,
			text(invoice.fee, decimalsOf(currency)),
			text(invoice.writeoff, decimalsOf(currency)),
			text(invoice.service_amount, decimalsOf(serviceCurrency)),
			serviceCurrency,
			invoice.exchange_rate,
		]);
	}
});

it('the fee rules bite where expected: minimum, maximum, FX', async () => {
	const preview = await runNode(
		sandbox.credentials,
		payoutParameters('validate'),
		ROWS.map((row) => ({ ...row, reference_id: `rule-${String(row.reference_id)}` })),
	);
	const [min, proportional, max, eur, kwd] = preview.json();
	expect(min.fee).toBe('0.50'); // 1.5 % of 10 + 0.30 = 0.45, raised to the 0.50 minimum
	expect(proportional.fee).toBe('1.80');
	expect(max.fee).toBe('50.00'); // 75.30 capped at 50
	expect([eur.recipientAmount, eur.recipientCurrency]).toEqual(['1135.80', 'EUR']);
	expect([kwd.recipientAmount, kwd.recipientCurrency]).toEqual(['30.703', 'KWD']);
});

it("the first item carries the run summary (the others none, so n8n's Table view stays one line a row): per currency what the valid rows pay, cost and take in total", async () => {
	const rows = [
		...ROWS.map((row) => ({ ...row, reference_id: `sum-${String(row.reference_id)}` })),
		{ reference_id: 'sum-bad', service: 'test_usd', currency: 'USD', amount: 'abc', account: '1' },
	];
	const preview = await runNode(
		sandbox.credentials,
		payoutParameters('validate'),
		rows,
		CONTINUE_ON_FAIL,
	);
	expect(preview.json()[0].summary).toBeDefined();
	expect(
		preview
			.json()
			.slice(1)
			.map((item) => item.summary),
	).toEqual(rows.slice(1).map(() => undefined));

	// Totals from the sandbox's own invoices for the same payouts (created above as cost-1 … cost-8).
	const invoices = await Promise.all(ROWS.map((row) => sandboxInvoice(String(row.reference_id))));
	const sum = (values: unknown[], decimals: number) =>
		(
			values.reduce(
				(total: number, value) => total + Math.round(Number(value) * 10 ** decimals),
				0,
			) /
			10 ** decimals
		).toFixed(decimals);
	const usd = invoices.filter((invoice) => invoice.currency === 'USD');
	const jpy = invoices.filter((invoice) => invoice.currency === 'JPY');
	const summary = preview.json()[0].summary as IDataObject;
	expect(summary).toMatchObject({ rows: 9, validRows: 8, invalidRows: 1 });
	expect(summary.byCurrency).toEqual([
		{
			currency: 'JPY',
			rows: 1,
			amount: sum(
				jpy.map((invoice) => invoice.amount),
				0,
			),
			fees: sum(
				jpy.map((invoice) => invoice.fee),
				0,
			),
			totalCost: sum(
				jpy.map((invoice) => invoice.writeoff),
				0,
			),
		},
		{
			currency: 'USD',
			rows: 7,
			amount: sum(
				usd.map((invoice) => invoice.amount),
				2,
			),
			fees: sum(
				usd.map((invoice) => invoice.fee),
				2,
			),
			totalCost: sum(
				usd.map((invoice) => invoice.writeoff),
				2,
			),
		},
	]);
	const received = (currency: string) =>
		invoices.filter((invoice) => invoice.service_currency === currency);
	expect(summary.recipientsGet).toEqual(
		['EUR', 'JPY', 'KWD', 'UAH', 'USD'].map((currency) => ({
			currency,
			rows: received(currency).length,
			amount: sum(
				received(currency).map((invoice) => invoice.service_amount),
				decimalsOf(currency),
			),
		})),
	);
});
