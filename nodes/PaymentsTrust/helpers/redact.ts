/**
 * Card numbers only ever leave the node masked, the way the API itself shows them: first six, last four.
 * Runs of 13–19 digits (spaces or dashes allowed between groups) are taken as card numbers.
 */
const CARD_NUMBER = /\b(?:\d[ -]?){12,18}\d\b/g;

export function maskCardNumber(value: string): string {
	const digits = value.replace(/[^\d]/g, '');
	if (digits.length < 13) return value;
	return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
}

export function maskCardNumbersIn(text: string): string {
	return text.replace(CARD_NUMBER, (match) => maskCardNumber(match));
}

/** Field keys whose values are card numbers (or alike) and are masked whole in messages and outputs. */
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
