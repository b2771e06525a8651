/**
 * The pickers (resource locators): "From list" search methods of the service and invoice pickers, called as
 * the editor calls them, and the operations reading every mode, including plain strings of workflows saved
 * before the pickers. Expected values come from the sandbox's catalogue and ledger, not from the node.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { SERVICES, startSandbox, type RunningSandbox } from '../../sandbox';
import { listSearch } from '../../harness/loadOptions';
import { PT_TYPE } from '../support/payoutWorkflow';
import { startRecordingProxy, type RecordingProxy } from '../support/recordingProxy';
import { failureText, runNode, type CredentialData } from '../support/runNode';

let sandbox: RunningSandbox;
let proxy: RecordingProxy;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
	proxy = await startRecordingProxy(sandbox.baseUrl);
	sandbox.seedInvoices(120);
});
afterAll(async () => {
	await proxy.close();
	await sandbox.close();
});
beforeEach(() => proxy.clear());

const via = (target: RecordingProxy) => ({ ...sandbox.credentials, baseUrl: target.baseUrl });
const search = (
	method: string,
	credentials: CredentialData,
	filter?: string,
	paginationToken?: string,
) =>
	listSearch(method, {
		nodeType: PT_TYPE,
		credentials: { paymentsTrustApi: credentials as ICredentialDataDecryptedObject },
		filter,
		paginationToken,
	});
const rl = (mode: string, value: string) => ({ __rl: true, mode, value });
const newestFirst = () =>
	sandbox
		.ledger()
		.invoices.map((invoice) => invoice.id)
		.reverse();

describe('service picker: searchServices', () => {
	it('lists every service of the account by code, with currencies and limits in the name', async () => {
		const { results } = await search('searchServices', sandbox.credentials);
		expect(results.map((item) => item.value).sort()).toEqual(
			SERVICES.map((service) => service.code).sort(),
		);
		const eur = SERVICES.find((service) => service.code === 'bank_transfer_eur')!;
		expect(results.find((item) => item.value === 'bank_transfer_eur')?.name).toBe(
			`bank_transfer_eur · USD → EUR · ${eur.amountMin}–${eur.amountMax}`,
		);
		expect(results.find((item) => item.value === 'test_usd')?.name).toBe(
			'test_usd · USD · 0.01–9999999',
		);
		// Short enough for the editor's list not to cut the limits off.
		for (const item of results) expect(item.name.length).toBeLessThanOrEqual(48);
		expect(results.find((item) => item.value === 'legacy_card_usd')?.name).toMatch(
			/ · not available$/,
		);
	});

	it('filters by what the user types: code, method or currency, any case', async () => {
		const byCurrency = await search('searchServices', sandbox.credentials, 'jpy');
		expect(byCurrency.results.map((item) => item.value).sort()).toEqual(
			SERVICES.filter(
				(service) =>
					service.currency === 'JPY' ||
					service.serviceCurrency === 'JPY' ||
					/jpy/.test(service.code),
			)
				.map((service) => service.code)
				.sort(),
		);
		const byMethod = await search('searchServices', sandbox.credentials, 'SEPA');
		expect(byMethod.results.map((item) => item.value)).toEqual(['sepa_eur']);
	});

	it('ranks by how well the code matches: exact code, a word of the code, then the rest', async () => {
		const byWord = await search('searchServices', sandbox.credentials, 'usd');
		const codes = byWord.results.map((item) => item.value);
		// A Test credential sees the test service (pays nothing) first among the equal matches.
		expect(codes[0]).toBe('test_usd');
		const wordMatches = SERVICES.filter((service) => service.code.split('_').includes('usd'));
		expect(codes.slice(0, wordMatches.length).sort()).toEqual(
			wordMatches.map((service) => service.code).sort(),
		);
		// An unavailable service comes last among equal matches.
		expect(codes[wordMatches.length - 1]).toBe('legacy_card_usd');
		// Then codes that only contain it (crypto_usdt), then services that match on currency alone.
		expect(codes[wordMatches.length]).toBe('crypto_usdt');
		expect(codes.length).toBeGreaterThan(wordMatches.length + 1);

		const exact = await search('searchServices', sandbox.credentials, 'swift_usd');
		expect(exact.results.map((item) => item.value)).toEqual(['swift_usd']);
		const card = await search('searchServices', sandbox.credentials, 'payment_card');
		expect(card.results.map((item) => item.value)).toEqual([
			'payment_card_eur',
			'payment_card_gbp',
			'payment_card_jpy',
			'payment_card_krw',
			'payment_card_usd',
			// matched on its method only
			'legacy_card_usd',
		]);
	});

	it('a wrong API key says why and what to check', async () => {
		await expect(
			search('searchServices', { ...sandbox.credentials, apiKey: 'wrong' }),
		).rejects.toThrow(
			'Could not load the payout services: HTTP 401: Unauthorized (check the account ID and API key in the credential)',
		);
	});
});

describe('invoice picker: searchInvoices', () => {
	it('lists the newest invoices first and follows the API cursor (links.next) page by page', async () => {
		const expected = newestFirst();
		const first = await search('searchInvoices', via(proxy));
		expect(first.results.map((item) => item.value)).toEqual(expected.slice(0, 50));
		expect(first.paginationToken).toEqual(expect.any(String));
		const second = await search(
			'searchInvoices',
			via(proxy),
			undefined,
			first.paginationToken as string,
		);
		expect(second.results.map((item) => item.value)).toEqual(expected.slice(50, 100));
		const third = await search(
			'searchInvoices',
			via(proxy),
			undefined,
			second.paginationToken as string,
		);
		expect(third.results.map((item) => item.value)).toEqual(expected.slice(100, 120));
		// The pages after the first were asked with the API's own cursor, not one built by the node.
		const pages = proxy.requestsTo('GET', '/api/payout-invoices');
		expect(pages.map((page) => page.query['page[after]'])).toEqual([
			undefined,
			expected[49],
			expected[99],
		]);
	});

	it('names each invoice by reference ID, amount, currency, status and mode', async () => {
		const invoice = sandbox.ledger().invoices.find((entry) => entry.referenceId === 'seed-5')!;
		const { results } = await search('searchInvoices', sandbox.credentials, 'seed-5');
		expect(results).toEqual([
			// The sandbox's keys are test keys: its invoices are all test_mode true.
			{
				name: `seed-5 · ${invoice.amount} ${invoice.currency} · ${invoice.status} · test`,
				value: invoice.id,
			},
		]);
	});

	it('a partial reference ID finds the recent invoices containing it', async () => {
		// No invoice has exactly "eed-11", so the newest 100 are searched for it.
		const { results } = await search('searchInvoices', sandbox.credentials, 'EED-11');
		const recent = sandbox.ledger().invoices.slice(-100);
		const expected = recent
			.filter((invoice) => invoice.referenceId.includes('eed-11'))
			.map((invoice) => invoice.id)
			.reverse();
		expect(expected.length).toBeGreaterThan(1);
		expect(results.map((item) => item.value)).toEqual(expected);
	});
});

describe('operations read every picker mode', () => {
	const testUsd = SERVICES.find((service) => service.code === 'test_usd')!;

	it('Payout Service → Get takes the code test_usd (as Create shows it), the list value and the comcpos_ ID', async () => {
		for (const serviceId of [
			rl('code', 'test_usd'),
			rl('list', 'test_usd'),
			rl('id', testUsd.id),
			'test_usd',
			testUsd.id,
		]) {
			const run = await runNode(sandbox.credentials, {
				resource: 'payoutService',
				operation: 'get',
				serviceId,
			});
			expect(run.json()).toEqual([
				expect.objectContaining({ id: testUsd.id, service: 'test_usd' }),
			]);
		}
	});

	it('Payout Service → Get of an unknown code names it', async () => {
		const run = await runNode(sandbox.credentials, {
			resource: 'payoutService',
			operation: 'get',
			serviceId: rl('code', 'nope_usd'),
		});
		expect(failureText(run.result)).toMatch(
			/^Row 1 \(item 0\): the account has no payout service "nope_usd"/,
		);
	});

	it('Payout Invoice → Get by ID, from the list, by reference ID and as a plain string all read the same invoice', async () => {
		const invoice = sandbox.ledger().invoices.find((entry) => entry.referenceId === 'seed-9')!;
		for (const invoiceId of [
			rl('id', invoice.id),
			rl('list', invoice.id),
			rl('referenceId', 'seed-9'),
			invoice.id,
		] as IDataObject[]) {
			const run = await runNode(sandbox.credentials, {
				resource: 'payoutInvoice',
				operation: 'get',
				invoiceId,
			});
			expect(run.json()).toEqual([
				expect.objectContaining({ id: invoice.id, referenceId: 'seed-9', status: invoice.status }),
			]);
		}
	});

	it('Payout Invoice → Get by an unknown reference ID says nothing has it', async () => {
		const run = await runNode(sandbox.credentials, {
			resource: 'payoutInvoice',
			operation: 'get',
			invoiceId: rl('referenceId', 'never-made'),
		});
		expect(failureText(run.result)).toMatch(
			/^Row 1 \(item 0\): no payout invoice has reference ID "never-made"/,
		);
	});

	it('Create and Process takes the service by comcpos_ ID and pays it as its code (ledger)', async () => {
		const run = await runNode(
			sandbox.credentials,
			{
				resource: 'payoutInvoice',
				operation: 'createAndProcess',
				service: rl('id', testUsd.id),
				currency: 'USD',
				amount: '={{ $json.amount }}',
				referenceId: '={{ $json.reference_id }}',
				serviceFields: { mappingMode: 'defineBelow', value: { account: '12345' } },
			},
			[{ reference_id: 'picker-by-id-1', amount: '12.34' }],
		);
		expect(run.result.status).toBe('success');
		const paid = sandbox
			.ledger()
			.invoices.filter((invoice) => invoice.referenceId === 'picker-by-id-1');
		expect(paid).toHaveLength(1);
		expect(paid[0]).toMatchObject({ service: 'test_usd', amount: 12.34, currency: 'USD' });
	});

	it('Process by reference ID processes that invoice once', async () => {
		await runNode(sandbox.credentials, {
			resource: 'payoutInvoice',
			operation: 'create',
			service: rl('code', 'test_usd'),
			currency: 'USD',
			amount: '5',
			referenceId: 'picker-process-1',
			serviceFields: { mappingMode: 'defineBelow', value: { account: '12345' } },
		});
		expect(
			sandbox.ledger().invoices.find((invoice) => invoice.referenceId === 'picker-process-1')
				?.status,
		).toBe('created');
		const run = await runNode(sandbox.credentials, {
			resource: 'payoutInvoice',
			operation: 'process',
			invoiceId: rl('referenceId', 'picker-process-1'),
		});
		expect(run.result.status).toBe('success');
		expect(
			sandbox.ledger().invoices.find((invoice) => invoice.referenceId === 'picker-process-1')
				?.status,
		).not.toBe('created');
	});
});
