import { parseCallback } from '../../nodes/PaymentsTrustTrigger/callback';
import {
	judgeCallback,
	rememberCallback,
	type CallbackMemory,
} from '../../nodes/PaymentsTrustTrigger/deduplication';
import {
	modeMatches,
	statusMatches,
	STATUS_OPTIONS,
} from '../../nodes/PaymentsTrustTrigger/filters';
import { INVOICE_STATUSES } from '../../nodes/shared/invoice';

describe('parseCallback', () => {
	const valid = {
		data: {
			type: 'payout-invoices',
			id: 'cpoi_1',
			attributes: { status: 'processed', updated: 1700000100, test_mode: true },
		},
	};

	it('reads a payout invoice callback from raw bytes', () => {
		const result = parseCallback(Buffer.from(JSON.stringify(valid)));
		expect(result).toEqual({
			ok: true,
			callback: {
				body: valid,
				data: valid.data,
				id: 'cpoi_1',
				status: 'processed',
				updated: 1700000100,
				testMode: true,
			},
		});
	});

	it('reads updated given as a numeric string, and tolerates it missing', () => {
		const asString = {
			data: { ...valid.data, attributes: { status: 'created', updated: '1700000000' } },
		};
		const missing = { data: { ...valid.data, attributes: { status: 'created' } } };
		expect(parseCallback(JSON.stringify(asString))).toMatchObject({
			ok: true,
			callback: { updated: 1700000000, testMode: null },
		});
		expect(parseCallback(JSON.stringify(missing))).toMatchObject({
			ok: true,
			callback: { updated: null },
		});
	});

	it.each([
		['not JSON', '{"data":'],
		['empty', ''],
		['a JSON array', '[]'],
		['no data', '{"meta":{}}'],
		['another type', '{"data":{"type":"invoices","id":"x","attributes":{"status":"processed"}}}'],
		['no id', '{"data":{"type":"payout-invoices","attributes":{"status":"processed"}}}'],
		['no status', '{"data":{"type":"payout-invoices","id":"x","attributes":{}}}'],
		['no attributes', '{"data":{"type":"payout-invoices","id":"x"}}'],
	])('refuses a body that is %s', (_name, body) => {
		expect(parseCallback(Buffer.from(body))).toMatchObject({ ok: false });
	});
});

describe('callback memory', () => {
	it('tells new, duplicate and stale callbacks apart', () => {
		const memory: CallbackMemory = {};
		expect(judgeCallback(memory, 'a', 'created', 100)).toBe('new');
		rememberCallback(memory, 'a', 'created', 100);
		expect(judgeCallback(memory, 'a', 'created', 100)).toBe('duplicate');
		// another status in the same second is news
		expect(judgeCallback(memory, 'a', 'processing', 100)).toBe('new');
		rememberCallback(memory, 'a', 'processing', 100);
		rememberCallback(memory, 'a', 'processed', 105);
		// an earlier status arriving late
		expect(judgeCallback(memory, 'a', 'process_pending', 103)).toBe('stale');
		expect(judgeCallback(memory, 'a', 'processing', 100)).toBe('stale');
		expect(judgeCallback(memory, 'a', 'processed', 105)).toBe('duplicate');
		// other invoices are unaffected
		expect(judgeCallback(memory, 'b', 'processed', 1)).toBe('new');
	});

	it('lets an invoice re-enter a status later, but not a retry of the earlier entry', () => {
		const memory: CallbackMemory = {};
		rememberCallback(memory, 'a', 'process_error', 100);
		rememberCallback(memory, 'a', 'processing', 110);
		expect(judgeCallback(memory, 'a', 'process_error', 100)).toBe('stale');
		expect(judgeCallback(memory, 'a', 'process_error', 120)).toBe('new');
	});

	it('falls back to invoice id + status when updated is unknown', () => {
		const memory: CallbackMemory = {};
		rememberCallback(memory, 'a', 'created', null);
		expect(judgeCallback(memory, 'a', 'created', null)).toBe('duplicate');
		expect(judgeCallback(memory, 'a', 'created', 100)).toBe('duplicate');
		expect(judgeCallback(memory, 'a', 'processed', null)).toBe('new');
		rememberCallback(memory, 'a', 'processed', 200);
		expect(judgeCallback(memory, 'a', 'processing', null)).toBe('new');
	});

	it('keeps the newest invoices only, counting a new delivery as fresh use', () => {
		const memory: CallbackMemory = {};
		rememberCallback(memory, '1', 'created', 1, 3);
		rememberCallback(memory, '2', 'created', 1, 3);
		rememberCallback(memory, '3', 'created', 1, 3);
		rememberCallback(memory, '1', 'processed', 2, 3); // invoice 1 becomes the newest
		rememberCallback(memory, '4', 'created', 1, 3); // invoice 2 is now the oldest and goes
		expect(Object.keys(memory)).toEqual(['#3', '#1', '#4']);
		expect(judgeCallback(memory, '2', 'created', 1)).toBe('new');
		expect(judgeCallback(memory, '1', 'created', 1)).toBe('stale');
	});

	it('stays within the default bound of 10,000 invoices and survives a JSON round trip', () => {
		let memory: CallbackMemory = {};
		// Fill to the bound directly (remembering one by one is O(n) each: fine per callback, slow 10,000 times).
		for (let i = 0; i < 10_000; i++) memory[`#cpoi_${i}`] = { processed: 1700000000 + i };
		for (let i = 10_000; i < 10_050; i++)
			rememberCallback(memory, `cpoi_${i}`, 'processed', 1700000000 + i);
		expect(Object.keys(memory)).toHaveLength(10_000);
		expect(judgeCallback(memory, 'cpoi_49', 'processed', 1700000049)).toBe('new');
		expect(judgeCallback(memory, 'cpoi_50', 'processed', 1700000050)).toBe('duplicate');
		memory = JSON.parse(JSON.stringify(memory));
		expect(judgeCallback(memory, 'cpoi_10049', 'processed', 1700010049)).toBe('duplicate');
		// What n8n stores with the workflow for a full memory of one status per invoice.
		expect(JSON.stringify(memory).length).toBeLessThan(500_000);
	});
});

describe('filters', () => {
	it('offers every status once, sorted by name', () => {
		expect(STATUS_OPTIONS.map((o) => o.value).sort()).toEqual([...INVOICE_STATUSES].sort());
		const names = STATUS_OPTIONS.map((o) => o.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
		expect(names).toContain('Processed (Final)');
	});

	it('matches statuses', () => {
		expect(statusMatches('processing', 'anyStatus', [])).toBe(true);
		expect(statusMatches('processing', 'finalStatuses', [])).toBe(false);
		expect(statusMatches('canceled', 'finalStatuses', [])).toBe(true);
		expect(statusMatches('processing', 'selectedStatuses', [])).toBe(true);
		expect(statusMatches('processing', 'selectedStatuses', ['processed'])).toBe(false);
		expect(statusMatches('processed', 'selectedStatuses', ['processed'])).toBe(true);
	});

	it('matches modes', () => {
		expect(modeMatches(true, 'any')).toBe(true);
		expect(modeMatches(null, 'any')).toBe(true);
		expect(modeMatches(true, 'test')).toBe(true);
		expect(modeMatches(false, 'test')).toBe(false);
		expect(modeMatches(false, 'live')).toBe(true);
		expect(modeMatches(null, 'live')).toBe(false);
	});
});
