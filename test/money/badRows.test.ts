/**
 * Issue 6: malformed rows. Each bad row of the table must get exactly its own error (the field and the
 * rule) from the node's Validate operation, and the same error from Create with Continue On Fail, while
 * nothing about it reaches the platform and the good rows of the same run are created. Without Continue On
 * Fail one bad row stops the node before anything is created. Card numbers are masked in every message.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest } from '../support/explicitMode';
import { runWorkflow, type WorkflowRunResult } from '../../harness/runWorkflow';
import {
	payoutParameters,
	paymentsTrustWorkflow,
	PT_NODE,
	ROWS_FROM,
	rowsFor,
	type RowsFrom,
} from '../support/payoutWorkflow';

interface BadRow {
	name: string;
	row: IDataObject;
	/** The field the error names, as the node writes it: `amount`, `currency`, `reference ID`, `service`, `field "x"`. */
	field: string;
	/** A fragment of the rule text the error must contain. */
	rule: string;
	/** A fragment the message must contain too (a masked card number, say). */
	shows?: string;
	/** The service's pattern, which the error keeps in its details (not in the message). */
	pattern?: string;
	/** Safety-limit refusals are stage `safety_limit`; every other refusal is `validation`. */
	stage?: 'validation' | 'safety_limit';
}

const CARD = '4111111111111111';
const CARD_15 = '411111111111111';
const CARD_17 = '41111111111111112';
const CARD_DASHED = '4111-1111-1111-1111';
const ACCOUNT_16 = '5500000000000004';
const IBAN = 'DE89370400440532013000';
/** The same card number in other digits and with other separators (issue 12). */
const CARD_FULLWIDTH = '４１１１１１１１１１１１１１１１';
const CARD_ARABIC_INDIC = '٤١١١١١١١١١١١١١١١';
const CARD_DEVANAGARI = '४१११ ११११ ११११ ११११';
const CARD_DOTS = '4111.1111.1111.1111';
const CARD_NBSP = '4111\u00A01111\u00A01111\u00A01111';
const CARD_THIN = '4111\u20091111\u20091111\u20091111';
const CARD_EXT_ARABIC = '۴۱۱۱-۱۱۱۱-۱۱۱۱-۱۱۱۱';
const CARD_MATH_BOLD = '𝟒𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏';
const UNICODE_CARDS = [
	CARD_FULLWIDTH,
	CARD_ARABIC_INDIC,
	CARD_DEVANAGARI,
	CARD_DOTS,
	CARD_NBSP,
	CARD_THIN,
	CARD_EXT_ARABIC,
	CARD_MATH_BOLD,
];
/** Every card-like number used in the inputs: none may appear unmasked in any output or error. */
const CARD_NUMBERS = [
	CARD,
	CARD_15,
	CARD_17,
	CARD_DASHED,
	ACCOUNT_16,
	'4111 1111 1111 1111',
	...UNICODE_CARDS,
	'5500000000000000004',
];

const usd = (amount: IDataObject[string], extra: IDataObject = {}): IDataObject => ({
	amount,
	account: '12345',
	...extra,
});
const card = (amount: IDataObject[string], extra: IDataObject = {}): IDataObject => ({
	service: 'payment_card_usd',
	amount,
	card_number: CARD,
	...extra,
});

const DECIMAL = 'must be a plain decimal number like 100.55';
/** A field that breaks the service's rule is told with the service's label and hint, never the raw pattern. */
const PATTERN = 'does not fit';

/** The table: at least 40 malformed rows, each with the error it must get. */
const BAD: BadRow[] = [
	// Amounts.
	{
		name: 'thousands separator',
		row: usd('1,000'),
		field: 'amount',
		rule: '"1,000" must not contain commas',
	},
	{ name: 'decimal comma', row: usd('1.000,50'), field: 'amount', rule: 'must not contain commas' },
	{ name: 'letters', row: usd('abc'), field: 'amount', rule: `"abc" ${DECIMAL}` },
	{ name: 'empty', row: usd(''), field: 'amount', rule: 'is required' },
	{ name: 'blank', row: usd(' '), field: 'amount', rule: 'is required' },
	{ name: 'no amount column', row: { account: '12345' }, field: 'amount', rule: 'is required' },
	{ name: 'null', row: usd(null), field: 'amount', rule: 'is required' },
	{ name: 'negative', row: usd('-5'), field: 'amount', rule: '"-5" must be positive' },
	{ name: 'zero', row: usd('0'), field: 'amount', rule: '"0" must be greater than 0' },
	{
		name: 'zero with decimals',
		row: usd('0.00'),
		field: 'amount',
		rule: '"0.00" must be greater than 0',
	},
	{ name: 'exponent', row: usd('1e3'), field: 'amount', rule: `"1e3" ${DECIMAL}` },
	{
		name: 'three decimals in USD',
		row: usd('10.555'),
		field: 'amount',
		rule: '"10.555" must have at most 2 decimals in USD',
	},
	{
		name: 'float noise from a sheet',
		row: usd(0.1 + 0.2),
		field: 'amount',
		rule: 'must have at most 2 decimals in USD',
	},
	{ name: 'dollar sign', row: usd('$5'), field: 'amount', rule: `"$5" ${DECIMAL}` },
	{
		name: 'currency in the amount',
		row: usd('5 USD'),
		field: 'amount',
		rule: `"5 USD" ${DECIMAL}`,
	},
	{ name: 'plus sign', row: usd('+5'), field: 'amount', rule: DECIMAL },
	{ name: 'trailing dot', row: usd('5.'), field: 'amount', rule: DECIMAL },
	{ name: 'leading dot', row: usd('.5'), field: 'amount', rule: DECIMAL },
	{ name: 'boolean', row: usd(true), field: 'amount', rule: '"true" must be a number' },
	{ name: 'NaN as text', row: usd('NaN'), field: 'amount', rule: `"NaN" ${DECIMAL}` },
	{ name: 'Infinity as text', row: usd('Infinity'), field: 'amount', rule: DECIMAL },
	{
		name: 'decimals in JPY',
		row: { service: 'payment_card_jpy', currency: 'JPY', amount: '100.5', card_number: CARD },
		field: 'amount',
		rule: '"100.5" must be a whole number in JPY',
	},
	{
		// No sandbox service takes KWD invoices (bank_transfer_kwd takes USD and pays KWD), so the currency is
		// refused before the amount's four decimals are looked at; parseAmount's KWD rule has unit tests.
		name: 'KWD invoice with four decimals',
		row: {
			service: 'bank_transfer_kwd',
			currency: 'KWD',
			amount: '1.2345',
			iban: IBAN,
			beneficiary_name: 'John Smith',
		},
		field: 'currency',
		rule: 'KWD does not match service "bank_transfer_kwd", which takes USD',
	},
	{
		name: 'below the service minimum',
		row: card('0.50'),
		field: 'amount',
		rule: '0.50 USD is below the service minimum of 1.00',
	},
	{
		name: 'above the service maximum',
		row: card('5000.01'),
		field: 'amount',
		rule: '5000.01 USD is above the service maximum of 5000.00',
	},
	// Currencies.
	{
		name: 'two letters',
		row: usd('10', { currency: 'US' }),
		field: 'currency',
		rule: '"US" is not a 3-letter ISO currency code',
	},
	{
		name: 'four letters',
		row: usd('10', { currency: 'USDT' }),
		field: 'currency',
		rule: '"USDT" is not a 3-letter ISO currency code',
	},
	{
		name: 'EUR for a USD service',
		row: usd('10', { currency: 'EUR' }),
		field: 'currency',
		rule: 'EUR does not match service "test_usd", which takes USD',
	},
	{
		name: 'empty currency',
		row: usd('10', { currency: '' }),
		field: 'currency',
		rule: '"" is not a 3-letter ISO currency code',
	},
	// Reference IDs.
	{
		name: 'no reference ID',
		row: { reference_id: undefined, ...usd('10') },
		field: 'reference ID',
		rule: 'is required',
	},
	{
		name: 'reference ID with a space',
		row: { reference_id: 'bad ref', ...usd('10') },
		field: 'reference ID',
		rule: 'must be 1 to 255 visible characters without spaces',
	},
	{
		name: 'reference ID of 256 characters',
		row: { reference_id: 'r'.repeat(256), ...usd('10') },
		field: 'reference ID',
		rule: 'must be 1 to 255 visible characters',
	},
	{
		name: 'reference ID not ASCII',
		row: { reference_id: 'réf-1', ...usd('10') },
		field: 'reference ID',
		rule: 'must be 1 to 255 visible characters',
	},
	{
		name: 'reference ID twice in the run',
		row: { reference_id: 'good-dup', ...usd('10') },
		field: 'reference ID',
		rule: '"good-dup" appears more than once in this run',
	},
	// Services.
	{
		name: 'unknown service',
		row: usd('10', { service: 'no_such_service' }),
		field: 'service',
		rule: '"no_such_service" is not a payout service of this account',
	},
	{
		name: 'disabled service',
		row: card('10', { service: 'legacy_card_usd' }),
		field: 'service',
		rule: '"legacy_card_usd" is not available or not enabled for this account',
	},
	{ name: 'empty service', row: usd('10', { service: '' }), field: 'service', rule: 'is required' },
	// Service fields.
	{
		name: 'account missing',
		row: { amount: '10' },
		field: 'field "account"',
		rule: 'is required by service "test_usd"',
	},
	{
		name: 'account with a letter',
		row: usd('10', { account: '12a45' }),
		field: 'field "account"',
		rule: '"12a45" does not fit Account: 1 to 15 digits',
		pattern: '^\\d{1,15}$',
	},
	{
		name: 'card-like account, 16 digits',
		row: usd('10', { account: ACCOUNT_16 }),
		field: 'field "account"',
		rule: PATTERN,
		shows: '550000******0004',
	},
	{
		name: 'success rate not a number',
		row: usd('10', { test_details_success_rate: 'half' }),
		field: 'field "test_details_success_rate"',
		rule: PATTERN,
	},
	{
		name: 'card number missing',
		row: { service: 'payment_card_usd', amount: '10' },
		field: 'field "card_number"',
		rule: 'is required by service "payment_card_usd"',
	},
	{
		name: '15-digit card',
		row: card('10', { card_number: CARD_15 }),
		field: 'field "card_number"',
		rule: PATTERN,
		shows: '"411111*****1111"',
	},
	{
		name: '17-digit card',
		row: card('10', { card_number: CARD_17 }),
		field: 'field "card_number"',
		rule: PATTERN,
		shows: '"411111*******1112"',
	},
	{
		name: 'card with dashes',
		row: card('10', { card_number: CARD_DASHED }),
		field: 'field "card_number"',
		rule: PATTERN,
		shows: '"411111******1111"',
	},
	{
		name: 'card with spaces',
		row: card('10', { card_number: '4111 1111 1111 1111' }),
		field: 'field "card_number"',
		rule: PATTERN,
		shows: '"411111******1111"',
	},
	{
		name: 'IBAN with spaces',
		row: {
			service: 'bank_transfer_eur',
			amount: '50',
			iban: 'DE89 3704 0044 0532 0130 00',
			beneficiary_name: 'John Smith',
		},
		field: 'field "iban"',
		rule: 'is not a valid IBAN for this service',
	},
	{
		name: 'IBAN in lower case',
		row: {
			service: 'bank_transfer_eur',
			amount: '50',
			iban: IBAN.toLowerCase(),
			beneficiary_name: 'John Smith',
		},
		field: 'field "iban"',
		rule: 'is not a valid IBAN for this service',
	},
	{
		name: 'beneficiary missing',
		row: { service: 'bank_transfer_eur', amount: '50', iban: IBAN },
		field: 'field "beneficiary_name"',
		rule: 'is required by service "bank_transfer_eur"',
	},
	// Issue 12: amounts the API's number cannot hold exactly are refused, never rounded.
	{
		name: 'more significant digits than the API number holds',
		row: usd('72860530685245.99'),
		field: 'amount',
		rule: "has more significant digits than the API's number holds exactly (it would be sent as 72860530685245.98)",
	},
	{
		name: 'beyond the safe integer range in cents',
		row: usd('90071992547409.93'),
		field: 'amount',
		rule: "is too large: in USD minor units it is beyond what the API's number holds exactly",
	},
	{ name: 'a number amount of 1e16', row: usd(1e16), field: 'amount', rule: 'is too large' },
	{
		name: 'a 20-digit amount text',
		row: usd('12345678901234567890'),
		field: 'amount',
		rule: 'is too large',
	},
	{ name: 'full-width digits in the amount', row: usd('１００'), field: 'amount', rule: DECIMAL },
	{ name: 'Arabic-Indic digits in the amount', row: usd('١٠٠'), field: 'amount', rule: DECIMAL },
	{
		name: 'no-break space as thousands separator',
		row: usd('1\u00A0000'),
		field: 'amount',
		rule: DECIMAL,
	},
	// Issue 12: currencies that look like codes but are not ISO 4217.
	{
		name: 'three letters, not ISO',
		row: usd('10', { currency: 'XYZ' }),
		field: 'currency',
		rule: '"XYZ" is not a 3-letter ISO currency code',
	},
	{
		name: 'symbol in the currency',
		row: usd('10', { currency: 'US$' }),
		field: 'currency',
		rule: 'is not a 3-letter ISO currency code',
	},
	// Issue 12: field values that a sheet turned into numbers beyond the safe range.
	{
		name: 'account as a 20-digit number',
		row: usd('10', { account: 12345678901234567890 }),
		field: 'field "account"',
		rule: 'send it as text',
	},
	{
		name: 'card number as a 19-digit number',
		row: card('10', { card_number: 5500000000000000004 }),
		field: 'field "card_number"',
		rule: 'send it as text',
	},
	// Issue 12: reference IDs that are neither text nor a whole number.
	{
		name: 'reference ID is a list',
		row: { reference_id: ['a', 'b'], ...usd('10') },
		field: 'reference ID',
		rule: 'must be text or a whole number, not a list',
	},
	{
		name: 'reference ID is an object',
		row: { reference_id: { order: 1 }, ...usd('10') },
		field: 'reference ID',
		rule: 'must be text or a whole number, not an object',
	},
	{
		name: 'reference ID is true',
		row: { reference_id: true, ...usd('10') },
		field: 'reference ID',
		rule: 'must be text or a whole number, not a boolean value',
	},
	{
		name: 'reference ID is a fraction',
		row: { reference_id: 1.5, ...usd('10') },
		field: 'reference ID',
		rule: 'must be text or a whole number, not 1.5',
	},
	{
		name: 'reference ID is a number beyond the safe range',
		row: { reference_id: 12345678901234567, ...usd('10') },
		field: 'reference ID',
		rule: 'send it as text',
	},
	// Issue 12: card numbers in other scripts and with other separators: refused and shown masked.
	{
		name: 'full-width card',
		row: card('10', { card_number: CARD_FULLWIDTH }),
		field: 'field "card_number"',
		rule: PATTERN,
		shows: '"411111******1111"',
	},
	{
		name: 'Arabic-Indic card',
		row: card('10', { card_number: CARD_ARABIC_INDIC }),
		field: 'field "card_number"',
		rule: PATTERN,
		shows: '"411111******1111"',
	},
	{
		name: 'Devanagari card with spaces',
		row: card('10', { card_number: CARD_DEVANAGARI }),
		field: 'field "card_number"',
		rule: PATTERN,
		shows: '"411111******1111"',
	},
	{
		name: 'card with dots',
		row: card('10', { card_number: CARD_DOTS }),
		field: 'field "card_number"',
		rule: PATTERN,
		shows: '"411111******1111"',
	},
	{
		name: 'card with no-break spaces',
		row: card('10', { card_number: CARD_NBSP }),
		field: 'field "card_number"',
		rule: PATTERN,
		shows: '"411111******1111"',
	},
	{
		name: 'card in Persian digits with dashes',
		row: card('10', { card_number: CARD_EXT_ARABIC }),
		field: 'field "card_number"',
		rule: PATTERN,
		shows: '"411111******1111"',
	},
	{
		name: 'card in mathematical bold digits',
		row: card('10', { card_number: CARD_MATH_BOLD }),
		field: 'field "card_number"',
		rule: PATTERN,
		shows: '"411111******1111"',
	},
	{
		name: 'full-width card in a non-card field',
		row: usd('10', { account: CARD_FULLWIDTH }),
		field: 'field "account"',
		rule: PATTERN,
		shows: '411111******1111',
	},
	{
		name: 'thin-spaced card in a non-card field',
		row: usd('10', { account: CARD_THIN }),
		field: 'field "account"',
		rule: PATTERN,
		shows: '411111******1111',
	},
	{
		name: 'dotted card in a non-card field',
		row: usd('10', { account: CARD_DOTS }),
		field: 'field "account"',
		rule: PATTERN,
		shows: '411111******1111',
	},
	// Run safety limit (EUR 100.00 for this run): good-eur-1 takes 60.00, this row would make 110.00…
	{
		name: 'crosses the run safety limit',
		row: { service: 'payment_card_eur', currency: 'EUR', amount: '50', card_number: CARD },
		field: 'amount',
		rule: "would take this run's EUR total to 110.00, over the run's safety limit of 100.00 EUR; not sent, and the run stops here",
		stage: 'safety_limit',
	},
	// …and every EUR row after it is not sent either, however small.
	{
		name: 'after the safety limit stopped the run',
		row: { service: 'payment_card_eur', currency: 'EUR', amount: '1', card_number: CARD },
		field: 'amount',
		rule: 'not sent: the run stopped at row',
		stage: 'safety_limit',
	},
];

/** Good rows mixed in: each must be created exactly once next to the bad ones. */
const GOOD: Array<{ name: string; row: IDataObject }> = [
	{ name: 'plain', row: usd('10.00') },
	{ name: 'lower-case currency is upper-cased', row: usd('12.34', { currency: 'usd' }) },
	{ name: 'number amount', row: usd(25) },
	{ name: 'card', row: card('25') },
	{
		name: 'split mode lets an amount above the maximum pass',
		row: card('6000', { split_mode: true }),
	},
	{
		name: 'JPY whole amount',
		row: { service: 'payment_card_jpy', currency: 'JPY', amount: '1000', card_number: CARD },
	},
	{
		name: 'IBAN',
		row: { service: 'bank_transfer_eur', amount: '50', iban: IBAN, beneficiary_name: 'John Smith' },
	},
	{ name: 'first of a duplicated reference ID', row: { reference_id: 'good-dup', ...usd('10') } },
	{
		name: 'under the EUR safety limit',
		row: { service: 'payment_card_eur', currency: 'EUR', amount: '60', card_number: CARD },
	},
];

interface TableRow {
	name: string;
	row: IDataObject;
	bad?: BadRow;
}

/** Good and bad rows interleaved; the two EUR safety-limit rows go last, after the good EUR row. */
function table(): TableRow[] {
	const out: TableRow[] = [];
	const goods = GOOD.filter((good) => !good.name.startsWith('under the EUR'));
	const bads = BAD.filter((bad) => bad.stage !== 'safety_limit');
	const eurGood = GOOD.find((good) => good.name.startsWith('under the EUR'))!;
	const goodDup = goods.findIndex((good) => good.row.reference_id === 'good-dup');
	// The first occurrence of the duplicated reference must come before the second.
	out.push({ name: goods[goodDup].name, row: goods[goodDup].row });
	const rest = goods.filter((_, index) => index !== goodDup);
	bads.forEach((bad, index) => {
		out.push({ name: bad.name, row: bad.row, bad });
		if (index % 6 === 0 && rest.length) {
			const good = rest.shift()!;
			out.push({ name: good.name, row: good.row });
		}
	});
	for (const good of rest) out.push({ name: good.name, row: good.row });
	out.push({ name: eurGood.name, row: eurGood.row });
	for (const bad of BAD.filter((entry) => entry.stage === 'safety_limit'))
		out.push({ name: bad.name, row: bad.row, bad });
	return out.map((entry, index) => ({
		...entry,
		row:
			'reference_id' in entry.row
				? entry.row
				: { reference_id: `${entry.bad ? 'bad' : 'good'}-${index + 1}`, ...entry.row },
	}));
}

const ROWS = table();
const INPUT = ROWS.map((entry) => {
	// JSON has no undefined: a row "without reference ID" simply has no such column.
	const row = { ...entry.row };
	if (row.reference_id === undefined) delete row.reference_id;
	return row;
});

function parameters(operation: string, rowsFrom: RowsFrom): IDataObject {
	return payoutParameters(
		operation,
		{
			safetyLimits: { limit: [{ currency: 'EUR', maxTotal: '100' }] },
			// The good rows pay one test account and one card again and again: what this suite is about is
			// each bad row's own error (one payee in several rows: samePayee.test.ts).
			allowSamePayee: true,
		},
		// In columns mode too an expression here is evaluated for each row (readColumnRequests.ts).
		{ invoiceOptions: { split_mode: '={{ $json.split_mode === true }}' } },
		rowsFrom,
	);
}

let sandbox: RunningSandbox;
const collected: string[] = [];

/** What the node put out: its items and errors (not the input rows, which hold the card numbers on purpose). */
function collect(result: WorkflowRunResult): void {
	collected.push(
		JSON.stringify(result.runData[PT_NODE] ?? null),
		JSON.stringify(result.executionError ?? null),
	);
	const error = result.errorOf(PT_NODE);
	if (error) collected.push(`${error.message}\n${String(error.description)}`);
}

async function run(
	operation: string,
	rows: IDataObject[],
	continueOnFail: boolean,
	rowsFrom: RowsFrom,
): Promise<WorkflowRunResult> {
	const result = await runWorkflow({
		workflow: paymentsTrustWorkflow(
			parameters(operation, rowsFrom),
			rowsFor(rows, rowsFrom),
			continueOnFail ? { onError: 'continueRegularOutput' } : {},
		),
		credentials: { paymentsTrustApi: sandbox.credentials as never },
	});
	collect(result);
	return result;
}

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(async () => sandbox.close());
checkModeAfterEachTest(() => sandbox);

it(`the table has at least 70 malformed rows, every one different`, () => {
	expect(BAD.length).toBeGreaterThanOrEqual(70);
	expect(new Set(BAD.map((bad) => bad.name)).size).toBe(BAD.length);
});

function expectRefusal(item: INodeExecutionData | undefined, index: number, bad: BadRow): void {
	const json = item?.json ?? {};
	const entry = ROWS[index];
	const got = {
		name: bad.name,
		row: json.row,
		stage: json.stage,
		field: json.field,
		pairedItem: item?.pairedItem,
	};
	expect(got).toEqual({
		name: bad.name,
		row: index + 1,
		stage: bad.stage ?? 'validation',
		field: bad.field,
		pairedItem: { item: index },
	});
	expect({ name: bad.name, rule: json.rule }).toEqual({
		name: bad.name,
		rule: expect.stringContaining(bad.rule),
	});
	const reference =
		typeof entry.row.reference_id === 'string' ? `, reference ID "${entry.row.reference_id}"` : '';
	expect({ name: bad.name, error: json.error }).toEqual({
		name: bad.name,
		error: `Row ${index + 1} (item ${index}${reference}): ${bad.field} ${String(json.rule)}`,
	});
	if (bad.shows)
		expect({ name: bad.name, error: json.error }).toEqual({
			name: bad.name,
			error: expect.stringContaining(bad.shows),
		});
	if (bad.pattern)
		expect({ name: bad.name, pattern: json.pattern }).toEqual({
			name: bad.name,
			pattern: bad.pattern,
		});
	// No raw regular expression in what a person reads.
	expect({ name: bad.name, error: json.error }).toEqual({
		name: bad.name,
		error: expect.not.stringMatching(/\^\\d|\$$|\[A-Z\]/),
	});
}

// Both ways of reading a row ("Rows From") must refuse exactly the same rows with exactly the same errors.
describe.each(ROWS_FROM)('rows from %s', (rowsFrom) => {
	describe('Validate', () => {
		it('gives every bad row exactly its error and every good row valid, in input order, sending nothing', async () => {
			const result = await run('validate', INPUT, false, rowsFrom);
			const items = result.outputOf(PT_NODE);
			expect(items).toHaveLength(ROWS.length);
			ROWS.forEach((entry, index) => {
				if (entry.bad) {
					expectRefusal(items[index], index, entry.bad);
					expect(items[index].json.valid).toBe(false);
				} else {
					expect({
						name: entry.name,
						valid: items[index].json.valid,
						error: items[index].json.error,
					}).toEqual({ name: entry.name, valid: true, error: undefined });
					expect(items[index].pairedItem).toEqual({ item: index });
				}
			});
			const byName = new Map(ROWS.map((entry, index) => [entry.name, items[index].json]));
			expect(byName.get('lower-case currency is upper-cased')).toMatchObject({
				currency: 'USD',
				amount: '12.34',
			});
			expect(byName.get('card')).toMatchObject({ fields: { card_number: '411111******1111' } });
			expect(sandbox.ledger().calls).toEqual([]);
		});
	});

	describe('Create with Continue On Fail', () => {
		it('creates every good row once and refuses every bad row with the same error, nothing of them reaching the platform', async () => {
			sandbox.reset();
			const result = await run('create', INPUT, true, rowsFrom);
			const items = result.outputOf(PT_NODE);
			expect(items).toHaveLength(ROWS.length);
			const ledger = sandbox.ledger();
			const goodRefs = new Set<string>();
			ROWS.forEach((entry, index) => {
				if (entry.bad) {
					expectRefusal(items[index], index, entry.bad);
					return;
				}
				const reference = String(entry.row.reference_id);
				goodRefs.add(reference);
				expect({
					name: entry.name,
					error: items[index].json.error,
					status: items[index].json.status,
				}).toEqual({
					name: entry.name,
					error: undefined,
					status: 'created',
				});
				expect(items[index].pairedItem).toEqual({ item: index });
				const invoices = ledger.invoices.filter((invoice) => invoice.referenceId === reference);
				expect({ name: entry.name, invoices: invoices.map((invoice) => invoice.id) }).toEqual({
					name: entry.name,
					invoices: [items[index].json.id],
				});
			});
			// Only the good rows were ever sent: one create each, all accepted, no process call.
			expect(ledger.calls.map((call) => call.referenceId).sort()).toEqual([...goodRefs].sort());
			expect(
				ledger.calls.every((call) => call.operation === 'create' && call.outcome === 'accepted'),
			).toBe(true);
			expect(ledger.invoices).toHaveLength(goodRefs.size);
			const split = ROWS.findIndex((entry) => entry.name.startsWith('split mode'));
			expect(items[split].json).toMatchObject({ amount: 6000, status: 'created' });
		});
	});

	describe('Create without Continue On Fail', () => {
		it.each([
			['a bad amount', BAD.find((bad) => bad.name === 'thousands separator')!],
			['a disabled service', BAD.find((bad) => bad.name === 'disabled service')!],
			['a 15-digit card', BAD.find((bad) => bad.name === '15-digit card')!],
		])(
			'one row with %s stops the node before any request that creates anything',
			async (_label, bad) => {
				sandbox.reset();
				const rows = [usd('10'), usd('11'), bad.row, usd('12')].map((row, index) => ({
					reference_id: `stop-${index + 1}`,
					...row,
				}));
				const result = await run('create', rows, false, rowsFrom);
				const error = result.executionError ?? result.errorOf(PT_NODE);
				expect(
					error?.message.startsWith(`Row 3 (item 2, reference ID "stop-3"): ${bad.field} `),
				).toBe(true);
				expect(error?.message).toContain(bad.rule);
				expect(String(error?.description)).toContain('Nothing was sent');
				expect(sandbox.ledger().calls).toEqual([]);
				expect(sandbox.ledger().invoices).toEqual([]);
			},
		);

		it('and so does Create and Process', async () => {
			sandbox.reset();
			const rows = [usd('10'), card('10', { card_number: CARD_17 })].map((row, index) => ({
				reference_id: `stop-cp-${index + 1}`,
				...row,
			}));
			const result = await runWorkflow({
				workflow: paymentsTrustWorkflow(
					payoutParameters('createAndProcess', {}, {}, rowsFrom),
					rowsFor(rows, rowsFrom),
				),
				credentials: { paymentsTrustApi: sandbox.credentials as never },
			});
			collect(result);
			expect(result.executionError?.message).toContain(
				'Row 2 (item 1, reference ID "stop-cp-2"): field "card_number" "411111*******1112"',
			);
			expect(sandbox.ledger().calls).toEqual([]);
		});
	});
});

/**
 * Issue 12: run settings that cannot apply as written. Each stops the node before anything is sent, with an
 * error naming the option and the value; with Continue On Fail every row gets that error (never fewer items).
 */
const BAD_SETTINGS: Array<{ name: string; options: IDataObject; message: string }> = [
	{
		name: 'concurrency is text',
		options: { concurrency: '={{ "ten" }}' },
		message: 'Option "Concurrency" must be a whole number from 1 to 50, not "ten"',
	},
	{
		name: 'concurrency is 0',
		options: { concurrency: 0 },
		message: 'Option "Concurrency" must be a whole number from 1 to 50, not 0',
	},
	{
		name: 'concurrency is 51',
		options: { concurrency: 51 },
		message: 'Option "Concurrency" must be a whole number from 1 to 50, not 51',
	},
	{ name: 'concurrency is 2.5', options: { concurrency: 2.5 }, message: 'not 2.5' },
	{
		name: 'concurrency is NaN',
		options: { concurrency: '={{ NaN }}' },
		message: 'Option "Concurrency"',
	},
	{
		name: 'max attempts is 0',
		options: { maxAttempts: 0 },
		message: 'Option "Max Attempts" must be a whole number from 1 to 10, not 0',
	},
	{
		name: 'max attempts is 11',
		options: { maxAttempts: 11 },
		message: 'Option "Max Attempts" must be a whole number from 1 to 10, not 11',
	},
	{
		name: 'request timeout is 0',
		options: { requestTimeout: 0 },
		message: 'Option "Request Timeout (Seconds)" must be a number from 1 to 600, not 0',
	},
	{ name: 'request timeout is negative', options: { requestTimeout: -5 }, message: 'not -5' },
	{
		name: 'request timeout is text',
		options: { requestTimeout: '={{ "30s" }}' },
		message: 'Option "Request Timeout (Seconds)" must be a number from 1 to 600, not "30s"',
	},
	{
		name: 'max wait is 0',
		options: { waitForFinalStatus: true, maxWaitSeconds: 0 },
		message: 'Option "Max Wait (Seconds)" must be a number from 1 to 86400, not 0',
	},
	{
		name: 'poll interval too short',
		options: { waitForFinalStatus: true, pollIntervalSeconds: 0.01 },
		message: 'Option "Poll Interval (Seconds)" must be a number from 0.05 to 3600, not 0.01',
	},
	{
		name: 'poll interval is a list',
		options: { waitForFinalStatus: true, pollIntervalSeconds: '={{ [1] }}' },
		message: 'Option "Poll Interval (Seconds)"',
	},
	{
		name: 'safety limit currency mistyped',
		options: { safetyLimits: { limit: [{ currency: 'EUD', maxTotal: '100' }] } },
		message: 'Run safety limit: "EUD" is not an ISO 4217 currency code',
	},
	{
		name: 'safety limit currency of four letters',
		options: { safetyLimits: { limit: [{ currency: 'EURO', maxTotal: '100' }] } },
		message: '"EURO" is not an ISO 4217 currency code',
	},
	{
		name: 'safety limit currency empty',
		options: { safetyLimits: { limit: [{ currency: '', maxTotal: '100' }] } },
		message: '"" is not an ISO 4217 currency code',
	},
	{
		name: 'two safety limits for one currency',
		options: {
			safetyLimits: {
				limit: [
					{ currency: 'USD', maxTotal: '100' },
					{ currency: 'usd', maxTotal: '1000' },
				],
			},
		},
		message: 'Run safety limit: USD has two limits; keep one limit per currency',
	},
	{
		name: 'safety limit with a comma',
		options: { safetyLimits: { limit: [{ currency: 'USD', maxTotal: '1,000' }] } },
		message: 'Run safety limit for USD: max total "1,000" must not contain commas',
	},
	{
		name: 'safety limit beyond the exact range',
		options: { safetyLimits: { limit: [{ currency: 'USD', maxTotal: '72860530685245.99' }] } },
		message: 'has more significant digits',
	},
];

describe('Run settings that cannot apply as written', () => {
	it('the settings table has at least 15 entries, every one different', () => {
		expect(BAD_SETTINGS.length).toBeGreaterThanOrEqual(15);
		expect(new Set(BAD_SETTINGS.map((bad) => bad.name)).size).toBe(BAD_SETTINGS.length);
	});

	it.each(BAD_SETTINGS.map((bad) => [bad.name, bad] as const))(
		'%s: stops the node before anything is sent',
		async (_name, bad) => {
			sandbox.reset();
			const rows = [usd('10'), usd('11')].map((row, index) => ({
				reference_id: `opt-${index + 1}`,
				...row,
			}));
			const result = await runWorkflow({
				workflow: paymentsTrustWorkflow(payoutParameters('createAndProcess', bad.options), rows),
				credentials: { paymentsTrustApi: sandbox.credentials as never },
			});
			collect(result);
			const error = result.executionError ?? result.errorOf(PT_NODE);
			expect({ name: bad.name, message: error?.message }).toEqual({
				name: bad.name,
				message: expect.stringContaining(bad.message),
			});
			expect(sandbox.ledger().calls).toEqual([]);

			// With Continue On Fail: still nothing sent, and one error item per row.
			const tolerant = await runWorkflow({
				workflow: paymentsTrustWorkflow(payoutParameters('createAndProcess', bad.options), rows, {
					onError: 'continueRegularOutput',
				}),
				credentials: { paymentsTrustApi: sandbox.credentials as never },
			});
			collect(tolerant);
			const items = tolerant.outputOf(PT_NODE);
			expect(items.map((item) => String(item.json.error ?? '').includes(bad.message))).toEqual([
				true,
				true,
			]);
			expect(sandbox.ledger().calls).toEqual([]);
		},
	);
});

it('never shows a card number unmasked, in any output or error of these runs', () => {
	expect(collected.length).toBeGreaterThan(0);
	for (const text of collected) {
		for (const number of CARD_NUMBERS) expect(text.includes(number) ? number : null).toBeNull();
	}
});
