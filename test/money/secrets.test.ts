/**
 * Issue 6: no secret leaves the node. Distinctive keys are given to the sandbox; then the fault scenario
 * (small), card payouts under faults (raw responses included), wrong API keys (401), an unreachable host,
 * a credential without public key (so the platform's own 422 comes back) and the bad rows run through the
 * node. Every output item and every error (n8n's stored copy, and the thrown error itself with its cause,
 * errorResponse and context, walked property by property, non-enumerable ones included) is searched for the
 * API key, the secret key, the Basic Authorization value and every unmasked card number of the inputs.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest } from '../support/explicitMode';
import { PaymentsTrust } from '../../nodes/PaymentsTrust/PaymentsTrust.node';
import { runWorkflow, type WorkflowRunResult } from '../../harness/runWorkflow';
import {
	payoutParameters,
	paymentsTrustWorkflow,
	PT_NODE,
	PT_TYPE,
} from '../support/payoutWorkflow';
import {
	buildScenarioRows,
	scenarioFaults,
	CI_SETTINGS,
	ALL_KINDS,
	MONEY_OPERATIONS,
} from './faultScenario';

const ACCOUNT_ID = 'coma_Secr3tAccount';
const API_KEY = 'apikey_ZEBRA_9f8e7d6c5b4a';
const SECRET_KEY = 'sk_test_PELICAN_1a2b3c4d5e';
const PUBLIC_KEY = 'pk_test_public_ok';
const WRONG_API_KEY = 'apikey_WRONG_OKAPI_0123';
const basic = (user: string, password: string) =>
	Buffer.from(`${user}:${password}`).toString('base64');

/** Cards of the inputs; the ones ending 0002/0003 make the sandbox fail the payout. */
const CARDS = [
	'4000056655665556',
	'5105105105105100',
	'4242424242424242',
	'4000000000000002',
	'5200828282820003',
	'6011111111111117',
];
const BAD_CARDS = ['400005665566555', '40000566556655561', '4000-0566-5566-5556'];

const SECRETS = [
	API_KEY,
	SECRET_KEY,
	WRONG_API_KEY,
	basic(ACCOUNT_ID, API_KEY),
	basic(ACCOUNT_ID, WRONG_API_KEY),
];
const CARD_NUMBERS = [...CARDS, ...BAD_CARDS];

let sandbox: RunningSandbox;
/** Everything the node put out or threw, serialised. Secrets are searched in all of it. */
const seen: string[] = [];
/** Only the node's own output and errors (the input rows hold the card numbers on purpose). */
const seenFromNode: string[] = [];
const thrown: unknown[] = [];

/** Every property, enumerable or not (message, stack, cause…), of every object reachable from `value`. */
function deepText(value: unknown): string {
	const visited = new Set<unknown>();
	const parts: string[] = [];
	const walk = (current: unknown, depth: number) => {
		if (current === null || current === undefined) return;
		if (typeof current !== 'object' && typeof current !== 'function') {
			parts.push(String(current));
			return;
		}
		if (visited.has(current) || depth > 12) return;
		visited.add(current);
		if (Buffer.isBuffer(current)) {
			parts.push(current.toString('utf8'));
			return;
		}
		for (const key of Object.getOwnPropertyNames(current)) {
			if (
				typeof current === 'function' &&
				['prototype', 'caller', 'arguments', 'length', 'name'].includes(key)
			)
				continue;
			let property: unknown;
			try {
				property = (current as Record<string, unknown>)[key];
			} catch {
				continue;
			}
			parts.push(key);
			walk(property, depth + 1);
		}
	};
	walk(value, 0);
	let json = '';
	try {
		json = JSON.stringify(value);
	} catch {
		json = '(circular)';
	}
	return `${json}\n${parts.join('\n')}`;
}

/** Our node, with every error it throws kept for inspection before n8n turns it into its stored copy. */
class RecordingPaymentsTrust extends PaymentsTrust {
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return await PaymentsTrust.prototype.execute.call(this);
		} catch (error) {
			thrown.push(error);
			throw error;
		}
	}
}

async function run(
	parameters: IDataObject,
	rows: IDataObject[],
	credentials: IDataObject,
	continueOnFail: boolean,
): Promise<WorkflowRunResult> {
	const result = await runWorkflow({
		workflow: paymentsTrustWorkflow(
			parameters,
			rows,
			continueOnFail ? { onError: 'continueRegularOutput' } : {},
		),
		credentials: { paymentsTrustApi: credentials as never },
		nodeTypes: { [PT_TYPE]: RecordingPaymentsTrust },
	});
	const nodeRuns = result.runData[PT_NODE];
	const fromNode = [
		deepText(nodeRuns ?? null),
		deepText(result.executionError ?? null),
		deepText(result.run.data.resultData.error ?? null),
	];
	seenFromNode.push(...fromNode);
	seen.push(...fromNode, deepText(result.run));
	return result;
}

function credentials(overrides: IDataObject = {}): IDataObject {
	return { ...sandbox.credentials, ...overrides };
}

const cardRows = (prefix: string): IDataObject[] =>
	CARDS.map((card, index) => ({
		reference_id: `${prefix}-${index + 1}`,
		service: 'payment_card_usd',
		amount: `${10 + index}.25`,
		card_number: card,
	}));

const badRows = (prefix: string): IDataObject[] => [
	...BAD_CARDS.map((card, index) => ({
		reference_id: `${prefix}-bad-${index + 1}`,
		service: 'payment_card_usd',
		amount: '10',
		card_number: card,
	})),
	{ reference_id: `${prefix}-acct`, amount: '10', account: CARDS[0] },
	{ reference_id: `${prefix}-amount`, amount: '1,000', account: '12345' },
	{
		reference_id: `${prefix}-good`,
		service: 'payment_card_usd',
		amount: '10',
		card_number: CARDS[2],
	},
];

const processOptions = (extra: IDataObject = {}) => ({
	concurrency: CI_SETTINGS.concurrency,
	maxAttempts: CI_SETTINGS.maxAttempts,
	requestTimeout: CI_SETTINGS.requestTimeout,
	waitForFinalStatus: true,
	maxWaitSeconds: 20,
	pollIntervalSeconds: 0.1,
	...extra,
});

beforeAll(async () => {
	sandbox = await startSandbox({
		port: 0,
		processDelayMs: 20,
		accountId: ACCOUNT_ID,
		apiKey: API_KEY,
		testSecretKey: SECRET_KEY,
		publicKey: PUBLIC_KEY,
		seed: 11,
	});
});
afterAll(async () => sandbox.close());
checkModeAfterEachTest(() => sandbox);

describe('runs that must not leak', () => {
	it('the fault scenario (small) under every fault kind', async () => {
		sandbox.setFaults(scenarioFaults(0.3, 11));
		const scenario = buildScenarioRows(60, 'sec');
		const result = await run(
			payoutParameters('createAndProcess', processOptions()),
			scenario.rows,
			credentials(),
			true,
		);
		expect(result.outputOf(PT_NODE)).toHaveLength(60);
	}, 60_000);

	it('card payouts under faults, raw responses included', async () => {
		sandbox.setFaults({ ...scenarioFaults(0.4, 12), operations: [...MONEY_OPERATIONS] });
		const result = await run(
			payoutParameters('createAndProcess', processOptions({ includeRaw: true })),
			cardRows('card'),
			credentials(),
			true,
		);
		const out = result.outputOf(PT_NODE).map((item) => item.json);
		expect(out).toHaveLength(CARDS.length);
		// The sandbox, like the API, shows cards as first six and last four; the raw answer is kept too.
		expect(JSON.stringify(out)).toContain('400005******5556');
		expect(out.some((json) => json.raw !== undefined)).toBe(true);
	}, 60_000);

	it('every fault kind, with no retries left, turns into errors (Create, Process, Get)', async () => {
		sandbox.setFaults({
			rate: 1,
			operations: ['create', 'process', 'get', 'list'],
			kinds: Object.fromEntries(ALL_KINDS.map((kind) => [kind, 1])),
			slowMs: 1500,
			retryAfterSeconds: 0,
			seed: 13,
		});
		const options = { maxAttempts: 1, requestTimeout: 1 };
		await run(payoutParameters('create', options), cardRows('nr').slice(0, 4), credentials(), true);
		await run(
			payoutParameters('create', options),
			cardRows('nr2').slice(0, 1),
			credentials(),
			false,
		);
		await run(
			{ resource: 'payoutInvoice', operation: 'get', invoiceId: 'cpi_doesnotmatter', options },
			[{}, {}, {}],
			credentials(),
			true,
		);
		await run(
			{ resource: 'payoutInvoice', operation: 'get', invoiceId: 'cpi_doesnotmatter', options },
			[{}],
			credentials(),
			false,
		);
		sandbox.setFaults(null);
		// Each Create run's unknown rows are asked about again until the settling budget (30 s) is spent.
	}, 150_000);

	it('a wrong API key (401), with and without Continue On Fail, on Create and Process, Validate, Get and Get Many', async () => {
		const wrong = credentials({ apiKey: WRONG_API_KEY });
		for (const continueOnFail of [true, false]) {
			const result = await run(
				payoutParameters('createAndProcess', processOptions()),
				cardRows(`wrong-${continueOnFail}`),
				wrong,
				continueOnFail,
			);
			const error =
				result.executionError ?? result.errorOf(PT_NODE) ?? result.outputOf(PT_NODE)[0]?.json;
			expect(JSON.stringify(error)).toMatch(/401/);
			await run(payoutParameters('validate'), cardRows('wrong-v'), wrong, continueOnFail);
			await run(
				{ resource: 'payoutInvoice', operation: 'get', invoiceId: 'cpi_x' },
				[{}],
				wrong,
				continueOnFail,
			);
			await run(
				{ resource: 'payoutInvoice', operation: 'getMany', returnAll: false, limit: 5 },
				[{}],
				wrong,
				continueOnFail,
			);
			await run(
				{
					resource: 'payoutInvoice',
					operation: 'get',
					invoiceId: { __rl: true, mode: 'referenceId', value: 'card-1' },
				},
				[{}],
				wrong,
				continueOnFail,
			);
		}
		// And a wrong account ID with the right key.
		await run(
			payoutParameters('createAndProcess', processOptions()),
			cardRows('wrong-acct'),
			credentials({ accountId: 'coma_other' }),
			false,
		);
		expect(sandbox.ledger().calls.filter((call) => call.error === 'unauthorized')).toEqual([]);
	}, 60_000);

	it('an unreachable host (the HTTP client error carries the request, Authorization included)', async () => {
		const closed = await startSandbox({ port: 0 });
		const deadUrl = closed.baseUrl;
		await closed.close();
		const dead = credentials({ baseUrl: deadUrl });
		await run(
			payoutParameters('createAndProcess', processOptions({ maxAttempts: 2 })),
			cardRows('dead'),
			dead,
			true,
		);
		await run(
			payoutParameters('createAndProcess', processOptions({ maxAttempts: 2 })),
			cardRows('dead'),
			dead,
			false,
		);
		await run(
			{
				resource: 'payoutInvoice',
				operation: 'get',
				invoiceId: 'cpi_x',
				options: { maxAttempts: 1 },
			},
			[{}],
			dead,
			false,
		);
	}, 60_000);

	it('bad rows, with the node checking fields and without a public key (the platform’s own 422 comes back)', async () => {
		await run(
			payoutParameters('createAndProcess', processOptions()),
			badRows('bad'),
			credentials(),
			true,
		);
		await run(
			payoutParameters('createAndProcess', processOptions()),
			badRows('bad2'),
			credentials(),
			false,
		);
		await run(payoutParameters('validate'), badRows('bad3'), credentials(), true);
		const noPublicKey = credentials({ publicKey: '' });
		const result = await run(
			payoutParameters('createAndProcess', processOptions()),
			badRows('bad4'),
			noPublicKey,
			true,
		);
		const out = result.outputOf(PT_NODE).map((item) => item.json);
		// Without field rules the rows go out and the platform refuses them with 422: nothing was created.
		expect(out.filter((json) => json.httpCode === '422').length).toBeGreaterThanOrEqual(
			BAD_CARDS.length,
		);
		await run(
			payoutParameters('createAndProcess', processOptions()),
			badRows('bad5'),
			noPublicKey,
			false,
		);
	}, 60_000);
});

describe('what came out', () => {
	it('collected every output and error, including thrown errors with their cause', () => {
		expect(seen.length).toBeGreaterThan(20);
		expect(thrown.length).toBeGreaterThan(5);
		seen.push(...thrown.map(deepText));
		seenFromNode.push(...thrown.map(deepText));
	});

	it.each(SECRETS.map((secret) => [secret.slice(0, 14), secret]))(
		'contains no %s…',
		(_label, secret) => {
			const hits = seen.filter((text) => text.includes(secret));
			expect(
				hits.map((text) =>
					text.slice(Math.max(0, text.indexOf(secret) - 300), text.indexOf(secret) + 100),
				),
			).toEqual([]);
		},
	);

	it.each(CARD_NUMBERS.map((card) => [card]))('shows card %s only masked', (card) => {
		const hits = seenFromNode.filter((text) => text.includes(card));
		expect(
			hits.map((text) =>
				text.slice(Math.max(0, text.indexOf(card) - 300), text.indexOf(card) + 100),
			),
		).toEqual([]);
	});
});
