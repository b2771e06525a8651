/**
 * PaymentsTrust Trigger over real HTTP: a callback goes through a real HTTP server into the node's `webhook()`
 * (n8n-core's WebhookContext, raw body included), and each accepted one runs the workflow. The tests check what
 * the sender sees (HTTP status) and how many executions started.
 */
import axios from 'axios';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startWebhookServer } from '../../harness/webhookServer';
import { sign as signWith, TRIGGER, triggerWorkflow } from './fixtures';

const SECRET = 'sk_test_trigger_http';

type Server = Awaited<ReturnType<typeof startWebhookServer>>;

const sign = (body: string, secret = SECRET) => signWith(body, secret);

let invoiceCounter = 0;
function invoiceBody(
	overrides: { id?: string; status?: string; updated?: number; testMode?: boolean } = {},
): string {
	return JSON.stringify({
		data: {
			type: 'payout-invoices',
			id: overrides.id ?? `cpoi_http${++invoiceCounter}`,
			attributes: {
				status: overrides.status ?? 'processed',
				resolution: 'ok',
				amount: 10,
				currency: 'USD',
				reference_id: 'ref-1',
				test_mode: overrides.testMode ?? true,
				created: 1700000000,
				updated: overrides.updated ?? 1700000100,
				processed: 1700000100,
			},
			relationships: { 'payout-service': { data: { type: 'payout-services', id: 'test_usd' } } },
		},
	});
}

async function post(server: Server, body: string, headers: Record<string, string> = {}) {
	return await axios.post(server.webhookUrl, body, {
		headers: { 'Content-Type': 'application/json', ...headers },
		validateStatus: () => true,
		transformRequest: [(data: string) => data], // send these exact bytes
	});
}

const LIVE_SECRET = 'sk_live_trigger_http';

/** Most tests use a credential with a Test Secret Key only; `keys` replaces it. */
async function start(
	parameters: INodeParameters = {},
	testSecretKey: string | undefined = SECRET,
	staticData?: IDataObject,
	keys: IDataObject = { testSecretKey },
) {
	return await startWebhookServer({
		workflow: triggerWorkflow(parameters),
		staticData,
		credentials: {
			paymentsTrustApi: {
				baseUrl: 'http://127.0.0.1:9',
				accountId: 'coma_x',
				apiKey: 'k',
				...keys,
			},
		},
		triggerNodeName: TRIGGER,
	});
}

/** Waits until every request the server got is handled, its execution included, so "none started" is not asserted too early. */
const settle = async (server: Server) => await server.settled();

describe('PaymentsTrust Trigger over HTTP: signature and content', () => {
	let server: Server;
	beforeAll(async () => {
		server = await start();
	});
	afterAll(async () => {
		await server?.close();
	});

	it('starts one execution for a validly signed callback and outputs the friendly invoice', async () => {
		const body = invoiceBody({ id: 'cpoi_valid1' });
		const before = server.executions.length;
		const res = await post(server, body, { 'X-Signature': sign(body) });
		expect(res.status).toBe(200);
		await server.waitForExecutions(before + 1, 10_000);
		const run = server.executions[before];
		const [item] = run.outputOf(TRIGGER);
		expect(item.json).toMatchObject({
			id: 'cpoi_valid1',
			status: 'processed',
			isFinal: true,
			amount: 10,
			currency: 'USD',
			testMode: true,
			service: 'test_usd',
			updatedAt: new Date(1700000100 * 1000).toISOString(),
		});
		expect(item.json).not.toHaveProperty('rawCallback');
		expect(JSON.stringify(item.json)).not.toContain(SECRET);
		expect(JSON.stringify(item.json)).not.toContain(sign(body));
		expect(run.ran('Done')).toBe(true);
	});

	it.each([
		['unsigned', (_body: string) => ({})],
		[
			'signed with another secret',
			(body: string) => ({ 'X-Signature': sign(body, 'sk_test_wrong') }),
		],
		[
			'signed with a truncated signature',
			(body: string) => ({ 'X-Signature': sign(body).slice(0, 10) }),
		],
		['signed with garbage', (_body: string) => ({ 'X-Signature': 'not-a-signature' })],
	])('answers 401 and starts nothing when %s', async (_name, headers) => {
		const body = invoiceBody();
		const before = server.executions.length;
		const res = await post(server, body, headers(body));
		expect(res.status).toBe(401);
		await settle(server!);
		expect(server.executions.length).toBe(before);
	});

	it('answers 401 to a forged body (signature of another body), before looking at its content', async () => {
		const signed = invoiceBody({ id: 'cpoi_forge', status: 'process_failed' });
		const forged = signed.replace('process_failed', 'processed');
		const before = server.executions.length;
		expect((await post(server, forged, { 'X-Signature': sign(signed) })).status).toBe(401);
		// Not JSON, or not an invoice: still 401, the content is not even read.
		const textPlain = { 'Content-Type': 'text/plain', 'X-Signature': sign(signed) };
		expect((await post(server, '{"data":', textPlain)).status).toBe(401);
		expect((await post(server, '{"hello":"world"}', { 'X-Signature': sign(signed) })).status).toBe(
			401,
		);
		await settle(server!);
		expect(server.executions.length).toBe(before);
	});

	it('leaves malformed JSON sent as application/json to n8n, which answers 422 before the node runs', async () => {
		// n8n parses application/json bodies itself and refuses unparsable ones with 422; nothing starts.
		const body = '{"data":';
		const before = server.executions.length;
		expect((await post(server, body, { 'X-Signature': sign(body) })).status).toBe(422);
		await settle(server!);
		expect(server.executions.length).toBe(before);
	});

	it('answers 401 when the same JSON arrives re-serialised (signature covers the raw bytes)', async () => {
		const body = invoiceBody();
		const pretty = JSON.stringify(JSON.parse(body), null, 2);
		const before = server.executions.length;
		expect((await post(server, pretty, { 'X-Signature': sign(body) })).status).toBe(401);
		await settle(server!);
		expect(server.executions.length).toBe(before);
	});

	it('answers 400 to a signed body that is not JSON, and starts nothing', async () => {
		const body = '{"data": {"type": "payout-invoices"';
		const before = server.executions.length;
		const res = await post(server, body, {
			'X-Signature': sign(body),
			'Content-Type': 'text/plain',
		});
		expect(res.status).toBe(400);
		await settle(server!);
		expect(server.executions.length).toBe(before);
	});

	it.each([
		[
			'another resource type',
			'{"data":{"type":"payin-invoices","id":"x","attributes":{"status":"processed"}}}',
		],
		['no id', '{"data":{"type":"payout-invoices","attributes":{"status":"processed"}}}'],
		['no status', '{"data":{"type":"payout-invoices","id":"x","attributes":{}}}'],
		['no data', '{"meta":{"ok":true}}'],
	])('answers 400 to a signed JSON body with %s, and starts nothing', async (_name, body) => {
		const before = server.executions.length;
		const res = await post(server, body, { 'X-Signature': sign(body) });
		expect(res.status).toBe(400);
		await settle(server!);
		expect(server.executions.length).toBe(before);
	});

	it('acknowledges a duplicate with 200 and starts nothing; a later status of the same invoice starts one', async () => {
		const first = invoiceBody({ id: 'cpoi_dup', status: 'processing', updated: 1700000050 });
		const before = server.executions.length;
		expect((await post(server, first, { 'X-Signature': sign(first) })).status).toBe(200);
		await server.waitForExecutions(before + 1, 10_000);
		expect((await post(server, first, { 'X-Signature': sign(first) })).status).toBe(200);
		await settle(server!);
		expect(server.executions.length).toBe(before + 1);

		const final = invoiceBody({ id: 'cpoi_dup', status: 'processed', updated: 1700000060 });
		expect((await post(server, final, { 'X-Signature': sign(final) })).status).toBe(200);
		await server.waitForExecutions(before + 2, 10_000);
		expect(server.executions[before + 1].outputOf(TRIGGER)[0].json.status).toBe('processed');
	});

	it('starts once for ten copies of a callback arriving at the same moment in one process', async () => {
		// The memory is judged and written with no await in between (docs/trigger.md: exact within one process).
		const body = invoiceBody({ id: 'cpoi_burst', status: 'processed', updated: 1700000070 });
		const before = server.executions.length;
		const answers = await Promise.all(
			Array.from(
				{ length: 10 },
				async () => await post(server, body, { 'X-Signature': sign(body) }),
			),
		);
		expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
		await server.waitForExecutions(before + 1, 10_000);
		await settle(server!);
		expect(server.executions.length).toBe(before + 1);
	});

	it('acknowledges a stale callback (older than one delivered) with 200 and starts nothing', async () => {
		const final = invoiceBody({ id: 'cpoi_stale', status: 'processed', updated: 1700000200 });
		const late = invoiceBody({ id: 'cpoi_stale', status: 'processing', updated: 1700000100 });
		const before = server.executions.length;
		expect((await post(server, final, { 'X-Signature': sign(final) })).status).toBe(200);
		await server.waitForExecutions(before + 1, 10_000);
		expect((await post(server, late, { 'X-Signature': sign(late) })).status).toBe(200);
		await settle(server!);
		expect(server.executions.length).toBe(before + 1);
	});
});

describe('PaymentsTrust Trigger over HTTP: credential and options', () => {
	let server: Server | undefined;
	afterEach(async () => {
		await server?.close();
		server = undefined;
	});

	it('answers 401 with an explanation when the credential has no secret key', async () => {
		server = await start({}, '');
		const body = invoiceBody();
		const res = await post(server, body, { 'X-Signature': sign(body, '') });
		expect(res.status).toBe(401);
		expect(JSON.stringify(res.data)).toMatch(/Secret Key/);
		await settle(server!);
		expect(server.executions).toHaveLength(0);
	});

	it('accepts unsigned callbacks only when Verify Signature is off', async () => {
		server = await start({ options: { verifySignature: false } }, '');
		const body = invoiceBody({ id: 'cpoi_unverified' });
		expect((await post(server, body)).status).toBe(200);
		await server.waitForExecutions(1, 10_000);
		expect(server.executions[0].outputOf(TRIGGER)[0].json.id).toBe('cpoi_unverified');
		// content checks still apply
		expect((await post(server, '{"nope":1}')).status).toBe(400);
	});

	it('with Final Statuses Only, acknowledges other statuses with 200 and starts nothing', async () => {
		server = await start({ triggerOn: 'finalStatuses' });
		const processing = invoiceBody({ id: 'cpoi_f1', status: 'processing', updated: 1 });
		const failed = invoiceBody({ id: 'cpoi_f1', status: 'process_failed', updated: 2 });
		expect((await post(server, processing, { 'X-Signature': sign(processing) })).status).toBe(200);
		expect((await post(server, failed, { 'X-Signature': sign(failed) })).status).toBe(200);
		await server.waitForExecutions(1, 10_000);
		await settle(server!);
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0].outputOf(TRIGGER)[0].json.status).toBe('process_failed');
	});

	it('with Selected Statuses, starts only for those', async () => {
		server = await start({ triggerOn: 'selectedStatuses', statuses: ['canceled', 'expired'] });
		const bodies = [
			invoiceBody({ status: 'processed' }),
			invoiceBody({ status: 'expired' }),
			invoiceBody({ status: 'created' }),
		];
		for (const body of bodies)
			expect((await post(server, body, { 'X-Signature': sign(body) })).status).toBe(200);
		await server.waitForExecutions(1, 10_000);
		await settle(server!);
		expect(server.executions.map((run) => run.outputOf(TRIGGER)[0].json.status)).toEqual([
			'expired',
		]);
	});

	it('with Mode "Live Only", ignores test invoices; with "Test Only", live ones', async () => {
		const bothKeys = { testSecretKey: SECRET, liveSecretKey: LIVE_SECRET };
		server = await start({ options: { mode: 'live' } }, undefined, undefined, bothKeys);
		const test = invoiceBody({ testMode: true });
		const live = invoiceBody({ testMode: false });
		expect((await post(server, test, { 'X-Signature': sign(test) })).status).toBe(200);
		expect((await post(server, live, { 'X-Signature': sign(live, LIVE_SECRET) })).status).toBe(200);
		await server.waitForExecutions(1, 10_000);
		await settle(server!);
		expect(server.executions.map((run) => run.outputOf(TRIGGER)[0].json.testMode)).toEqual([false]);
		await server.close();

		server = await start({ options: { mode: 'test' } }, undefined, undefined, bothKeys);
		const test2 = invoiceBody({ testMode: true });
		const live2 = invoiceBody({ testMode: false });
		expect((await post(server, live2, { 'X-Signature': sign(live2, LIVE_SECRET) })).status).toBe(
			200,
		);
		expect((await post(server, test2, { 'X-Signature': sign(test2) })).status).toBe(200);
		await server.waitForExecutions(1, 10_000);
		await settle(server!);
		expect(server.executions.map((run) => run.outputOf(TRIGGER)[0].json.testMode)).toEqual([true]);
	});

	it('with Ignore Duplicates off, starts again for a re-sent callback', async () => {
		server = await start({ options: { ignoreDuplicates: false } });
		const body = invoiceBody({ id: 'cpoi_again' });
		expect((await post(server, body, { 'X-Signature': sign(body) })).status).toBe(200);
		expect((await post(server, body, { 'X-Signature': sign(body) })).status).toBe(200);
		await server.waitForExecutions(2, 10_000);
		expect(server.executions).toHaveLength(2);
	});

	it('with Include Raw Callback, adds the parsed body under rawCallback', async () => {
		server = await start({ options: { includeRaw: true } });
		const body = invoiceBody({ id: 'cpoi_raw' });
		expect((await post(server, body, { 'X-Signature': sign(body) })).status).toBe(200);
		await server.waitForExecutions(1, 10_000);
		expect(server.executions[0].outputOf(TRIGGER)[0].json.rawCallback).toEqual(JSON.parse(body));
	});

	it('masks card numbers in its output and in rawCallback, whatever digits they are written in', async () => {
		server = await start({ options: { includeRaw: true } });
		const parsed = JSON.parse(invoiceBody({ id: 'cpoi_card' })) as {
			data: { attributes: IDataObject };
		};
		parsed.data.attributes.fields = { card_number: '4111 1111 1111 1111' };
		parsed.data.attributes.description = 'refund to card ４１１１-１１１１-１１１１-１１１２';
		const body = JSON.stringify(parsed);
		expect((await post(server, body, { 'X-Signature': sign(body) })).status).toBe(200);
		await server.waitForExecutions(1, 10_000);
		const text = JSON.stringify(server.executions[0].outputOf(TRIGGER)[0].json);
		expect(text).toContain('411111******1111');
		expect(text).toContain('411111******1112');
		expect(text).toContain('rawCallback');
		expect(text).not.toMatch(/1111 1111 1111|１１１１-１１１１/);
	});

	it('keeps its memory in this process only: nothing in static data, and a restarted n8n starts a retry again', async () => {
		server = await start();
		const body = invoiceBody({ id: 'cpoi_mem', status: 'processed', updated: 1700000300 });
		expect((await post(server, body, { 'X-Signature': sign(body) })).status).toBe(200);
		await server.waitForExecutions(1, 10_000);
		// n8n 2.x keeps nothing a production webhook writes to static data once the workflow has some, n8n 1.x
		// rewrites all of it on every callback (docs/trigger.md): the trigger writes none.
		expect(server.staticData).toEqual({});
		// The same process drops the platform's retry.
		expect((await post(server, body, { 'X-Signature': sign(body) })).status).toBe(200);
		await settle(server);
		expect(server.executions).toHaveLength(1);
		expect(server.responses.at(-1)?.json).toEqual({
			received: true,
			started: false,
			reason: 'duplicate',
		});
		await server.close();

		// A restarted n8n remembers nothing (here: the old server's deactivation and the new one's activation
		// forget, as a new process starts empty): the retry starts the workflow again. The documented limit: the
		// steps after the trigger drop it (docs/callbacks.md).
		server = await start();
		expect((await post(server, body, { 'X-Signature': sign(body) })).status).toBe(200);
		await server.waitForExecutions(1, 10_000);
		expect(server.executions).toHaveLength(1);
	});
});

describe('PaymentsTrust Trigger over HTTP: callbacks of both modes', () => {
	let server: Server | undefined;
	afterEach(async () => {
		await server?.close();
		server = undefined;
	});

	it('one URL takes test callbacks signed with the test key and live ones signed with the live key', async () => {
		server = await start({}, undefined, undefined, {
			testSecretKey: SECRET,
			liveSecretKey: LIVE_SECRET,
		});
		const test = invoiceBody({ testMode: true });
		const live = invoiceBody({ testMode: false });
		expect((await post(server, test, { 'X-Signature': sign(test) })).status).toBe(200);
		expect((await post(server, live, { 'X-Signature': sign(live, LIVE_SECRET) })).status).toBe(200);
		await server.waitForExecutions(2, 10_000);
		expect(server.executions.map((run) => run.outputOf(TRIGGER)[0].json.testMode).sort()).toEqual([
			false,
			true,
		]);
	});

	it('a body claiming one mode signed with the other mode’s key is refused (401) and starts nothing', async () => {
		server = await start({}, undefined, undefined, {
			testSecretKey: SECRET,
			liveSecretKey: LIVE_SECRET,
		});
		const liveSignedWithTest = invoiceBody({ testMode: false });
		const testSignedWithLive = invoiceBody({ testMode: true });
		const noModeSignedWithTest = invoiceBody({ testMode: true }).replace('"test_mode":true,', '');
		const refused = await post(server, liveSignedWithTest, {
			'X-Signature': sign(liveSignedWithTest),
		});
		expect(refused.status).toBe(401);
		expect(JSON.stringify(refused.data)).toContain('test secret key');
		expect(
			(
				await post(server, testSignedWithLive, {
					'X-Signature': sign(testSignedWithLive, LIVE_SECRET),
				})
			).status,
		).toBe(401);
		expect(
			(await post(server, noModeSignedWithTest, { 'X-Signature': sign(noModeSignedWithTest) }))
				.status,
		).toBe(401);
		await settle(server);
		expect(server.executions).toHaveLength(0);
	});

	it('either key may be empty: a credential with only the live key refuses test callbacks', async () => {
		server = await start({}, undefined, undefined, {
			testSecretKey: '',
			liveSecretKey: LIVE_SECRET,
		});
		const test = invoiceBody({ testMode: true });
		const live = invoiceBody({ testMode: false });
		expect((await post(server, test, { 'X-Signature': sign(test) })).status).toBe(401);
		expect((await post(server, live, { 'X-Signature': sign(live, LIVE_SECRET) })).status).toBe(200);
		await server.waitForExecutions(1, 10_000);
		await settle(server);
		expect(server.executions).toHaveLength(1);
	});
});
