import { randomFillSync } from 'crypto';

/**
 * Identifiers shaped like the platform's: a prefix and 16 alphanumerics (`cpoi_VdHYVxq4RsLEebAQ`).
 * They come from crypto rather than the seeded PRNG: ids must never repeat across resets, and drawing them must not
 * disturb the fault sequence. Random bytes are taken in blocks because seeding 100,000 invoices asks for a lot.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BLOCK = 16 * 4096;
let pool = Buffer.alloc(0);
let offset = 0;

export function randomAlnum(length = 16): string {
	if (offset + length > pool.length) {
		pool = Buffer.alloc(BLOCK);
		randomFillSync(pool);
		offset = 0;
	}
	let out = '';
	for (let i = 0; i < length; i++) out += ALPHABET[pool[offset + i] % ALPHABET.length];
	offset += length;
	return out;
}

export const newInvoiceId = (): string => `cpoi_${randomAlnum()}`;
export const newCustomerId = (): string => `cus_${randomAlnum()}`;

/** Service ids are stable across runs (derived from the code) so a test or a saved workflow can keep one. */
export function stableId(prefix: string, key: string): string {
	let h1 = 0x811c9dc5;
	let h2 = 0x01000193;
	let out = '';
	for (let i = 0; out.length < 16; i++) {
		const c = key.charCodeAt(i % key.length) + i;
		h1 = Math.imul(h1 ^ c, 16777619) >>> 0;
		h2 = Math.imul(h2 ^ (h1 >>> 7), 2246822507) >>> 0;
		out += ALPHABET[((h1 ^ h2) >>> 0) % ALPHABET.length];
	}
	return `${prefix}_${out}`;
}
