/**
 * Issue 26: Retry Failed Rows. A row whose payout ended without paying is paid again as a linked attempt
 * (`R~2`, metadata naming R and the number), only when every earlier attempt ended in a final status in which no
 * money moved; everything else comes out saying why. Judged by the sandbox's ledger.
 */
import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { startFaultProxy } from '../support/faultProxy';
import { asExpression, payoutParameters } from '../support/payoutWorkflow';
import { CONTINUE_ON_FAIL, failureText, runNode } from '../support/runNode';
import { useSandbox } from '../support/sandboxSuite';
import { privateClient, testUsdBody } from '../sandbox/helpers';

const sandbox = useSandbox();

const RETRY = { retryFailedRows: true };
const FAILS = { test_details_payout_status: 'process failed' };
const WAIT = { waitForFinalStatus: true, maxWaitSeconds: 10, pollIntervalSeconds: 0.05 };

let counter = 0;
const nextRef = (prefix = 'rt') => `${prefix}-${++counter}`;

/**
 * A row of its own payee: the account is derived from the reference ID, so two rows of one sheet
 * never pay one payee (which stops a run, docs/same-payee.md) and a row's retries pay the same one.
 */
function row(reference: string, extra: IDataObject = {}): IDataObject {
	const account = [...reference].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 1e9, 7);
	return { reference_id: reference, amount: '12.50', account: String(account), ...extra };
}

/** Create and Process (waiting for each final status unless `wait` is false), Continue On Fail on. */
async function pay(rows: IDataObject[], options: IDataObject = {}, wait = true) {
	return await runNode(
		sandbox.credentials,
		payoutParameters('createAndProcess', { ...(wait ? WAIT : {}), ...options }),
		rows,
		CONTINUE_ON_FAIL,
	);
}

const invoicesOf = (reference: string) =>
	sandbox
		.ledger()
		.invoices.filter(
			(invoice) =>
				invoice.referenceId === reference || invoice.referenceId.startsWith(`${reference}~`),
		)
		.sort((a, b) => a.referenceId.localeCompare(b.referenceId));
const callsOf = (reference: string) => {
	const ids = new Set(invoicesOf(reference).map((invoice) => invoice.id));
	return sandbox
		.ledger()
		.calls.filter(
			(call) =>
				(call.referenceId !== null &&
					(call.referenceId === reference || call.referenceId.startsWith(`${reference}~`))) ||
				(call.invoiceId !== null && ids.has(call.invoiceId)),
		);
};

async function metadataOf(reference: string): Promise<IDataObject | null> {
	const answer = await privateClient(sandbox).get('/payout-invoices', {
		params: { 'filter[reference_id]': reference },
	});
	const found = (answer.data.data as IDataObject[]).find(
		(invoice) => (invoice.attributes as IDataObject).reference_id === reference,
	);
	return ((found?.attributes as IDataObject | undefined)?.metadata as IDataObject) ?? null;
}

/**
 * An invoice made outside the node, as attempt `n` of `reference` (its metadata says so unless `asAttempt` is
 * false), through `baseUrl` (the sandbox, or a proxy in front of it). Returns the invoice's ID.
 */
async function makeInvoice(
	reference: string,
	n: number,
	{ baseUrl = sandbox.baseUrl, asAttempt = true } = {},
): Promise<string> {
	const { accountId, apiKey } = sandbox.credentials;
	const body = testUsdBody({
		reference_id: `${reference}~${n}`,
		amount: 12.5,
		fields: { account: '12345' },
		...(asAttempt ? { metadata: { original_reference_id: reference, attempt: n } } : {}),
	});
	const made = await fetch(`${baseUrl}/api/payout-invoices`, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			authorization: `Basic ${Buffer.from(`${accountId}:${apiKey}`).toString('base64')}`,
		},
		body: JSON.stringify(body),
	});
	expect(made.status).toBe(201);
	return String(((await made.json()) as { data: { id: string } }).data.id);
}

describe('a failed row, run again with Retry Failed Rows', () => {
	it('is paid as attempt 2 ("R~2", metadata naming R and 2); run again, nothing more is paid', async () => {
		const reference = nextRef();
		const first = (await pay([row(reference, FAILS)], RETRY)).json()[0];
		expect(first).toMatchObject({
			referenceId: reference,
			originalReferenceId: reference,
			status: 'process_failed',
			attempt: 1,
			attempts: 1,
			retried: false,
			willRetry: true,
		});
		expect(first.retryNote).toContain(`sends attempt 2 ("${reference}~2")`);

		// The row fixed (here: no longer told to fail) and run again.
		const second = (await pay([row(reference)], RETRY)).json()[0];
		expect(second).toMatchObject({
			referenceId: `${reference}~2`,
			originalReferenceId: reference,
			status: 'processed',
			attempt: 2,
			attempts: 2,
			retried: true,
		});
		expect(await metadataOf(`${reference}~2`)).toMatchObject({
			original_reference_id: reference,
			attempt: 2,
		});
		expect(invoicesOf(reference).map((invoice) => [invoice.referenceId, invoice.status])).toEqual([
			[reference, 'process_failed'],
			[`${reference}~2`, 'processed'],
		]);

		const calls = callsOf(reference).length;
		const third = (await pay([row(reference)], RETRY)).json()[0];
		expect(third).toMatchObject({ attempt: 2, attempts: 2, status: 'processed', retried: false });
		expect(callsOf(reference)).toHaveLength(calls);
		expect(invoicesOf(reference)).toHaveLength(2);
	});

	it('the row’s own metadata is kept on the attempt, and an item of Simplify keeps the attempt fields', async () => {
		const reference = nextRef();
		await pay([row(reference, FAILS)], RETRY);
		const run = await runNode(
			sandbox.credentials,
			payoutParameters(
				'createAndProcess',
				{ ...WAIT, ...RETRY },
				{ additionalFields: { metadata: '{"batch": "b-7"}' } },
			),
			[row(reference)],
		);
		expect(run.json()[0]).toMatchObject({ attempt: 2, originalReferenceId: reference });
		expect(await metadataOf(`${reference}~2`)).toEqual({
			batch: 'b-7',
			original_reference_id: reference,
			attempt: 2,
		});
	});

	it('stops at Max Attempts per Row: no further attempt, the item says why and what to do', async () => {
		const reference = nextRef();
		const options = { ...RETRY, maxAttemptsPerRow: 2 };
		await pay([row(reference, FAILS)], options);
		const second = (await pay([row(reference, FAILS)], options)).json()[0];
		expect(second).toMatchObject({ attempt: 2, status: 'process_failed', retried: true });
		const calls = callsOf(reference).length;
		const third = (await pay([row(reference, FAILS)], options)).json()[0];
		expect(third).toMatchObject({
			attempt: 2,
			attempts: 2,
			status: 'process_failed',
			retried: false,
			willRetry: false,
		});
		expect(third.retryNote).toMatch(/Not retried: .*Max Attempts per Row \(2\) is reached/);
		// The row fixed after its last failure (another amount): still reported, still nothing sent.
		const fixed = (await pay([row(reference, { ...FAILS, amount: '13.00' })], options)).json()[0];
		expect(fixed).toMatchObject({ attempt: 2, status: 'process_failed', willRetry: false });
		expect(callsOf(reference)).toHaveLength(calls);
	});
});

describe('every status class of the latest attempt', () => {
	const statusRow = (reference: string, status: string) =>
		row(reference, { test_details_payout_status: status.replace(/_/g, ' ') });

	it.each(['expired', 'terminated', 'canceled', 'process_failed'])(
		'%s (final, no money moved): retried',
		async (status) => {
			const reference = nextRef();
			await pay([statusRow(reference, status)]);
			expect(invoicesOf(reference)[0].status).toBe(status);
			const item = (await pay([row(reference)], RETRY)).json()[0];
			expect(item).toMatchObject({ attempt: 2, status: 'processed', retried: true });
		},
	);

	it.each(['processed', 'partially_processed', 'partially_canceled', 'cancel_failed'])(
		'%s (money moved, or may have): never retried; nothing is sent',
		async (status) => {
			const reference = nextRef();
			await pay([statusRow(reference, status)]);
			const calls = callsOf(reference).length;
			const item = (await pay([row(reference)], RETRY)).json()[0];
			expect(item).toMatchObject({ attempt: 1, attempts: 1, status, retried: false });
			if (status === 'processed') expect(item.retryNote).toBeNull();
			else expect(item.retryNote).toMatch(/^Never retried: .*money may have reached the payee/);
			expect(callsOf(reference)).toHaveLength(calls);
			expect(invoicesOf(reference)).toHaveLength(1);
		},
	);

	it.each([
		'processing',
		'process_pending',
		'process_error',
		'canceling',
		'cancel_pending',
		'cancel_error',
	])('%s (not final): never retried; nothing is sent', async (status) => {
		const reference = nextRef();
		await pay([statusRow(reference, status)], {}, false);
		// The sandbox moves it from processing to the status asked for a moment later.
		await sleep(150);
		expect(invoicesOf(reference)[0].status).toBe(status);
		const calls = callsOf(reference).length;
		const item = (await pay([row(reference)], RETRY, false)).json()[0];
		expect(item).toMatchObject({ attempt: 1, status, retried: false });
		expect(item.retryNote).toMatch(/^Not retried: .* is .*, not final/);
		expect(callsOf(reference)).toHaveLength(calls);
	});

	it('created: no new attempt; the attempt is processed, once', async () => {
		const reference = nextRef();
		await runNode(sandbox.credentials, payoutParameters('create'), [row(reference)]);
		const item = (await pay([row(reference)], RETRY)).json()[0];
		expect(item).toMatchObject({
			attempt: 1,
			attempts: 1,
			status: 'processed',
			processRequested: true,
		});
		expect(invoicesOf(reference)).toHaveLength(1);
		expect(invoicesOf(reference)[0].processCommitted).toBe(1);
	});
});

describe('two runs, a lost answer, an attempt that already exists', () => {
	it('two runs at once make one attempt 2, processed once', async () => {
		const reference = nextRef();
		await pay([row(reference, FAILS)]);
		const [a, b] = await Promise.all([pay([row(reference)], RETRY), pay([row(reference)], RETRY)]);
		expect(invoicesOf(reference)).toHaveLength(2);
		const attempt2 = invoicesOf(reference)[1];
		expect(attempt2).toMatchObject({
			referenceId: `${reference}~2`,
			createsCommitted: 1,
			processCommitted: 1,
		});
		for (const item of [a.json()[0], b.json()[0]])
			expect(item).toMatchObject({ attempt: 2, id: attempt2.id, status: 'processed' });
	});

	it('a retry whose create answer cannot be read is looked up, not sent again', async () => {
		const reference = nextRef();
		await pay([row(reference, FAILS)]);
		const proxy = await startFaultProxy(sandbox.baseUrl, {
			seed: 1,
			rate: 0,
			lagReads: 0,
			force: (request) =>
				request.operation === 'create' && request.referenceId === `${reference}~2`
					? 'garbled_after'
					: undefined,
		});
		try {
			const run = await runNode(
				{ ...sandbox.credentials, baseUrl: proxy.baseUrl },
				payoutParameters('createAndProcess', {
					...WAIT,
					...RETRY,
					maxAttempts: 3,
					requestTimeout: 1,
				}),
				[row(reference)],
				CONTINUE_ON_FAIL,
			);
			expect(run.json()[0]).toMatchObject({
				attempt: 2,
				foundAfterError: true,
				status: 'processed',
			});
		} finally {
			await proxy.close();
		}
		const creates = callsOf(reference).filter(
			(call) => call.operation === 'create' && call.referenceId === `${reference}~2`,
		);
		expect(creates).toHaveLength(1);
		expect(invoicesOf(reference)[1]).toMatchObject({ createsCommitted: 1, processCommitted: 1 });
	});

	it('an attempt made by someone else after this run looked is found by the 409 and never sent again', async () => {
		const reference = nextRef();
		await pay([row(reference, FAILS)]);
		// Made through the proxy: the next reads about it still say there is none (a lagging look-up).
		const proxy = await startFaultProxy(sandbox.baseUrl, { seed: 1, rate: 0, lagReads: 2 });
		try {
			const credentials = { ...sandbox.credentials, baseUrl: proxy.baseUrl };
			await makeInvoice(reference, 2, { baseUrl: proxy.baseUrl });
			const run = await runNode(
				credentials,
				payoutParameters('createAndProcess', { ...WAIT, ...RETRY }),
				[row(reference)],
			);
			expect(run.json()[0]).toMatchObject({
				attempt: 2,
				alreadyExisted: true,
				status: 'processed',
			});
		} finally {
			await proxy.close();
		}
		const attempt2 = invoicesOf(reference)[1];
		expect(attempt2).toMatchObject({ createsCommitted: 1, processCommitted: 1 });
		// The node did send its create, and the platform's 409 was the lock.
		const creates = callsOf(reference).filter(
			(call) => call.operation === 'create' && call.referenceId === `${reference}~2`,
		);
		expect(creates.map((call) => call.decidedStatus)).toEqual([201, 409]);
	});

	it('"R~2" used by a payout that is not an attempt of the row: nothing is paid', async () => {
		const reference = nextRef();
		await pay([row(reference, FAILS)]);
		await makeInvoice(reference, 2, { asAttempt: false });
		const item = (await pay([row(reference)], RETRY)).json()[0];
		expect(item).toMatchObject({ stage: 'attempts' });
		expect(String(item.error)).toContain(`"${reference}~2" is used by invoice`);
		expect(invoicesOf(reference).every((invoice) => invoice.processCommitted <= 1)).toBe(true);
		expect(invoicesOf(reference)[1].processCommitted).toBe(0);
	});
});

describe('rows and options the run refuses before anything is sent', () => {
	it('a reference ID that looks like an attempt ("inv~2") or metadata setting the attempt keys', async () => {
		const run = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', RETRY),
			[row('inv~2')],
			CONTINUE_ON_FAIL,
		);
		expect(run.json()[0]).toMatchObject({ stage: 'validation', field: 'reference ID' });
		expect(String(run.json()[0].error)).toContain('as the node names retry attempts');
		expect(sandbox.ledger().calls).toHaveLength(0);
	});

	it('the options are not shown for Create, nor Max Attempts per Row with Retry off: n8n drops them unseen', async () => {
		// A workflow file may still carry them: n8n removes options its editor hides before the node
		// runs, so such a run is the plain run its editor shows (retryFrom stops any other caller).
		const create = await runNode(sandbox.credentials, payoutParameters('create', RETRY), [
			row(nextRef()),
		]);
		expect(create.json()[0].status).toBe('created');
		expect(create.json()[0]).not.toHaveProperty('attempt');
		const maxAlone = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { maxAttemptsPerRow: 3 }),
			[row(nextRef())],
		);
		expect(maxAlone.json()[0].status).toBe('processing');
		expect(maxAlone.json()[0]).not.toHaveProperty('attempt');
	});
});

describe('Validate and the approval of a retry run', () => {
	it('Validate shows the attempt each row would send; the approval names "R~2"; only that approval pays it', async () => {
		const reference = nextRef();
		const paid = nextRef();
		await pay([row(reference, FAILS), row(paid)]);
		const sheet = [row(reference), row(paid)];
		const preview = (
			await runNode(sandbox.credentials, payoutParameters('validate', RETRY), sheet)
		).json();
		expect(preview[0]).toMatchObject({
			valid: true,
			referenceId: `${reference}~2`,
			originalReferenceId: reference,
			attempt: 2,
			attemptAction: 'create',
		});
		expect(preview[1]).toMatchObject({ referenceId: paid, attempt: 1, attemptAction: 'none' });
		const approval = (preview[0].summary as IDataObject).approval as IDataObject;
		expect(Object.keys(approval.references as IDataObject).sort()).toEqual(
			[`${reference}~2`, paid].sort(),
		);

		// An approval of the same sheet without Retry Failed Rows does not pay a retry.
		const plain = (await runNode(sandbox.credentials, payoutParameters('validate'), sheet)).json();
		const plainApproval = (plain[0].summary as IDataObject).approval as IDataObject;
		const refused = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', { ...RETRY, approvedCode: String(plainApproval.code) }),
			sheet,
		);
		expect(failureText(refused.result)).toContain('Nothing was sent');
		expect(invoicesOf(reference)).toHaveLength(1);

		const approved = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', {
				...WAIT,
				...RETRY,
				approvedCode: String(approval.code),
			}),
			sheet,
		);
		expect(approved.json()[0]).toMatchObject({ attempt: 2, status: 'processed' });
		// Run again with the same approval once the retry is paid: the same code, nothing sent.
		const calls = callsOf(reference).length;
		const again = await runNode(
			sandbox.credentials,
			payoutParameters('createAndProcess', {
				...WAIT,
				...RETRY,
				approvedCode: String(approval.code),
			}),
			sheet,
		);
		expect(again.json()[0]).toMatchObject({ attempt: 2, status: 'processed', retried: false });
		expect(callsOf(reference)).toHaveLength(calls);
	});
});

describe('a chunk of an approved retry run (Approved Code Scope: part)', () => {
	it('pays the approved attempt "R~2" of its rows, and refuses a chunk whose row now plans another attempt', async () => {
		const reference = nextRef();
		const other = nextRef();
		await pay([row(reference, FAILS), row(other, FAILS)]);
		const sheet = [row(reference), row(other)];
		const preview = (
			await runNode(sandbox.credentials, payoutParameters('validate', RETRY), sheet)
		).json();
		const approval = (preview[0].summary as IDataObject).approval;
		const payChunk = (rows: IDataObject[]) =>
			runNode(
				sandbox.credentials,
				payoutParameters('createAndProcess', {
					...WAIT,
					...RETRY,
					approvedCode: asExpression(approval),
					approvalScope: 'part',
				}),
				rows,
				CONTINUE_ON_FAIL,
			);
		const chunk = (await payChunk([row(reference)])).json()[0];
		expect(chunk).toMatchObject({ attempt: 2, referenceId: `${reference}~2`, status: 'processed' });
		// Between approval and its chunk, the other row's attempt 2 was made and failed: the chunk would now
		// send attempt 3, which nobody approved.
		await pay([row(other, FAILS)], RETRY);
		const refused = (await payChunk([row(other)])).json()[0];
		expect(String(refused.error)).toContain('Nothing was sent');
		expect(invoicesOf(other).map((invoice) => invoice.referenceId)).toEqual([other, `${other}~2`]);
	});
});

describe('Reconcile follows attempts', () => {
	const reconcile = (rows: IDataObject[]) =>
		runNode(
			sandbox.credentials,
			{
				resource: 'payoutInvoice',
				operation: 'reconcile',
				referenceId: '={{ $json.reference_id }}',
				expectedAmount: '={{ $json.amount }}',
				expectedCurrency: 'USD',
			},
			rows,
		);

	it('a row paid by attempt 2 is paid; its attempts are listed', async () => {
		const reference = nextRef();
		await pay([row(reference, FAILS)]);
		await pay([row(reference)], RETRY);
		const item = (await reconcile([row(reference)])).json()[0];
		expect(item).toMatchObject({
			outcome: 'found',
			status: 'processed',
			attempt: 2,
			attempts: 2,
			attemptReferenceId: `${reference}~2`,
			paidTwice: false,
			mismatches: [],
		});
		expect((item.attemptChain as IDataObject[]).map((attempt) => attempt.status)).toEqual([
			'process_failed',
			'processed',
		]);
		expect(item.summary).toMatchObject({ invoices: 2, paidTwiceRows: 0 });
	});

	it('two attempts that both paid are flagged loudly', async () => {
		const reference = nextRef();
		await pay([row(reference)]);
		// Something outside the node made and paid a second attempt.
		const id = await makeInvoice(reference, 2);
		await privateClient(sandbox).post(`/payout-invoices/${id}/process`);
		await sleep(200);
		const item = (await reconcile([row(reference)])).json()[0];
		expect(item).toMatchObject({ paidTwice: true, attempts: 2 });
		expect(item.mismatches).toContain('paid_twice');
		expect(String(item.warning)).toContain('PAID TWICE');
		expect(item.summary).toMatchObject({ paidTwiceRows: 1 });
	});
});
