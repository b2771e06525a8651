import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/**
 * Card numbers only ever leave the node masked, the way the API itself shows them: first six, last
 * four. A run of 13–19 digits is taken as a card number whatever digits it is written in (ASCII,
 * full-width, Arabic-Indic or any other Unicode decimal digit) and whatever single character
 * separates its groups (spaces of any width, dashes, dots).
 */
const SEPARATOR = '[\\s\\-.\\u2010-\\u2015\\u2212\\uFE58\\uFE63\\uFF0D\\uFF0E\\u00B7\\u30FB]';
const CARD_NUMBER = new RegExp(
	`(?<!\\p{Nd})(?:\\p{Nd}${SEPARATOR}?){12,18}\\p{Nd}(?!\\p{Nd})`,
	'gu',
);
const DIGIT = /\p{Nd}/u;

/**
 * The value of one decimal digit of any script. Unicode puts every set of decimal digits in a run
 * of ten code points from zero to nine, and runs that touch each other are whole sets, so the value
 * is the distance from the start of the run of digits, modulo ten.
 */
function digitValue(char: string): number {
	const code = char.codePointAt(0)!;
	let start = code;
	while (start > 0 && code - start < 100 && DIGIT.test(String.fromCodePoint(start - 1))) start--;
	return (code - start) % 10;
}

/** The digits of a text as ASCII, whatever script they are written in. */
export function asciiDigits(value: string): string {
	let digits = '';
	for (const char of value) if (DIGIT.test(char)) digits += String(digitValue(char));
	return digits;
}

/**
 * A text with every decimal digit, of whatever script, written as its ASCII digit; other characters
 * kept.
 */
export function withAsciiDigits(value: string): string {
	return value.replace(/\p{Nd}/gu, (char) => String(digitValue(char)));
}

export function maskCardNumber(value: string): string {
	const digits = asciiDigits(value);
	if (digits.length < 13) return value;
	return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
}

/**
 * A decimal number (`72860530685245.98`): one dot and nothing else between the digits is an amount,
 * not a card.
 */
function isDecimalNumber(match: string): boolean {
	const separators = match.replace(/\p{Nd}/gu, '');
	return separators === '.' || separators === '\uFF0E';
}

export function maskCardNumbersIn(text: string): string {
	return text.replace(CARD_NUMBER, (match) =>
		isDecimalNumber(match) ? match : maskCardNumber(match),
	);
}

/**
 * Keys whose values are identifiers the user looks things up by: never masked, however many digits
 * they have.
 */
const IDENTIFIER_KEY = /^(id|referenceId|reference_id|invoiceId|row)$/;

/**
 * An output as it leaves the node: card numbers masked in every text (an invoice's description,
 * metadata or fields echoed by the API, in whatever digits), identifiers left as they are.
 */
export function maskCardNumbersDeep<T>(value: T, key = ''): T {
	if (typeof value === 'string')
		return (IDENTIFIER_KEY.test(key) ? value : maskCardNumbersIn(value)) as T;
	if (Array.isArray(value)) return value.map((entry) => maskCardNumbersDeep(entry, key)) as T;
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([name, entry]) => [name, maskCardNumbersDeep(entry, name)]),
		) as T;
	}
	return value;
}

/**
 * Field keys whose values are card numbers (or alike) and are masked whole in messages and outputs.
 */
export function isCardField(key: string): boolean {
	return /card|pan/i.test(key);
}

/** A value fit for an error message: card-like fields masked, long values cut. */
export function displayValue(key: string, value: unknown): string {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	if (text === undefined) return 'nothing';
	const shown = isCardField(key) ? maskCardNumber(text) : maskCardNumbersIn(text);
	return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}

/**
 * Texts that must never appear in an error: the credential's secrets and the Basic value built from
 * them.
 */
export type Secrets = string[];

/**
 * Credential fields holding secrets, by name: API key, secret keys (test and live), passwords,
 * tokens.
 */
const SECRET_FIELD = /key|secret|password|token/i;

function base64(text: string): string {
	return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/**
 * The secrets of a credential, read generically so that fields added later (a test and a live
 * secret key, say) are covered without anyone remembering to list them here: every text field named
 * like a key, a secret, a password or a token, and the HTTP Basic value (`user:password`, base64)
 * any pair of fields could make.
 */
export function secretsOf(credentials: ICredentialDataDecryptedObject): Secrets {
	const texts = Object.values(credentials).filter(
		(value): value is string => typeof value === 'string' && value.trim() !== '',
	);
	const secrets = Object.entries(credentials)
		.filter(
			([key, value]) =>
				SECRET_FIELD.test(key) && typeof value === 'string' && value.trim().length >= 4,
		)
		.map(([, value]) => String(value).trim());
	const basic: string[] = [];
	for (const user of texts)
		for (const secret of secrets)
			basic.push(base64(`${user}:${secret}`), base64(`${user.trim()}:${secret}`));
	// Longest first, so a secret that contains another is removed whole.
	return [...new Set([...secrets, ...basic])].sort((a, b) => b.length - a.length);
}

/**
 * A text from the outside (a gateway's error page, an error message) fit for an error: every secret
 * of the credential, any `Basic …` / `Bearer …` value, and card numbers removed wherever they
 * appear in it.
 */
export function scrubSecrets(text: string, secrets: Secrets): string {
	let clean = text;
	for (const secret of secrets) clean = clean.split(secret).join('[redacted]');
	clean = clean.replace(/\b(Basic|Bearer)(\s+|%20|\+)[A-Za-z0-9+/=._~%-]{4,}/gi, '$1 [redacted]');
	return maskCardNumbersIn(clean);
}
