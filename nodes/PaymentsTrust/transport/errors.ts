import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { rowName } from '../helpers/items';
import { maskCardNumbersIn } from '../../shared/redact';
import type { Outcome } from './request';

/**
 * What the API reference tells a client to do after each status code, in words a workflow builder
 * can act on.
 */
const DIRECTIVES: Record<string, string> = {
	'400':
		'The request could not be understood. Look the payout up by reference ID before repeating ' +
		'it: if it does not exist, the request was unsuccessful and can be repeated.',
	'401':
		'Check the account ID and API key (or the public key for the Public API). Nothing was created.',
	'403':
		'Access denied: check the credentials, and whether the Private API only accepts whitelisted ' +
		'IPs (ask PaymentsTrust to whitelist this n8n). Nothing was created.',
	'404':
		'Not found: check the ID, the reference ID or the API base URL and paths in the credential.',
	'405': 'This request method is not allowed here. Nothing was created.',
	'409':
		'Conflicts with what the platform already has: a payout with this reference ID exists, or ' +
		'the invoice is no longer in status "created".',
	'422':
		'The platform refused the data (see the fields above). Nothing was created: fix the row and ' +
		'run it again.',
	'429': 'Too many requests: the platform asked to slow down.',
	'5xx':
		'The platform failed to answer. Check the payout status by reference ID before creating it ' +
		'again.',
	unreadable:
		'The platform answered, but the answer could not be read (cut off, not JSON, or a redirect ' +
		'the node does not follow): the request may or may not have been carried out. Check the ' +
		'payout status by reference ID before doing anything again.',
	network:
		'No answer from the platform (timeout or dropped connection). Check the payout status by ' +
		'reference ID before creating it again.',
};

export function directiveFor(outcome: Outcome): string {
	if (outcome.kind === 'network') return DIRECTIVES.network;
	if (outcome.kind === 'unreadable') return DIRECTIVES.unreadable;
	if (outcome.statusCode >= 500) return DIRECTIVES['5xx'];
	return DIRECTIVES[String(outcome.statusCode)] ?? '';
}

/**
 * The API's own words about a failure. Field errors come as a map (`{"errors":{"amount":"…"}}`),
 * other errors as a list (`{"errors":[{"status":"Not Found","code":"404","detail":"…"}]}`).
 */
export function apiErrorDetails(body: IDataObject): {
	summary: string;
	fieldErrors: Record<string, string>;
} {
	const errors = body.errors;
	const fieldErrors: Record<string, string> = {};
	const parts: string[] = [];
	if (Array.isArray(errors)) {
		for (const entry of errors as IDataObject[]) {
			const text = [entry.title, entry.detail ?? entry.status]
				.filter((part) => typeof part === 'string' && part)
				.join(': ');
			if (text) parts.push(text);
		}
	} else if (errors && typeof errors === 'object') {
		for (const [field, message] of Object.entries(errors as IDataObject)) {
			const text = Array.isArray(message) ? message.join(' ') : String(message);
			// Kept in the error response, which n8n saves and shows: card numbers only masked.
			fieldErrors[field] = maskCardNumbersIn(text);
			parts.push(`${field}: ${text}`);
		}
	} else if (typeof body.message === 'string') {
		parts.push(body.message);
	} else if (typeof body.text === 'string') {
		parts.push(body.text);
	}
	return { summary: maskCardNumbersIn(parts.join('; ')), fieldErrors };
}

/**
 * Network error codes in words. n8n replaces the whole message of an error whose text contains one
 * of these codes by its own generic sentence: the row, the reference ID and what to check would be
 * lost, and for ETIMEDOUT it advises "Retry On Fail", which re-sends a payout blindly. So a message
 * names the failure, never the code.
 */
const NETWORK_FAILURES: Record<string, string> = {
	ETIMEDOUT: 'timed out',
	ESOCKETTIMEDOUT: 'timed out',
	ECONNRESET: 'connection reset',
	ECONNREFUSED: 'connection refused',
	ECONNABORTED: 'connection aborted',
	ENOTFOUND: 'host name not found',
	EAI_AGAIN: 'host name lookup failed',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	EADDRNOTAVAIL: 'address not available',
	EPIPE: 'connection closed while sending',
};

function networkFailure(code: string): string {
	return NETWORK_FAILURES[code.toUpperCase()] ?? 'network error';
}

export function describeOutcome(outcome: Outcome): string {
	if (outcome.kind === 'network') {
		return outcome.timedOut
			? `no answer in time (${networkFailure(outcome.code)})`
			: `connection failed (${networkFailure(outcome.code)})`;
	}
	if (outcome.kind === 'unreadable')
		return `HTTP ${outcome.statusCode} with an answer that could not be read (${outcome.reason})`;
	const { summary } = apiErrorDetails(outcome.body);
	return `HTTP ${outcome.statusCode}${summary ? `: ${summary}` : ''}`;
}

export interface ApiErrorContext {
	/** What the node was doing, e.g. "Create payout invoice". */
	action: string;
	itemIndex?: number;
	referenceId?: string;
	/** The row's number in the sheet, when known. */
	row?: number;
}

/**
 * A NodeApiError built only from what is safe to show: the status, the API's error body (card
 * numbers masked) and the directive. The HTTP client's own error object is never passed on.
 */
export function toNodeApiError(
	node: INode,
	outcome: Outcome,
	context: ApiErrorContext,
): NodeApiError {
	const httpCode = outcome.kind === 'network' ? undefined : String(outcome.statusCode);
	const { summary, fieldErrors } =
		outcome.kind === 'response' ? apiErrorDetails(outcome.body) : { summary: '', fieldErrors: {} };
	const row =
		context.itemIndex !== undefined
			? rowName(context.itemIndex, { referenceId: context.referenceId, row: context.row })
			: '';
	const what = outcome.kind === 'response' ? `HTTP ${httpCode}` : describeOutcome(outcome);
	const message =
		`${row ? `${row}: ` : ''}${context.action} failed with ` +
		`${what}${summary ? `: ${summary}` : ''}`;
	const errorResponse: JsonObject = {
		httpCode: httpCode ?? null,
		networkError: outcome.kind === 'network' ? outcome.code : null,
		fieldErrors,
		apiMessage: summary,
	};
	return new NodeApiError(node, errorResponse, {
		message,
		description: directiveFor(outcome),
		httpCode,
		itemIndex: context.itemIndex,
	});
}
