/**
 * Issue 26: the rules of Retry Failed Rows that need no platform: which statuses may be retried, how attempts
 * are named and recognised, which rows are refused, what a row's item says, and how Reconcile follows a chain.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	asAttempt,
	attemptNote,
	attemptReference,
	attemptRowProblem,
	classOf,
	isAttemptOf,
} from '../../nodes/PaymentsTrust/payouts/attempts';
import {
	followAttempts,
	type AttemptLookup,
} from '../../nodes/PaymentsTrust/payouts/reconcileAttempts';
import type { AttemptPlan, ValidPayout } from '../../nodes/PaymentsTrust/payouts/types';
import { retryFrom } from '../../nodes/PaymentsTrust/actions/runOptions';
import { INVOICE_STATUSES } from '../../nodes/shared/invoice';

const payout = (overrides: Partial<ValidPayout> = {}): ValidPayout => ({
	itemIndex: 0,
	referenceId: 'inv-42',
	service: 'test_usd',
	currency: 'USD',
	amount: '10',
	amountText: '10.00',
	amountMinor: 1000n,
	fields: { account: '1' },
	extra: {},
	...overrides,
});

const invoice = (reference: string, status: string, metadata?: IDataObject): IDataObject => ({
	type: 'payout-invoices',
	id: `cpi_${reference}`,
	attributes: { reference_id: reference, status, metadata: metadata ?? null },
});

describe('status classes', () => {
	it('sorts every documented status into exactly one class', () => {
		expect(Object.fromEntries(INVOICE_STATUSES.map((status) => [status, classOf(status)]))).toEqual(
			{
				created: 'created',
				processing: 'open',
				process_pending: 'open',
				processed: 'paid',
				partially_processed: 'partly',
				process_error: 'open',
				process_failed: 'noMoney',
				expired: 'noMoney',
				terminated: 'noMoney',
				canceling: 'open',
				cancel_pending: 'open',
				cancel_error: 'open',
				cancel_failed: 'partly',
				partially_canceled: 'partly',
				canceled: 'noMoney',
			},
		);
	});

	it('a status the node does not know is open, never a failure', () => {
		expect(classOf('on_hold')).toBe('open');
		expect(classOf(undefined)).toBe('open');
	});
});

describe('attempt names', () => {
	it('attempt 1 is the row’s own reference ID; n ≥ 2 is "R~n"', () => {
		expect(attemptReference('inv-42', 1)).toBe('inv-42');
		expect(attemptReference('inv-42', 2)).toBe('inv-42~2');
		expect(attemptReference('inv-42', 10)).toBe('inv-42~10');
	});

	it('an invoice under "R~n" is attempt n of R only when its metadata says so', () => {
		const mine = { original_reference_id: 'inv-42', attempt: 2 };
		expect(isAttemptOf(invoice('inv-42~2', 'created', mine), 'inv-42', 2)).toBe(true);
		expect(
			isAttemptOf(invoice('inv-42~2', 'created', { ...mine, attempt: '2' }), 'inv-42', 2),
		).toBe(true);
		expect(isAttemptOf(invoice('inv-42~2', 'created'), 'inv-42', 2)).toBe(false);
		expect(isAttemptOf(invoice('inv-42~2', 'created', { ...mine, attempt: 3 }), 'inv-42', 2)).toBe(
			false,
		);
		expect(
			isAttemptOf(
				invoice('inv-42~2', 'created', { ...mine, original_reference_id: 'inv-4' }),
				'inv-42',
				2,
			),
		).toBe(false);
	});

	it('a new attempt carries the row’s metadata plus the original reference and the number', () => {
		const attempt = asAttempt(payout({ extra: { metadata: { batch: 'b' } } }), 2, 3, []);
		expect(attempt.referenceId).toBe('inv-42~2');
		expect(attempt.extra.metadata).toEqual({
			batch: 'b',
			original_reference_id: 'inv-42',
			attempt: 2,
		});
		expect(attempt.attempt).toMatchObject({ original: 'inv-42', number: 2, action: 'create' });
		// Attempt 1 is sent exactly as without the option.
		expect(asAttempt(payout(), 1, 3, []).extra).toEqual({});
	});
});

describe('rows refused with Retry Failed Rows on', () => {
	it.each([
		['"inv~2"', 'inv~2', 'as the node names retry attempts'],
		['"inv~10"', 'inv~10', 'as the node names retry attempts'],
		['of 253 characters', 'a'.repeat(253), 'at most 252'],
	])('reference ID %s', (_label, reference, rule) => {
		expect(attemptRowProblem(payout({ referenceId: reference }), 10)?.rule).toContain(rule);
	});

	it('metadata that sets a key attempts carry', () => {
		const problem = attemptRowProblem(payout({ extra: { metadata: { attempt: 1 } } }), 3);
		expect(problem).toMatchObject({ field: 'metadata', stage: 'validation' });
	});

	it('keeps IDs with a tilde elsewhere, and long IDs that leave room for the suffix', () => {
		expect(attemptRowProblem(payout({ referenceId: 'inv~a' }), 3)).toBeUndefined();
		expect(attemptRowProblem(payout({ referenceId: 'inv~2x' }), 3)).toBeUndefined();
		expect(attemptRowProblem(payout({ referenceId: 'a'.repeat(253) }), 3)).toBeUndefined();
	});
});

describe('what a row’s item says', () => {
	const plan = (number: number, action: AttemptPlan['action'] = 'none'): AttemptPlan => ({
		...asAttempt(payout(), number, 3, []).attempt!,
		action,
	});
	it.each<[string, number, AttemptPlan['action'], RegExp | null]>([
		['processed', 1, 'create', null],
		['processed', 2, 'none', /^Paid by attempt 2 \("inv-42~2"\)/],
		['process_failed', 1, 'none', /next run with Retry Failed Rows sends attempt 2 \("inv-42~2"\)/],
		['expired', 3, 'create', /^Not retried: .*Max Attempts per Row \(3\) is reached/],
		['partially_processed', 1, 'none', /^Never retried: .*money may have reached the payee/],
		['cancel_failed', 2, 'none', /^Never retried/],
		['processing', 2, 'none', /^Not retried: attempt 2 \("inv-42~2"\) is processing, not final/],
		['created', 2, 'none', /is in created, not processed yet: no new attempt is made/],
		['processing', 2, 'create', /^attempt 2 \("inv-42~2"\) was sent by this run and is processing/],
		['process_pending', 1, 'continue', /was sent by this run and is process_pending/],
		['processing', 1, 'create', null],
	])('%s at attempt %d (%s)', (status, number, action, note) => {
		const text = attemptNote(plan(number, action), status, 'declined_error');
		if (note === null) expect(text).toBeNull();
		else expect(text).toMatch(note);
	});
});

describe('Reconcile follows a chain of attempts', () => {
	function platform(invoices: IDataObject[], unreadable: string[] = []) {
		const asked: Array<[string, boolean]> = [];
		const lookUp = async (reference: string, settled: boolean): Promise<AttemptLookup> => {
			asked.push([reference, settled]);
			if (unreadable.includes(reference)) return { outcome: 'unknown', reason: 'HTTP 503' };
			const found = invoices.find(
				(entry) => (entry.attributes as IDataObject).reference_id === reference,
			);
			return found ? { outcome: 'found', invoice: found } : { outcome: 'missing' };
		};
		return { lookUp, asked };
	}
	const meta = (n: number) => ({ original_reference_id: 'r', attempt: n });

	it('paid by attempt 2: shows attempt 2; the next is believed missing after one readable answer', async () => {
		const { lookUp, asked } = platform([
			invoice('r', 'process_failed'),
			invoice('r~2', 'processed', meta(2)),
		]);
		const followed = await followAttempts('r', lookUp);
		expect(followed.shown?.attempt).toBe(2);
		expect(followed.paidTwice).toBe(false);
		expect(asked).toEqual([
			['r', true],
			['r~2', true],
			['r~3', false],
		]);
	});

	it('two attempts that moved money: paid twice', async () => {
		const { lookUp } = platform([
			invoice('r', 'processed'),
			invoice('r~2', 'partially_processed', meta(2)),
		]);
		const followed = await followAttempts('r', lookUp);
		expect(followed.paidTwice).toBe(true);
		expect(followed.shown?.attempt).toBe(1);
	});

	it('a next attempt that cannot be read after a failed one makes the row unknown', async () => {
		const { lookUp } = platform([invoice('r', 'process_failed')], ['r~2']);
		const followed = await followAttempts('r', lookUp);
		expect(followed.lookup).toMatchObject({ outcome: 'unknown' });
		expect((followed.lookup as { reason: string }).reason).toContain('attempt 2 ("r~2")');
	});

	it('"R~2" that is not an attempt of the row is not followed', async () => {
		const { lookUp } = platform([invoice('r', 'process_failed'), invoice('r~2', 'processed')]);
		const followed = await followAttempts('r', lookUp);
		expect(followed.chain).toHaveLength(1);
		expect(followed.note).toContain('not an attempt of this row');
	});
});

describe('the options, read before anything is sent', () => {
	it('Retry Failed Rows with Create, or Max Attempts per Row alone, stop the run', () => {
		expect(retryFrom({ retryFailedRows: true }, 'create')).toMatchObject({
			error: expect.stringContaining('works with Create and Process'),
		});
		expect(retryFrom({ maxAttemptsPerRow: 4 }, 'createAndProcess')).toMatchObject({
			error: expect.stringContaining('only takes effect with "Retry Failed Rows" on'),
		});
	});

	it('default 3 attempts per row; off is no retry', () => {
		expect(retryFrom({ retryFailedRows: true }, 'createAndProcess')).toEqual({
			retry: { maxAttemptsPerRow: 3 },
		});
		expect(retryFrom({ retryFailedRows: true, maxAttemptsPerRow: 5 }, 'validate')).toEqual({
			retry: { maxAttemptsPerRow: 5 },
		});
		expect(retryFrom({}, 'createAndProcess')).toEqual({});
	});
});
