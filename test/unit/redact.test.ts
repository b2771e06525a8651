/**
 * Issue 12: card numbers are masked whatever digits and separators they are written in, and texts from the
 * outside (a gateway's error page) lose every secret of the credential before they reach an error.
 */
import { asciiDigits, maskCardNumbersIn, scrubSecrets, secretsOf } from '../../nodes/shared/redact';

describe('maskCardNumbersIn', () => {
	it.each([
		['ASCII', 'card 4111111111111111 ok'],
		['spaces', 'card 4111 1111 1111 1111 ok'],
		['dashes', 'card 4111-1111-1111-1111 ok'],
		['dots', 'card 4111.1111.1111.1111 ok'],
		['no-break spaces', 'card 4111\u00A01111\u00A01111\u00A01111 ok'],
		['thin spaces', 'card 4111\u20091111\u20091111\u20091111 ok'],
		['full-width', 'card ４１１１１１１１１１１１１１１１ ok'],
		['full-width with full-width dashes', 'card ４１１１－１１１１－１１１１－１１１１ ok'],
		['Arabic-Indic', 'card ٤١١١١١١١١١١١١١١١ ok'],
		['Extended Arabic-Indic', 'card ۴۱۱۱۱۱۱۱۱۱۱۱۱۱۱۱ ok'],
		['Devanagari', 'card ४१११११११११११११११ ok'],
		['Bengali', 'card ৪১১১১১১১১১১১১১১১ ok'],
		['Thai', 'card ๔๑๑๑๑๑๑๑๑๑๑๑๑๑๑๑ ok'],
		['mathematical bold', 'card 𝟒𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏 ok'],
		['mathematical monospace', 'card 𝟺𝟷𝟷𝟷𝟷𝟷𝟷𝟷𝟷𝟷𝟷𝟷𝟷𝟷𝟷𝟷 ok'],
		['glued to letters', 'card:4111111111111111;'],
	])('%s', (_name, text) => {
		const masked = maskCardNumbersIn(text);
		expect(masked).toContain('411111******1111');
		expect(asciiDigits(masked.replace('411111******1111', ''))).toBe('');
	});

	it('reads the value of every digit of a script', () => {
		expect(asciiDigits('٠١٢٣٤٥٦٧٨٩')).toBe('0123456789');
		expect(asciiDigits('０１２３４５６７８９')).toBe('0123456789');
		expect(asciiDigits('𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗𝟘𝟙𝟚𝟛')).toBe('01234567890123');
	});

	it('leaves short numbers and decimal amounts alone', () => {
		expect(maskCardNumbersIn('order 123456789012 for 72860530685245.98 USD')).toBe(
			'order 123456789012 for 72860530685245.98 USD',
		);
	});
});

describe('scrubSecrets', () => {
	const credentials = {
		baseUrl: 'https://pay.example',
		accountId: 'acct-42',
		apiKey: 'k3y-very-secret',
		publicKey: 'pk_public_123',
		testSecretKey: 'sk_test_789',
		liveSecretKey: 'sk_live_abc',
	};
	const secrets = secretsOf(credentials);
	const basic = Buffer.from('acct-42:k3y-very-secret').toString('base64');

	it('finds every secret field by its name, new ones included, and the Basic value', () => {
		for (const value of ['k3y-very-secret', 'sk_test_789', 'sk_live_abc', basic])
			expect(secrets).toContain(value);
		expect(secrets).not.toContain('https://pay.example');
	});

	it('removes them from an error page that echoes the request', () => {
		const page = `<html><pre>authorization: Basic ${basic}\nx-api-key: k3y-very-secret\nsecret=sk_live_abc&t=sk_test_789\ncard ٤١١١١١١١١١١١١١١١\nBearer abc.def-ghi</pre></html>`;
		const clean = scrubSecrets(page, secrets);
		for (const value of [
			'k3y-very-secret',
			'sk_live_abc',
			'sk_test_789',
			basic,
			'abc.def-ghi',
			'٤١١١١١١١١١١١١١١١',
		]) {
			expect(clean.includes(value) ? value : null).toBeNull();
		}
		expect(clean).toContain('411111******1111');
	});

	it('removes a Basic value it was not told about', () => {
		expect(scrubSecrets('Authorization: Basic dXNlcjpwYXNz', [])).toBe(
			'Authorization: Basic [redacted]',
		);
	});
});
