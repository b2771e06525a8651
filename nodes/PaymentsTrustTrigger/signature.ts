import { createHash, timingSafeEqual } from 'crypto';

/**
 * Header in which PaymentsTrust sends the signature of a callback (Node lower-cases header names).
 */
export const SIGNATURE_HEADER = 'x-signature';

/**
 * The signature PaymentsTrust puts on a callback: base64 of the raw SHA-1 digest of secret + body +
 * secret.
 *
 * `rawBody` must be the exact bytes received: a parsed and re-serialised body (other spacing, key
 * order or number formatting) gives another digest.
 */
export function computeSignature(secret: string, rawBody: Buffer | string): string {
	return createHash('sha1')
		.update(secret, 'utf8')
		.update(rawBody)
		.update(secret, 'utf8')
		.digest('base64');
}

/**
 * Whether `received` (the X-Signature header as Node gives it) is the signature of `rawBody` under
 * `secret`.
 *
 * Never throws. A missing, repeated (array) or empty header fails; the comparison of equal-length
 * values runs in constant time so the response time tells nothing about how much of a guess was
 * right.
 */
export function isValidSignature(
	secret: string,
	rawBody: Buffer | string,
	received: string | string[] | undefined,
): boolean {
	if (typeof received !== 'string' || received.length === 0 || secret.length === 0) return false;
	const expected = Buffer.from(computeSignature(secret, rawBody), 'utf8');
	const actual = Buffer.from(received, 'utf8');
	// The length of a SHA-1 digest in base64 is public knowledge: leaving early on it leaks nothing.
	if (expected.length !== actual.length) return false;
	return timingSafeEqual(expected, actual);
}

/**
 * Which of the credential's secret keys signed this body: the mode of the key that verifies it, or
 * undefined when none does. Every key is tried (no early exit), so the answer time does not tell
 * which key matched.
 */
export function verifyingMode<Mode extends string>(
	keys: Array<{ key: string; mode: Mode }>,
	rawBody: Buffer | string,
	received: string | string[] | undefined,
): Mode | undefined {
	let verified: Mode | undefined;
	for (const { key, mode } of keys) {
		if (isValidSignature(key, rawBody, received) && verified === undefined) verified = mode;
	}
	return verified;
}
