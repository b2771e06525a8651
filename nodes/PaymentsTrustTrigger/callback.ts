import type { IDataObject } from 'n8n-workflow';

/**
 * A callback body that has the shape of a payout invoice: `{ data: { type: 'payout-invoices', id,
 * attributes: { status } } }`.
 */
export interface PayoutCallback {
	body: IDataObject;
	data: IDataObject;
	id: string;
	status: string;
	/** `attributes.updated` as Unix seconds, or null when absent or unreadable. */
	updated: number | null;
	/** `attributes.test_mode`, or null when absent. */
	testMode: boolean | null;
}

export type ParseResult = { ok: true; callback: PayoutCallback } | { ok: false; message: string };

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a callback body. Takes the raw bytes (parsed here, so the body checked is the body signed)
 * or, when no raw body is available, an already parsed value. Only tells why a body is refused;
 * never throws.
 */
export function parseCallback(raw: Buffer | string | IDataObject | undefined): ParseResult {
	let body: unknown = raw;
	if (Buffer.isBuffer(raw) || typeof raw === 'string') {
		const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
		try {
			body = JSON.parse(text);
		} catch {
			return { ok: false, message: 'Body is not valid JSON' };
		}
	}
	if (!isObject(body) || !isObject(body.data)) {
		return { ok: false, message: 'Body is not a payout invoice callback: "data" object missing' };
	}
	const data = body.data;
	if (data.type !== 'payout-invoices') {
		return {
			ok: false,
			message: 'Body is not a payout invoice callback: data.type is not "payout-invoices"',
		};
	}
	if (typeof data.id !== 'string' || data.id === '') {
		return { ok: false, message: 'Body is not a payout invoice callback: data.id missing' };
	}
	const attributes = data.attributes;
	if (!isObject(attributes) || typeof attributes.status !== 'string' || attributes.status === '') {
		return {
			ok: false,
			message: 'Body is not a payout invoice callback: data.attributes.status missing',
		};
	}
	const updated =
		typeof attributes.updated === 'number' || typeof attributes.updated === 'string'
			? Number(attributes.updated)
			: NaN;
	return {
		ok: true,
		callback: {
			body,
			data,
			id: data.id,
			status: attributes.status,
			updated: attributes.updated !== '' && Number.isFinite(updated) ? updated : null,
			testMode: typeof attributes.test_mode === 'boolean' ? attributes.test_mode : null,
		},
	};
}
