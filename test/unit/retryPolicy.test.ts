import {
	backoffDelayMs,
	DEFAULT_RETRY_POLICY,
	parseRetryAfter,
	settleDelayMs,
} from '../../nodes/PaymentsTrust/transport/retryPolicy';
import { mapWithConcurrency } from '../../nodes/PaymentsTrust/helpers/concurrency';
import { maskCardNumbersIn } from '../../nodes/shared/redact';
import { normaliseRegexp } from '../../nodes/PaymentsTrust/platform/serviceFields';

describe('retry policy', () => {
	it('reads Retry-After as seconds or as a date', () => {
		expect(parseRetryAfter('2')).toBe(2000);
		expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
		expect(parseRetryAfter('soon')).toBeUndefined();
	});

	it('backs off with jitter inside the cap and honours a longer Retry-After', () => {
		for (let attempt = 1; attempt < 10; attempt++) {
			const delay = backoffDelayMs(attempt, DEFAULT_RETRY_POLICY);
			expect(delay).toBeGreaterThanOrEqual(0);
			expect(delay).toBeLessThan(
				Math.min(DEFAULT_RETRY_POLICY.maxDelayMs, 500 * 2 ** (attempt - 1)) + 1,
			);
		}
		expect(backoffDelayMs(1, DEFAULT_RETRY_POLICY, 3000)).toBe(3000);
		expect(backoffDelayMs(1, DEFAULT_RETRY_POLICY, 10 ** 9)).toBe(
			DEFAULT_RETRY_POLICY.maxRetryAfterMs,
		);
	});
});

describe('helpers', () => {
	it('keeps input order under concurrency and never runs more than the limit', async () => {
		let running = 0;
		let peak = 0;
		const results = await mapWithConcurrency([30, 10, 20, 5, 1], 2, async (ms, index) => {
			running++;
			peak = Math.max(peak, running);
			await new Promise((resolve) => setTimeout(resolve, ms));
			running--;
			return index;
		});
		expect(results).toEqual([0, 1, 2, 3, 4]);
		expect(peak).toBe(2);
	});

	it('masks card numbers in any text', () => {
		expect(maskCardNumbersIn('card 5123817234060000 refused')).toBe(
			'card 512381******0000 refused',
		);
		expect(maskCardNumbersIn('amount 100.55')).toBe('amount 100.55');
	});

	it('reads the reference’s double-escaped field patterns', () => {
		expect(normaliseRegexp('^\\\\d{1,15}$')?.test('12345')).toBe(true);
		expect(normaliseRegexp('^\\d{1,15}$')?.test('12345')).toBe(true);
		expect(normaliseRegexp('([')).toBeUndefined();
	});
});

describe('error items', () => {
	it('mask card numbers but keep a numeric reference ID readable', () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { errorItem } =
			require('../../nodes/PaymentsTrust/helpers/items') as typeof import('../../nodes/PaymentsTrust/helpers/items');
		const item = errorItem(
			{
				message:
					'Row 3 (item 2, reference ID "17955371578691234"): card 4111111111111111 refused for 17955371578691234',
			},
			2,
			{ referenceId: '17955371578691234' },
		);
		expect(item.json.error).toBe(
			'Row 3 (item 2, reference ID "17955371578691234"): card 411111******1111 refused for 17955371578691234',
		);
		expect(item.pairedItem).toEqual({ item: 2 });
	});
});

describe('settling reads after a lost answer (issue 12)', () => {
	it('believes "not there" only after four reads spread over about two seconds', () => {
		expect(DEFAULT_RETRY_POLICY.settleReads).toBe(4);
		const pauses = [1, 2, 3].map((read) => settleDelayMs(read, DEFAULT_RETRY_POLICY));
		expect(pauses).toEqual([300, 600, 1200]);
		expect(pauses.reduce((sum, pause) => sum + pause, 0)).toBeGreaterThanOrEqual(2000);
	});

	it('reads an HTTP-date Retry-After as the time left until then', () => {
		const now = Date.parse('2026-11-26T12:00:00Z');
		expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:03 GMT', now)).toBe(3000);
		expect(parseRetryAfter('Thu, 26 Nov 2026 11:59:00 GMT', now)).toBe(0);
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
	});
});
