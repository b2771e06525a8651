/**
 * n8n rewrites the message of any NodeApiError/NodeOperationError whose text contains a network error code
 * (ETIMEDOUT, ECONNRESET, …) into a generic sentence; for a timeout it advises "Retry On Fail", which re-sends a
 * payout blindly. The node's money-path errors must keep their own words: the row, the reference ID, what is unknown.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { outcomeUnknownError } from '../../nodes/PaymentsTrust/platform/invoiceLookup';
import { describeOutcome, toNodeApiError } from '../../nodes/PaymentsTrust/transport/errors';
import type { Outcome } from '../../nodes/PaymentsTrust/transport/request';
import { paymentsTrustNode } from '../support/payoutWorkflow';

const node = paymentsTrustNode();
const ctx = { getNode: () => node } as unknown as IExecuteFunctions;

const network = (code: string, timedOut: boolean): Outcome => ({
	kind: 'network',
	code,
	message: `${code} happened`,
	timedOut,
});

describe.each([
	['ETIMEDOUT', true],
	['ESOCKETTIMEDOUT', true],
	['ECONNABORTED', true],
	['ECONNRESET', false],
	['ECONNREFUSED', false],
	['ENOTFOUND', false],
	['EAI_AGAIN', false],
	['EHOSTUNREACH', false],
])('a %s', (code, timedOut) => {
	it('leaves an unknown outcome with its row, reference ID and stage, and never advises Retry On Fail', () => {
		const error = outcomeUnknownError(
			ctx,
			{ itemIndex: 661, referenceId: 'ref-662' },
			'whether the payout was processed',
			network(code, timedOut),
		);
		expect(error.message).toMatch(
			/^Row 662 \(item 661, reference ID "ref-662"\): whether the payout was processed is unknown/,
		);
		expect(error.message).not.toMatch(/Retry on Fail/i);
		expect(error.context.stage).toBe('outcome_unknown');
	});

	it('leaves an API error with its row and action', () => {
		const error = toNodeApiError(node, network(code, timedOut), {
			action: 'Create payout invoice',
			itemIndex: 2,
			referenceId: 'ref-3',
		});
		expect(error.message).toMatch(
			/^Row 3 \(item 2, reference ID "ref-3"\): Create payout invoice failed with (no answer in time|connection failed) \(/,
		);
		expect(error.message).not.toMatch(/Retry on Fail/i);
	});
});

describe('an error answer that is not the API’s JSON (issue 30)', () => {
	const page = (statusCode: number, text: string): Outcome => ({
		kind: 'response',
		statusCode,
		body: { text },
		headers: {},
	});
	const GATEWAY_PAGE =
		'<html><head><title>503 Service Unavailable</title></head><body><h1>503</h1>' +
		'<pre>x-request-id: abc</pre></body></html>';

	it('an HTML page is named, never pasted: "HTTP 503 (an HTML error page)"', () => {
		expect(describeOutcome(page(503, GATEWAY_PAGE))).toBe('HTTP 503 (an HTML error page)');
		const error = toNodeApiError(node, page(502, `  \n${GATEWAY_PAGE}`), {
			action: 'Look up the payout by reference ID',
			itemIndex: 4,
			referenceId: 'ref-5',
		});
		expect(error.message).toBe(
			'Row 5 (item 4, reference ID "ref-5"): Look up the payout by reference ID failed with ' +
				'HTTP 502 (an HTML error page)',
		);
		expect(JSON.stringify(error)).not.toContain('<html');
	});

	it('plain text is kept, cut to 200 characters', () => {
		expect(describeOutcome(page(500, 'upstream connect error'))).toBe(
			'HTTP 500: upstream connect error',
		);
		expect(describeOutcome(page(500, 'x'.repeat(500)))).toBe(`HTTP 500: ${'x'.repeat(200)}…`);
	});

	it('the API’s own JSON errors read as before', () => {
		const outcome: Outcome = {
			kind: 'response',
			statusCode: 422,
			body: { errors: { amount: 'This value is too low.' } },
			headers: {},
		};
		expect(describeOutcome(outcome)).toBe('HTTP 422: amount: This value is too low.');
	});
});
