/**
 * Issue 30: reads that decide a row's fate (the settling of unknown rows, the look-up of a row's attempts before
 * anything is sent) try harder than a row's first pass (patientReads), without sending any write more often, and
 * a read tries `readAttempts` times when the policy sets it.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../nodes/PaymentsTrust/transport/endpoints';
import { sendSafe } from '../../nodes/PaymentsTrust/transport/request';
import {
	DEFAULT_RETRY_POLICY,
	patientReads,
} from '../../nodes/PaymentsTrust/transport/retryPolicy';
import { planAttempt } from '../../nodes/PaymentsTrust/payouts/attempts';
import type { ValidPayout } from '../../nodes/PaymentsTrust/payouts/types';
import { paymentsTrustNode, UNREACHABLE_CREDENTIAL } from '../support/payoutWorkflow';

/**
 * A context whose first `failures` requests are answered 503 (every one by default), the rest with an empty
 * invoice list; counts the requests.
 */
function failingContext(failures = Infinity) {
	const calls = { count: 0 };
	const ctx = {
		getCredentials: async () => ({ ...UNREACHABLE_CREDENTIAL }),
		getNode: () =>
			paymentsTrustNode({ credentials: { [CREDENTIAL_TYPE]: { id: 'c', name: 'sandbox' } } }),
		helpers: {
			httpRequestWithAuthentication: async () => {
				calls.count++;
				return calls.count <= failures
					? { statusCode: 503, headers: {}, body: { errors: [] } }
					: { statusCode: 200, headers: {}, body: { data: [] } };
			},
			httpRequest: async () => ({ statusCode: 503, headers: {}, body: {} }),
		},
	} as unknown as IExecuteFunctions;
	return { ctx, calls };
}

const FAST = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
const READ = { api: 'private' as const, method: 'GET' as const, path: '/payout-invoices' };

describe('reads while settling', () => {
	it('a read tries Max Attempts times, or readAttempts when the policy sets it', async () => {
		const plain = failingContext();
		await sendSafe(plain.ctx, READ, FAST);
		expect(plain.calls.count).toBe(3);
		const harder = failingContext();
		await sendSafe(harder.ctx, READ, { ...FAST, readAttempts: 6 });
		expect(harder.calls.count).toBe(6);
	});

	it('patient reads try twice Max Attempts with back-off capped at 2 s; writes keep Max Attempts', () => {
		const policy = patientReads({ ...DEFAULT_RETRY_POLICY, maxAttempts: 3 });
		expect(policy.readAttempts).toBe(6);
		expect(policy.maxAttempts).toBe(3);
		expect(policy.maxDelayMs).toBe(2_000);
		// A server's Retry-After still wins over the cap (backoffDelayMs), as on every request.
		expect(policy.maxRetryAfterMs).toBe(DEFAULT_RETRY_POLICY.maxRetryAfterMs);
	});

	it("a row's attempts are read patiently: a look-up that fails Max Attempts times is tried on, not refused", async () => {
		const payout = {
			itemIndex: 0,
			row: 1,
			referenceId: 'inv-42',
			extra: {},
		} as unknown as ValidPayout;
		// Refused for the run with the first pass's reads (three 503s) ...
		const plain = await planAttempt(failingContext(3).ctx, payout, 3, FAST);
		expect(plain).toMatchObject({ stage: 'attempts' });
		// ... planned as attempt 1 with patient reads, which the run uses before anything is sent (checkRows).
		const patient = failingContext(3);
		const planned = await planAttempt(patient.ctx, payout, 3, patientReads(FAST));
		expect(planned).toMatchObject({
			referenceId: 'inv-42',
			attempt: { number: 1, action: 'create' },
		});
		expect(patient.calls.count).toBe(4);
	});
});
