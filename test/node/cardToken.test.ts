/**
 * The optional Card Token (attribute `token`): a saved card stands in for a card service's card fields.
 * Checked against the sandbox, which, like the platform, refuses a card payout with neither.
 */
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

const withToken = (operation: string) =>
	payoutParameters(operation, {}, { additionalFields: { token: '={{ $json.token }}' } });
const card = (reference: string, extra: Record<string, unknown> = {}) => ({
	reference_id: reference,
	service: 'payment_card_usd',
	currency: 'USD',
	amount: '20',
	...extra,
});
const invoices = (prefix: string) =>
	sandbox.ledger().invoices.filter((invoice) => invoice.referenceId.startsWith(prefix));

it('a card payout with a token and no card number passes validation and the platform pays it', async () => {
	const preview = await runNode(sandbox.credentials, withToken('validate'), [
		card('tok-v-1', { token: 'tok_saved_card_1' }),
	]);
	expect(preview.json()[0]).toMatchObject({ valid: true, referenceId: 'tok-v-1' });
	const run = await runNode(sandbox.credentials, withToken('createAndProcess'), [
		card('tok-pay-1', { token: 'tok_saved_card_1' }),
	]);
	expect(run.result.status).toBe('success');
	expect(invoices('tok-pay-')).toHaveLength(1);
});

it('without a token the missing card number is refused before anything is sent', async () => {
	const run = await runNode(
		sandbox.credentials,
		withToken('createAndProcess'),
		[card('tok-none-1', { token: '' })],
		CONTINUE_ON_FAIL,
	);
	expect(run.json()[0]).toMatchObject({
		stage: 'validation',
		field: 'field "card_number"',
		rule: 'is required by service "payment_card_usd"',
	});
	expect(invoices('tok-none-')).toHaveLength(0);
});

it('card fields given next to a token take priority and are still checked', async () => {
	const run = await runNode(
		sandbox.credentials,
		withToken('createAndProcess'),
		[card('tok-both-1', { token: 'tok_saved_card_1', card_number: '4111' })],
		CONTINUE_ON_FAIL,
	);
	expect(run.json()[0]).toMatchObject({
		stage: 'validation',
		field: 'field "card_number"',
		rule: '"4111" does not fit Card number: 16 digits',
	});
	expect(invoices('tok-both-')).toHaveLength(0);
});

it('a token does not stand in for fields that are not card details', async () => {
	const run = await runNode(sandbox.credentials, withToken('validate'), [
		{
			reference_id: 'tok-bank-1',
			service: 'bank_transfer_eur',
			currency: 'USD',
			amount: '20',
			token: 'tok_saved_card_1',
		},
	]);
	expect(run.json()[0]).toMatchObject({ valid: false, field: 'field "iban"' });
});
