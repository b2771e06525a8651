/**
 * Issue 30, platform fidelity: the API reference makes `reference_id` a required attribute of the `customer`
 * object. Validate lists a row whose Customer lacks it like any other bad row, and the paying operations send
 * nothing for it; the sandbox refuses such a create with 422, as the platform does. Judged by the ledger.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest } from '../support/explicitMode';
import { payoutParameters } from '../support/payoutWorkflow';
import { CONTINUE_ON_FAIL, runNode } from '../support/runNode';

let sandbox: RunningSandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(async () => await sandbox.close());
checkModeAfterEachTest(() => sandbox);

const ROWS: IDataObject[] = [
	{ reference_id: 'cust-ok', amount: '10', account: '12345', customer_ref: 'c-1' },
	{ reference_id: 'cust-missing', amount: '11', account: '12345', customer_ref: '' },
];
const withCustomer = (operation: string) =>
	payoutParameters(
		operation,
		{},
		{
			additionalFields: {
				customer: { name: 'Ada Lovelace', reference_id: '={{ $json.customer_ref }}' },
			},
		},
	);
const MESSAGE =
	'Row 2 (item 1, reference ID "cust-missing"): customer reference ID is required by the API when ' +
	'a customer is sent (Additional Fields → Customer → Customer Reference ID)';

it('Validate lists the row without a customer reference ID like any other bad row', async () => {
	const run = await runNode(sandbox.credentials, withCustomer('validate'), ROWS);
	expect(run.json()[0]).toMatchObject({ valid: true, referenceId: 'cust-ok' });
	expect(run.json()[1]).toMatchObject({
		valid: false,
		stage: 'validation',
		field: 'customer reference ID',
		error: MESSAGE,
	});
	expect(sandbox.ledger().calls).toHaveLength(0);
});

it('Create and Process sends nothing for it; the good row is paid', async () => {
	const run = await runNode(
		sandbox.credentials,
		withCustomer('createAndProcess'),
		ROWS,
		CONTINUE_ON_FAIL,
	);
	expect(run.json()[1]).toMatchObject({ error: MESSAGE });
	const ledger = sandbox.ledger();
	expect(ledger.invoices.map((invoice) => invoice.referenceId)).toEqual(['cust-ok']);
	expect(ledger.calls.filter((call) => call.referenceId === 'cust-missing')).toEqual([]);
});

it('the sandbox refuses such a create with 422, as the platform does', async () => {
	const response = await fetch(`${sandbox.baseUrl}/api/payout-invoices`, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			authorization: `Basic ${Buffer.from(`${sandbox.credentials.accountId}:${sandbox.credentials.apiKey}`).toString('base64')}`,
		},
		body: JSON.stringify({
			data: {
				type: 'payout-invoice',
				attributes: {
					reference_id: 'cust-direct',
					service: 'test_usd',
					currency: 'USD',
					amount: 5,
					fields: { account: '12345' },
					customer: { name: 'Ada Lovelace' },
					test_mode: true,
				},
			},
		}),
	});
	expect(response.status).toBe(422);
	expect(JSON.stringify(await response.json())).toContain('customer.reference_id');
});
