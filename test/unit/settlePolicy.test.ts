/**
 * Issue 30: the settling of unknown rows reads harder than a row's first pass (settlePolicy), without sending any
 * write more often, and a read tries `readAttempts` times when the policy sets it.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../nodes/PaymentsTrust/transport/endpoints';
import { sendSafe } from '../../nodes/PaymentsTrust/transport/request';
import { DEFAULT_RETRY_POLICY } from '../../nodes/PaymentsTrust/transport/retryPolicy';
import { settlePolicy } from '../../nodes/PaymentsTrust/payouts/settleUnknown';
import { paymentsTrustNode, UNREACHABLE_CREDENTIAL } from '../support/payoutWorkflow';

/** A context whose every request is answered 503; counts the requests. */
function failingContext() {
	const calls = { count: 0 };
	const ctx = {
		getCredentials: async () => ({ ...UNREACHABLE_CREDENTIAL }),
		getNode: () =>
			paymentsTrustNode({ credentials: { [CREDENTIAL_TYPE]: { id: 'c', name: 'sandbox' } } }),
		helpers: {
			httpRequestWithAuthentication: async () => {
				calls.count++;
				return { statusCode: 503, headers: {}, body: { errors: [] } };
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

	it('the settling reads twice Max Attempts with back-off capped at 2 s; writes keep Max Attempts', () => {
		const policy = settlePolicy({ ...DEFAULT_RETRY_POLICY, maxAttempts: 3 });
		expect(policy.readAttempts).toBe(6);
		expect(policy.maxAttempts).toBe(3);
		expect(policy.maxDelayMs).toBe(2_000);
		// A server's Retry-After still wins over the cap (backoffDelayMs), as on every request.
		expect(policy.maxRetryAfterMs).toBe(DEFAULT_RETRY_POLICY.maxRetryAfterMs);
	});
});
