/** A quick load check: a few thousand invoices created with concurrency 50, no errors, one invoice per reference. */
import http from 'http';
import axios from 'axios';
import { RunningSandbox, startSandbox } from '../../sandbox';
import { basicAuth, testUsdBody } from './helpers';

let sb: RunningSandbox;
const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
beforeAll(async () => {
	sb = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(async () => {
	agent.destroy();
	await sb.close();
});

test('2000 creates (every third auto-processed) at concurrency 50', async () => {
	const api = axios.create({
		baseURL: sb.privateApiUrl,
		headers: { Authorization: basicAuth(sb.credentials.accountId, sb.credentials.apiKey) },
		httpAgent: agent,
		validateStatus: () => true,
	});
	const total = 2000;
	const statuses = new Map<number, number>();
	let next = 0;
	const started = Date.now();
	await Promise.all(
		Array.from({ length: 50 }, async () => {
			while (next < total) {
				const i = next++;
				const r = await api.post(
					'/payout-invoices',
					testUsdBody({ reference_id: `load-${i}`, options: { auto_process: i % 3 === 0 } }),
				);
				statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
			}
		}),
	);
	const elapsed = Date.now() - started;
	expect(Object.fromEntries(statuses)).toEqual({ 201: total });
	const s = sb.ledger().summary;
	expect(s.invoices).toBe(total);
	expect(s.createAttempts).toMatchObject({ total, accepted: total, committed: total });
	expect(s.referencesWithMultipleInvoices).toBe(0);
	// Only a guard against something quadratic: alone this takes about 3 s (mostly axios), but a busy shared
	// 2-core machine has stretched it past 15 s.
	expect(elapsed).toBeLessThan(45_000);
	const list = await api.get('/payout-invoices', { params: { 'page[size]': 100 } });
	expect(list.data.data[0].attributes.reference_id).toMatch(/^load-/);
});
