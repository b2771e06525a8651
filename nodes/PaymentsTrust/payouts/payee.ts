import type { IDataObject } from 'n8n-workflow';

import { rowName } from '../helpers/items';
import { displayValue, withAsciiDigits } from '../../shared/redact';
import { currencyTotals, type CurrencyTotal } from './approvalCode';
import type { ServiceRules } from '../platform/serviceCatalogue';
import type { ValidPayout } from './types';

/**
 * Who a row pays: its service and the recipient's details after normalising, so that a copied row,
 * or one invoice keyed twice by two people, is recognised under two reference IDs (the reference ID
 * alone keeps only the same invoice from being paid twice).
 */
export interface Payee {
	/** Service and normalised recipient fields: equal keys are one payee. */
	key: string;
	/** The recipient as a message may show it: card fields masked, a card token never shown. */
	recipient: IDataObject;
}

/**
 * A field that names a person (beneficiary_name, card_holder, "Full name"): free text that two
 * people spell two ways. The account the money goes to is what pays twice, so names are left out.
 */
const PERSON_NAME = /(^|[^a-z])(name|holder)([^a-z]|$)/i;

/**
 * Only when the service has no field rules (the credential has no Public Key to ask with): the
 * recipient identifiers the platform's services use, by key.
 */
const KNOWN_RECIPIENT_KEYS = new Set([
	'account',
	'account_number',
	'bic',
	'card_number',
	'clabe',
	'email',
	'iban',
	'msisdn',
	'pan',
	'payid',
	'phone',
	'pix_key',
	'routing_number',
	'sort_code',
	'swift_code',
	'vpa',
	'wallet',
	'wallet_address',
]);

/**
 * The fields that identify the recipient, from the service's own field definitions: every field the
 * service requires except a person's name (optional fields such as test_usd's test_details_* never
 * count); a service that requires none: all its fields but names. Without field rules, the row's
 * fields among the known identifiers.
 */
export function recipientKeysOf(rules: ServiceRules | undefined, fields: IDataObject): string[] {
	if (!rules?.fields)
		return Object.keys(fields)
			.filter((key) => KNOWN_RECIPIENT_KEYS.has(key.toLowerCase()))
			.sort();
	const identifying = rules.fields.filter(
		(field) => !PERSON_NAME.test(field.key) && !PERSON_NAME.test(field.label),
	);
	const required = identifying.filter((field) => field.required);
	return (required.length > 0 ? required : identifying).map((field) => field.key).sort();
}

/**
 * Characters that only format an identifier: spaces of any width, dashes of any kind and the
 * minus sign, dots (also full-width and middle dots), slashes, parentheses and invisible format
 * characters.
 */
const FORMATTING = /[\s\p{Pd}\p{Cf}\u2212.\u00B7\u30FB/()]/gu;

/**
 * One identifier written one way: compatibility forms folded (full-width letters and digits),
 * digits of any script as ASCII (as the card masking reads them), lower case, formatting removed.
 * It errs on the side of calling two values the same: a false alarm costs the user an opt-in, a
 * missed one pays someone twice.
 */
export function normaliseRecipientValue(value: unknown): string {
	const text =
		typeof value === 'string'
			? value
			: typeof value === 'number' || typeof value === 'bigint'
				? String(value)
				: (JSON.stringify(value) ?? '');
	return withAsciiDigits(text.normalize('NFKC')).toLowerCase().replace(FORMATTING, '');
}

/**
 * The row's payee, or undefined when the row carries no identifying value. A saved card token
 * stands in for card fields the row leaves empty, so it joins the identity then (never shown).
 */
export function payeeOf(payout: ValidPayout, rules: ServiceRules | undefined): Payee | undefined {
	const parts: string[] = [];
	const recipient: IDataObject = {};
	let missing = false;
	for (const key of recipientKeysOf(rules, payout.fields)) {
		const value = payout.fields[key];
		const normalised = value === undefined || value === null ? '' : normaliseRecipientValue(value);
		if (normalised === '') {
			missing = true;
			continue;
		}
		parts.push(`${key}=${normalised}`);
		recipient[key] = displayValue(key, typeof value === 'string' ? value.trim() : value);
	}
	const token = payout.extra.token;
	if ((missing || parts.length === 0) && typeof token === 'string' && token.trim() !== '') {
		parts.push(`token=${normaliseRecipientValue(token)}`);
		recipient.token = '(a saved card token)';
	}
	if (parts.length === 0) return undefined;
	return { key: JSON.stringify([payout.service, ...parts]), recipient };
}

/** "test_usd account 100002", "payment_card_usd card_number 411111******1111". */
export function payeeText(service: string, payee: Payee): string {
	const fields = Object.entries(payee.recipient).map(([key, value]) =>
		key === 'token' ? String(value) : `${key} ${String(value)}`,
	);
	return `${service} ${fields.join(', ')}`;
}

export interface PayeeGroupRow {
	row: number;
	referenceId: string;
	amount: string;
	currency: string;
}

/** One payee in several rows of a run, as Validate's summary lists it. */
export interface PayeeGroup {
	service: string;
	recipient: IDataObject;
	rows: PayeeGroupRow[];
	totals: CurrencyTotal[];
}

/**
 * Payees that more than one row of the run pays (reference IDs are unique by then), in sheet order.
 */
export function samePayeeGroups(payouts: ValidPayout[]): PayeeGroup[] {
	const byPayee = new Map<string, ValidPayout[]>();
	for (const payout of [...payouts].sort((a, b) => a.itemIndex - b.itemIndex)) {
		if (!payout.payee) continue;
		const rows = byPayee.get(payout.payee.key);
		if (rows) rows.push(payout);
		else byPayee.set(payout.payee.key, [payout]);
	}
	return [...byPayee.values()]
		.filter((rows) => rows.length > 1)
		.map((rows) => ({
			service: rows[0].service,
			recipient: rows[0].payee!.recipient,
			rows: rows.map((payout) => ({
				row: payout.itemIndex + 1,
				referenceId: payout.referenceId,
				amount: payout.amountText,
				currency: payout.currency,
			})),
			totals: currencyTotals(rows),
		}));
}

/** `row 2 (item 1, reference ID "a") and row 5 (…) pay test_usd account 1`. */
function groupText(group: PayeeGroup): string {
	const names = group.rows.map((row) =>
		rowName(row.row - 1, { referenceId: row.referenceId, inSentence: true }),
	);
	const last = names.pop();
	const payee = payeeText(group.service, { key: '', recipient: group.recipient });
	return `${names.join(', ')} and ${last} pay ${payee}`;
}

/** The error a paying run stops with when it holds one payee in several rows and may not. */
export function samePayeeStop(groups: PayeeGroup[]): { message: string; description: string } {
	const shown = groups.slice(0, 3).map(groupText);
	const more = groups.length - shown.length;
	return {
		message:
			`One payee is in more than one row of this run: ${shown.join('; ')}` +
			`${more > 0 ? `; and ${more} more payee${more > 1 ? 's' : ''}` : ''}. Nothing was sent.`,
		description:
			'A copied row, or one invoice keyed twice, pays a person twice under two reference IDs. ' +
			'Remove the extra rows; or, when the payee really is owed several payouts in this run, turn ' +
			'on the option "Allow Same Payee in Several Rows" (an approval made without it does not cover ' +
			'a run with it, nor the other way round). The Validate operation lists every such payee in ' +
			'summary.samePayee.',
	};
}
