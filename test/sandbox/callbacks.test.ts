/** Status callbacks: signed bodies equal to GET at that moment, retries on non-200 and connection errors. */
import { createHash } from 'crypto';
import { RunningSandbox, signCallback, startSandbox } from '../../sandbox';
import { privateClient, startReceiver, testUsdBody, waitFor } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
	sb = await startSandbox({
		port: 0,
		processDelayMs: 30,
		callbackRetryDelaysMs: [20, 40],
		callbackMaxAttempts: 4,
	});
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

const api = () => privateClient(sb);

/** Written out independently of the sandbox's helper: base64 of the raw SHA-1 digest of secret + body + secret. */
function expectedSignature(secret: string, raw: Buffer): string {
	return createHash('sha1').update(secret).update(raw).update(secret).digest('base64');
}

test('one callback per status change, signed with the secret key, body = GET /api/payout-invoices/{id} at that moment', async () => {
	const rx = await startReceiver();
	try {
		const created = await api().post('/payout-invoices', testUsdBody({ callback_url: rx.url }));
		const id = created.data.data.id;
		// Creation is not a status change: no callback yet.
		await new Promise((r) => setTimeout(r, 50));
		expect(rx.received).toHaveLength(0);

		const processing = await api().post(`/payout-invoices/${id}/process`);
		await waitFor(() => rx.received.length === 2, 3000);
		// They may arrive in either order (independent deliveries); pick them by status.
		const first = rx.received.find((c) => c.json.data.attributes.status === 'processing')!;
		const second = rx.received.find((c) => c.json.data.attributes.status === 'processed')!;
		for (const cb of rx.received) {
			expect(cb.headers['content-type']).toBe('application/json');
			expect(cb.headers['x-signature']).toBe(
				expectedSignature(sb.credentials.testSecretKey, cb.raw),
			);
			expect(cb.headers['x-signature']).not.toBe(expectedSignature('sk_test_other', cb.raw));
			expect(signCallback(sb.credentials.testSecretKey, cb.raw)).toBe(cb.headers['x-signature']);
		}
		// The processing callback is exactly what the process answer showed.
		expect(first.json).toEqual(processing.data);
		// The final callback equals GET at that moment, except the log of the callback just delivered.
		const now = (await api().get(`/payout-invoices/${id}`)).data;
		const logs = now.data.attributes.callback_logs;
		expect(logs.map((l: any) => [l.invoice_status, l.http_status, l.attempt])).toEqual([
			['processing', 200, 1],
			['processed', 200, 1],
		]);
		const withoutLogs = (body: any) => ({
			...body,
			data: { ...body.data, attributes: { ...body.data.attributes, callback_logs: 'x' } },
		});
		expect(withoutLogs(second.json)).toEqual(withoutLogs(now));
		expect(logs).toEqual(expect.arrayContaining(second.json.data.attributes.callback_logs));
		expect(sb.ledger().summary.callbacks).toEqual({
			attempts: 2,
			delivered: 2,
			failed: 0,
			pending: 0,
		});
	} finally {
		await rx.close();
	}
});

test('a non-200 answer is retried with the same bytes and signature until 200', async () => {
	const rx = await startReceiver([500, 404, 201]); // 201 is not 200 either
	try {
		const created = await api().post(
			'/payout-invoices',
			testUsdBody({ callback_url: rx.url, options: { auto_process: true } }),
		);
		const id = created.data.data.id;
		await waitFor(
			() =>
				sb.ledger().summary.callbacks.pending === 0 &&
				sb.ledger().summary.callbacks.delivered === 2,
			3000,
		);
		const processing = rx.received.filter((c) => c.json.data.attributes.status === 'processing');
		expect(processing.length).toBeGreaterThanOrEqual(2);
		expect(new Set(processing.map((c) => c.raw.toString('base64'))).size).toBe(1);
		const attempts = sb.ledger().callbacks.filter((c) => c.invoiceId === id);
		expect(
			attempts
				.filter((c) => !c.delivered)
				.map((c) => c.httpStatus)
				.sort(),
		).toEqual([201, 404, 500]);
		expect(attempts.filter((c) => c.delivered)).toHaveLength(2);
		const logs = (await api().get(`/payout-invoices/${id}`)).data.data.attributes.callback_logs;
		expect(logs).toHaveLength(5);
		expect(logs[0]).toEqual({
			attempt: 1,
			invoice_status: expect.any(String),
			url: rx.url,
			http_status: 500,
			error: null,
			created: expect.any(Number),
		});
	} finally {
		await rx.close();
	}
});

test('connection errors are retried up to callbackMaxAttempts, then given up', async () => {
	const rx = await startReceiver();
	const deadUrl = rx.url;
	await rx.close(); // nothing listens there any more
	const created = await api().post('/payout-invoices', testUsdBody({ callback_url: deadUrl }));
	await api().post(`/payout-invoices/${created.data.data.id}/process`);
	await waitFor(
		() =>
			sb.ledger().summary.callbacks.attempts === 8 && sb.ledger().summary.callbacks.pending === 0,
		5000,
	);
	const attempts = sb.ledger().callbacks;
	// Two status changes × 4 attempts, all failed with a connection error.
	expect(attempts.map((a) => a.attempt).sort()).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
	expect(
		attempts.every((a) => !a.delivered && a.httpStatus === null && a.error === 'ECONNREFUSED'),
	).toBe(true);
	expect(sb.ledger().summary.callbacks).toMatchObject({
		attempts: 8,
		delivered: 0,
		failed: 8,
		pending: 0,
	});
});

test('a receiver slower than callbackTimeoutMs counts as failed', async () => {
	sb.configure({ callbackTimeoutMs: 50, callbackMaxAttempts: 1 });
	const { createServer } = await import('http');
	const server = createServer(() => undefined); // never answers
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	try {
		const port = (server.address() as { port: number }).port;
		await api().post(
			'/payout-invoices',
			testUsdBody({ callback_url: `http://127.0.0.1:${port}/cb`, options: { auto_process: true } }),
		);
		await waitFor(() => sb.ledger().summary.callbacks.attempts === 2, 3000);
		expect(sb.ledger().callbacks.map((c) => c.error)).toEqual([
			'timeout after 50 ms',
			'timeout after 50 ms',
		]);
	} finally {
		server.closeAllConnections();
		server.close();
	}
});

test('reset cancels pending retries: nothing from before arrives afterwards', async () => {
	const rx = await startReceiver([500, 500, 500, 500, 500, 500]);
	try {
		sb.configure({ callbackRetryDelaysMs: [100] });
		await api().post(
			'/payout-invoices',
			testUsdBody({ callback_url: rx.url, options: { auto_process: true } }),
		);
		await waitFor(() => rx.received.length >= 1, 2000);
		sb.reset();
		await new Promise((r) => setTimeout(r, 20)); // a request already on the wire may still land
		const seen = rx.received.length;
		await new Promise((r) => setTimeout(r, 250));
		expect(rx.received.length).toBe(seen);
		expect(sb.ledger().summary.callbacks).toEqual({
			attempts: 0,
			delivered: 0,
			failed: 0,
			pending: 0,
		});
	} finally {
		await rx.close();
	}
});
