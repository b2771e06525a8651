/**
 * A pre-request answer the node cannot read (a 200 without `data.services`) is a failed read, never "no services"
 * or "no field rules": before this, a garbled pre-request let Create send rows whose fields no rule had checked.
 * The ledger says what was created.
 */
import { useSandboxBehindFront } from '../support/sandboxBehindFront';
import { payoutParameters } from '../support/payoutWorkflow';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';

const { sandbox, front, credentials } = useSandboxBehindFront();
const FAST = { maxAttempts: 2, requestTimeout: 2 };

/** Every pre-request answered 200 with `body`; everything else goes through to the sandbox. */
function garblePrerequest(body: object): () => number {
	let served = 0;
	front().intercept = (res, path, method) => {
		if (method !== 'POST' || !path.endsWith('/payout-prerequest')) return false;
		served++;
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
		return true;
	};
	return () => served;
}

describe.each([
	['{}', {}],
	['data without services', { data: { currency: 'USD', amount: 10, test_mode: true } }],
	['data as a list', { data: [] }],
])('a pre-request answered 200 with %s', (_what, body) => {
	it('Get Available Services fails as an unreadable answer, it does not say "no services"', async () => {
		const served = garblePrerequest(body);
		const run = await runNode(credentials(), {
			resource: 'prerequest',
			operation: 'getServices',
			currency: 'USD',
			amount: '10',
		});
		expect(served()).toBeGreaterThan(0);
		expect(run.result.status).toBe('error');
		expect(failureText(run.result)).toMatch(/could not be read/);
	});

	it('Create sends nothing: no row goes out with fields no rule has checked', async () => {
		garblePrerequest(body);
		const rows = [
			{ reference_id: 'pu-bad-account', amount: '5.00', account: 'not digits' },
			{ reference_id: 'pu-good-account', amount: '5.00', account: '12345' },
		];
		const run = await runNode(
			credentials(),
			payoutParameters('create', FAST),
			rows,
			CONTINUE_ON_FAIL,
		);
		expect(sandbox().ledger().invoices).toHaveLength(0);
		const json = run.json();
		expect(json).toHaveLength(2);
		for (const item of json) expect(String(item.error ?? '')).toMatch(/Pre-request/i);
	});
});

it('an empty list of services (PHP writes an empty map as []) is read as "no services", not as unreadable', async () => {
	garblePrerequest({ data: { currency: 'USD', amount: 10, test_mode: true, services: [] } });
	const run = await runNode(credentials(), {
		resource: 'prerequest',
		operation: 'getServices',
		currency: 'USD',
		amount: '10',
	});
	expect(run.result.status).not.toBe('error');
	expect(run.json()).toHaveLength(0);
});
