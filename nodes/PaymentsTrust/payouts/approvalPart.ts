import { timingSafeEqual } from 'crypto';

import {
	listed,
	rowsByReference,
	type ApprovalManifest,
	type ApprovalMismatch,
} from './approvalCode';
import type { PayoutRequest } from './types';

/**
 * A part of an approved run (a chunk of a sheet paid by several executions): Approved Code with the
 * scope "A Part of the Approved Run". The chunk cannot give the approved code (it holds only some
 * of the rows), so each row it would send is checked on its own against the approval's digest of
 * its reference: same reference, same digest, or the whole chunk stops with nothing sent.
 *
 * Why a chunk cannot be forged: a row's digest is an HMAC keyed with the credential's API key over
 * everything the row would send (amount, currency, service, recipient fields, invoice body) and the
 * credential's Environment, account and host (approvalCode.ts). Someone who can call the chunk but
 * does not hold the API key can replay approved rows (each reference ID is paid at most once) but
 * cannot make a digest for a row they changed or added. Approved rows missing from the chunk are
 * what a part is, so they are not an error.
 */

/** What Approved Code is checked against: the whole run, or a part of it. */
export type ApprovalCoverage = 'run' | 'part';

export const APPROVAL_COVERAGES: ApprovalCoverage[] = ['run', 'part'];

/** Compares digests in constant time: a caller must not learn a digest character by character. */
function sameDigest(approved: unknown, own: string): boolean {
	if (typeof approved !== 'string') return false;
	const a = Buffer.from(approved);
	const b = Buffer.from(own);
	return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Undefined when every row of `own` (the rows this run would send) is in the approval with exactly
 * its approved digest; otherwise what differs, naming the rows.
 */
export function compareApprovalPart(
	manifest: ApprovalManifest,
	own: ApprovalManifest,
	requests: PayoutRequest[],
): ApprovalMismatch | undefined {
	const { name, inRowOrder } = rowsByReference(requests);
	const changed: string[] = [];
	const added: string[] = [];
	const references = inRowOrder(Object.keys(own.references));
	for (const reference of references) {
		// Own properties only: a reference ID such as "__proto__" must not find Object's.
		if (!Object.prototype.hasOwnProperty.call(manifest.references, reference))
			added.push(reference);
		else if (!sameDigest(manifest.references[reference], own.references[reference]))
			changed.push(reference);
	}
	// Every row to send must have been looked at: a digest per reference ID, one per row.
	if (references.length !== own.rows) added.push(...requests.map((request) => request.referenceId));
	if (changed.length === 0 && added.length === 0) return undefined;
	const differences: string[] = [];
	if (changed.length) differences.push(`changed since approval: ${listed(changed.map(name))}`);
	if (added.length) differences.push(`not in the approval: ${listed(added.map(name))}`);
	return {
		message:
			`The rows to pay are not part of the approved run: ${differences.join('; ')}. ` +
			'Nothing was sent.',
		description:
			`This run would pay ${own.rows} row${own.rows === 1 ? '' : 's'}; the approval it was ` +
			`given (${manifest.code}) holds ${Object.keys(manifest.references).length} reference IDs. ` +
			'A part of an approved run pays only rows the approval holds, each with exactly the amount, ' +
			'currency, service, recipient fields and invoice details that were approved, so the whole ' +
			'run stops rather than paying some of them. Rows changed or added after approval need an ' +
			'approval of their own: validate them again.',
	};
}
