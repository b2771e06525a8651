import { createHash } from 'crypto';

import { computeSignature, isValidSignature } from '../../nodes/PaymentsTrustTrigger/signature';

const SECRET = 'sk_test_5GbjHRS7qPqrAEnTg3tNz9WCk';
const BODY = Buffer.from(
	'{"data":{"type":"payout-invoices","id":"cpoi_VdHYVxq4RsLEebAQ","attributes":{"status":"processed","updated":1700000100}}}',
);

// Independent of the helper: the documented recipe, spelled out byte by byte.
function referenceSignature(secret: string, body: Buffer): string {
	const digest = createHash('sha1')
		.update(Buffer.concat([Buffer.from(secret, 'utf8'), body, Buffer.from(secret, 'utf8')]))
		.digest();
	return digest.toString('base64');
}

describe('callback signature', () => {
	it('is base64 of the raw SHA-1 digest of secret + body + secret', () => {
		const expected = referenceSignature(SECRET, BODY);
		expect(expected).toHaveLength(28); // 20 digest bytes, not 40 hex characters
		expect(computeSignature(SECRET, BODY)).toBe(expected);
		expect(isValidSignature(SECRET, BODY, expected)).toBe(true);
	});

	it('matches a fixed vector', () => {
		// computed outside Node with `printf 's{}s' | openssl sha1 -binary | base64`
		expect(computeSignature('s', Buffer.from('{}'))).toBe(
			referenceSignature('s', Buffer.from('{}')),
		);
		expect(computeSignature('s', Buffer.from('{}'))).toBe('d02izSewfwSCP6IWB/aUsLRiLJU=');
	});

	it('accepts a string body the same as its bytes', () => {
		expect(computeSignature(SECRET, BODY.toString('utf8'))).toBe(computeSignature(SECRET, BODY));
	});

	it('fails with another secret', () => {
		const signedWithOther = referenceSignature('sk_test_other', BODY);
		expect(isValidSignature(SECRET, BODY, signedWithOther)).toBe(false);
	});

	it('fails when the body was tampered with', () => {
		const signature = referenceSignature(SECRET, BODY);
		const tampered = Buffer.from(BODY.toString('utf8').replace('processed', 'process_failed'));
		expect(isValidSignature(SECRET, tampered, signature)).toBe(false);
	});

	it('fails when the same JSON is re-serialised with other whitespace', () => {
		const signature = referenceSignature(SECRET, BODY);
		const pretty = Buffer.from(JSON.stringify(JSON.parse(BODY.toString('utf8')), null, 2));
		expect(JSON.parse(pretty.toString('utf8'))).toEqual(JSON.parse(BODY.toString('utf8')));
		expect(isValidSignature(SECRET, pretty, signature)).toBe(false);
	});

	it('fails when the header is missing, empty or repeated', () => {
		const signature = referenceSignature(SECRET, BODY);
		expect(isValidSignature(SECRET, BODY, undefined)).toBe(false);
		expect(isValidSignature(SECRET, BODY, '')).toBe(false);
		expect(isValidSignature(SECRET, BODY, [signature, signature])).toBe(false);
	});

	it('fails, without throwing, for a header of another length', () => {
		const signature = referenceSignature(SECRET, BODY);
		expect(() => isValidSignature(SECRET, BODY, signature.slice(0, -1))).not.toThrow();
		expect(isValidSignature(SECRET, BODY, signature.slice(0, -1))).toBe(false);
		expect(isValidSignature(SECRET, BODY, `${signature} `)).toBe(false);
		// The hex digest (a common mistake on either side) is not the documented format.
		const hex = createHash('sha1')
			.update(`${SECRET}${BODY.toString('utf8')}${SECRET}`)
			.digest('hex');
		expect(isValidSignature(SECRET, BODY, hex)).toBe(false);
	});

	it('fails with an empty secret even if the header is the signature of an empty secret', () => {
		expect(isValidSignature('', BODY, referenceSignature('', BODY))).toBe(false);
	});
});
