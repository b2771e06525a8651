import { createHmac } from 'crypto';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { rowName } from '../helpers/items';
import { formatMinor, minorUnitsOf } from '../helpers/money';
import { maskCardNumbersIn } from '../../shared/redact';
import { environmentOf, type Environment } from '../../shared/environment';
import type { PayoutRequest, ValidPayout } from './types';

/**
 * The approval code: a short digest of exactly what a run would pay, so that a pay step can prove
 * it pays what a person approved (maker-checker). Validate puts it in its summary; Create and
 * Create and Process, given it as "Approved Code", compute the code of their own rows by the same
 * rules before anything is sent, and stop the whole run when the two differ.
 *
 * What it covers, for every row that would be sent (valid, and within the run's safety limits): the
 * reference ID, service, currency, the exact amount in minor units, the service fields as the run
 * will send them, and the rest of the invoice body (card token, customer, context, metadata,
 * description, callback URL, invoice options); and once for the run: the credential's Environment,
 * account ID and host. Rows refused by validation are not covered: they cannot be paid, and a
 * refused row that is fixed after approval changes the code (it becomes a new row).
 *
 * Keyed with the credential's API key (HMAC-SHA256): without the key, neither the code nor a row's
 * digest can be tested against guesses, so a card number's few unknown digits cannot be
 * brute-forced back out of them.
 */

export const APPROVAL_VERSION = 1;
/** Prefix and version of the text form: `PTA1-XXXX-XXXX-XXXX-XXXX`. */
const CODE_PREFIX = `PTA${APPROVAL_VERSION}`;
/** Crockford's base32 (no I, L, O, U): easy to read aloud and to type. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/**
 * 16 characters × 5 bits = 80 bits: two different sheets sharing a code is beyond any realistic
 * chance.
 */
const CODE_GROUPS = 4;
const GROUP_LENGTH = 4;
/**
 * A row's own digest: 10 characters, 50 bits; only used to say which rows differ, the code decides.
 */
const ROW_DIGEST_LENGTH = 10;
const CODE_PATTERN = new RegExp(
	`^${CODE_PREFIX}(?:-[${ALPHABET}]{${GROUP_LENGTH}}){${CODE_GROUPS}}$`,
);

/** What the code is bound to besides the rows: where the money would move. */
export interface ApprovalScope {
	environment: Environment;
	accountId: string;
	/** The credential's Base URL, lower case, without trailing slashes. */
	host: string;
	/** The HMAC key: the credential's API key. Never output. */
	key: string;
}

export function approvalScopeOf(credentials: ICredentialDataDecryptedObject): ApprovalScope {
	return {
		environment: environmentOf(credentials),
		accountId: String(credentials.accountId ?? '').trim(),
		host: String(credentials.baseUrl ?? '')
			.trim()
			.replace(/\/+$/, '')
			.toLowerCase(),
		key: String(credentials.apiKey ?? ''),
	};
}

export interface CurrencyTotal {
	currency: string;
	rows: number;
	amount: string;
}

/**
 * The approval as Validate outputs it (`summary.approval`) and as the Approved Code option takes it
 * back. The code alone is enough to approve; `references` lets a mismatch name the rows that were
 * added, removed or changed.
 */
export interface ApprovalManifest {
	code: string;
	version: number;
	environment: string;
	rows: number;
	totals: CurrencyTotal[];
	/** Reference ID → a short keyed digest of that row. */
	references: Record<string, string>;
}

/** An Approved Code as given: the code, and the manifest when the approval object was given. */
export interface ApprovedCode {
	code: string;
	manifest?: ApprovalManifest;
}

/** JSON with object keys sorted at every depth: the same data always gives the same text. */
function canonicalJson(value: unknown): string {
	if (value === null || value === undefined) return 'null';
	if (typeof value === 'bigint') return JSON.stringify(value.toString());
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (typeof value === 'object') {
		const entries = Object.entries(value as IDataObject)
			.filter(([, entry]) => entry !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return (
			'{' +
			entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',') +
			'}'
		);
	}
	return JSON.stringify(value);
}

function base32(bytes: Buffer, length: number): string {
	let bits = 0;
	let buffer = 0;
	let text = '';
	for (const byte of bytes) {
		buffer = (buffer << 8) | byte;
		bits += 8;
		while (bits >= 5 && text.length < length) {
			text += ALPHABET[(buffer >> (bits - 5)) & 31];
			bits -= 5;
		}
		buffer &= (1 << bits) - 1;
		if (text.length >= length) break;
	}
	return text;
}

function keyed(key: string, label: string, text: string): Buffer {
	return createHmac('sha256', key).update(`${CODE_PREFIX}\n${label}\n${text}`).digest();
}

/** One row as it would be sent: everything that decides who is paid, how much, and how. */
function rowText(payout: ValidPayout): string {
	return canonicalJson({
		referenceId: payout.referenceId,
		service: payout.service,
		currency: payout.currency,
		amountMinor: payout.amountMinor,
		fields: payout.fields,
		invoice: payout.extra,
	});
}

function byReference(a: ValidPayout, b: ValidPayout): number {
	return a.referenceId < b.referenceId ? -1 : a.referenceId > b.referenceId ? 1 : 0;
}

export function currencyTotals(payouts: ValidPayout[]): CurrencyTotal[] {
	const totals = new Map<string, { rows: number; minor: bigint }>();
	for (const payout of payouts) {
		const entry = totals.get(payout.currency) ?? { rows: 0, minor: 0n };
		entry.rows++;
		entry.minor += payout.amountMinor;
		totals.set(payout.currency, entry);
	}
	return [...totals.entries()]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([currency, entry]) => ({
			currency,
			rows: entry.rows,
			amount: formatMinor(entry.minor, minorUnitsOf(currency)),
		}));
}

/** The approval of the rows a run would send. Order-independent: rows are taken by reference ID. */
export function approvalOf(payouts: ValidPayout[], scope: ApprovalScope): ApprovalManifest {
	const sorted = [...payouts].sort(byReference);
	// No prototype: a reference ID such as "__proto__" must become a key like any other, not vanish.
	const references = Object.create(null) as Record<string, string>;
	const where = canonicalJson({
		environment: scope.environment,
		accountId: scope.accountId,
		host: scope.host,
	});
	const digest = createHmac('sha256', scope.key);
	digest.update(
		`${CODE_PREFIX}\nrun\n${canonicalJson({
			environment: scope.environment,
			accountId: scope.accountId,
			host: scope.host,
			rows: sorted.length,
		})}\n`,
	);
	for (const payout of sorted) {
		const text = rowText(payout);
		// A row's digest binds where the money moves too: a part of an approved run is checked by these
		// digests alone (approvalPart.ts), so one made in test, for another account or host, must not
		// match.
		references[payout.referenceId] = base32(
			keyed(scope.key, 'row', `${where}\n${text}`),
			ROW_DIGEST_LENGTH,
		);
		// Length-prefixed: no row's text can run into the next one's.
		digest.update(`${text.length}:${text}\n`);
	}
	const letters = base32(digest.digest(), CODE_GROUPS * GROUP_LENGTH);
	const groups = letters.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g')) ?? [];
	return {
		code: [CODE_PREFIX, ...groups].join('-'),
		version: APPROVAL_VERSION,
		environment: scope.environment,
		rows: sorted.length,
		totals: currencyTotals(sorted),
		references,
	};
}

/** A code as a person may type it: any case, spaces or no dashes, O for 0 and I or L for 1. */
function normaliseCode(text: string): string {
	const compact = text
		.toUpperCase()
		.replace(/[\s-]+/g, '')
		.replace(/^PTA1/, '');
	const letters = compact.replace(/O/g, '0').replace(/[IL]/g, '1');
	const groups = letters.match(new RegExp(`.{1,${GROUP_LENGTH}}`, 'g')) ?? [];
	return [CODE_PREFIX, ...groups].join('-');
}

const EXAMPLE = `${CODE_PREFIX}-7KQ2-M9XD-4RTB-H3NW`;
const WHAT_IT_TAKES =
	`the code from the Validate operation's summary (e.g. ${EXAMPLE}), or its approval object ` +
	`through an expression such as {{ $('Validate').first().json.summary.approval }}`;

function describeGiven(value: unknown): string {
	if (typeof value === 'string') {
		// Never echo a long text back whole, and never a card number unmasked: it may be anything.
		const masked = maskCardNumbersIn(value.trim());
		return `"${masked.slice(0, 24)}${masked.length > 24 ? '…' : ''}"`;
	}
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'null';
	return typeof value === 'object' ? 'an object without a "code"' : `a ${typeof value} value`;
}

function isManifest(value: IDataObject): boolean {
	return (
		typeof value.code === 'string' &&
		typeof value.rows === 'number' &&
		Array.isArray(value.totals) &&
		typeof value.references === 'object' &&
		value.references !== null &&
		!Array.isArray(value.references) &&
		Object.values(value.references as IDataObject).every((digest) => typeof digest === 'string')
	);
}

/**
 * Reads the Approved Code option: the code text, the approval object (`summary.approval`), the
 * whole summary, or either as JSON text. Returns the error to stop the run with when the value is
 * not a code.
 */
export function parseApprovedCode(value: unknown): ApprovedCode | { error: string } {
	let given: unknown = value;
	if (typeof given === 'string' && /^\s*\{/.test(given)) {
		try {
			given = JSON.parse(given) as unknown;
		} catch {
			return { error: `Approved Code looks like JSON but cannot be read; give ${WHAT_IT_TAKES}` };
		}
	}
	if (given && typeof given === 'object' && !Array.isArray(given)) {
		const object = given as IDataObject;
		const approval =
			object.approval && typeof object.approval === 'object'
				? (object.approval as IDataObject)
				: object;
		if (typeof approval.code !== 'string')
			return { error: `Approved Code is ${describeGiven(given)}; give ${WHAT_IT_TAKES}` };
		const parsed = parseApprovedCode(approval.code);
		if ('error' in parsed) return parsed;
		if (!isManifest(approval)) return parsed;
		return { code: parsed.code, manifest: approval as unknown as ApprovalManifest };
	}
	if (typeof given !== 'string' || given.trim() === '') {
		// An expression that found nothing (a request without the approval) gives undefined.
		const what = typeof given === 'string' || given === undefined ? 'empty' : describeGiven(given);
		return { error: `Approved Code is ${what}; give ${WHAT_IT_TAKES}` };
	}
	const code = normaliseCode(given);
	if (!given.trim().toUpperCase().startsWith(CODE_PREFIX) || !CODE_PATTERN.test(code)) {
		return {
			error: `Approved Code ${describeGiven(given)} is not an approval code; give ${WHAT_IT_TAKES}`,
		};
	}
	return { code };
}

export function listed(rows: string[], limit = 5): string {
	const shown = rows.slice(0, limit).join(', ');
	return rows.length > limit ? `${shown} and ${rows.length - limit} more` : shown;
}

function totalsText(totals: CurrencyTotal[]): string {
	return totals.length === 0
		? 'nothing'
		: totals.map((total) => `${total.amount} ${total.currency} in ${total.rows}`).join(', ');
}

/**
 * How a mismatch names a reference ID: by its row among the run's requests (refused rows included,
 * so an approved row that is now refused is named by its row too), in row order.
 */
export function rowsByReference(requests: PayoutRequest[]): {
	name: (reference: string) => string;
	inRowOrder: (references: string[]) => string[];
} {
	const first = new Map<string, PayoutRequest>();
	for (const request of requests)
		if (!first.has(request.referenceId)) first.set(request.referenceId, request);
	const name = (reference: string) => {
		const request = first.get(reference);
		return request === undefined
			? `"${reference}"`
			: rowName(request.itemIndex, { referenceId: reference, inSentence: true, row: request.row });
	};
	const index = (reference: string) => first.get(reference)?.itemIndex ?? 0;
	return { name, inRowOrder: (references) => [...references].sort((a, b) => index(a) - index(b)) };
}

export interface ApprovalMismatch {
	message: string;
	description: string;
}

/**
 * Undefined when the run's own rows give the approved code; otherwise what differs, as precisely as
 * the approval given allows: with the manifest, the reference IDs added, removed and changed (named
 * with their rows); with the code alone, the run's own row count and totals.
 */
export function compareApproval(
	approved: ApprovedCode,
	own: ApprovalManifest,
	requests: PayoutRequest[],
): ApprovalMismatch | undefined {
	if (approved.code === own.code) return undefined;
	const { name, inRowOrder } = rowsByReference(requests);
	const ownText = `${own.rows} row${own.rows === 1 ? '' : 's'} to pay (${totalsText(own.totals)})`;
	const nothingSent =
		'Nothing was sent: an approval covers exactly the rows it was given, so the whole run stops ' +
		'rather than paying part of it.';
	const manifest = approved.manifest;
	if (!manifest) {
		return {
			message:
				`The rows to pay are not the approved ones: they give approval code ${own.code}, not the ` +
				`Approved Code ${approved.code}. Nothing was sent.`,
			description:
				`This run has ${ownText}. ${nothingSent} Validate the sheet again and have it approved, or ` +
				`give the approval object (summary.approval) instead of the code alone to see which rows ` +
				`differ.`,
		};
	}
	const changed: string[] = [];
	const added: string[] = [];
	const removed: string[] = [];
	for (const reference of inRowOrder(Object.keys(own.references))) {
		const approvedDigest = manifest.references[reference];
		if (approvedDigest === undefined) added.push(reference);
		else if (approvedDigest !== own.references[reference]) changed.push(reference);
	}
	for (const reference of Object.keys(manifest.references))
		if (!(reference in own.references)) removed.push(reference);
	const differences: string[] = [];
	if (changed.length) differences.push(`changed since approval: ${listed(changed.map(name))}`);
	if (added.length) differences.push(`not in the approval: ${listed(added.map(name))}`);
	if (removed.length)
		differences.push(`approved but not in this run (or now refused): ${listed(removed.map(name))}`);
	if (differences.length === 0)
		differences.push(
			'the rows are the same, so the credential (Environment, account or host) or the approval ' +
				'itself differs',
		);
	const approvedText =
		`${manifest.rows} row${manifest.rows === 1 ? '' : 's'} ` + `(${totalsText(manifest.totals)})`;
	return {
		message:
			`The rows to pay are not the approved ones: ${differences.join('; ')}. ` +
			`Nothing was sent.`,
		description:
			`Approved: ${approvedText}, code ${approved.code}. This run: ${ownText}, code ${own.code}. ` +
			`${nothingSent} Validate the sheet again and have it approved.`,
	};
}
