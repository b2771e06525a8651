import { isUsable, PayoutService, serviceByCode } from './catalogue';
import { currencyDecimals, decimalsOf } from './money';
import { KNOWN_STATUSES, normalizeStatus } from './processing';
import { InvoiceOptions } from './store';

/**
 * Validation of `POST /payout-invoices`, answering 422 {"errors":{"<field>":"<message>"}} with every problem found
 * at once, in Symfony-style wording like the reference's one example ("This value should be greater than 0.").
 * Nested fields are named with dots: `fields.card_number`, `customer.reference_id`, `options.split_mode`.
 */

export interface CreateInput {
	referenceId: string;
	service: PayoutService;
	currency: string;
	amount: number;
	fields: Record<string, string>;
	/** A saved card token paying in place of the card fields (`token`); the card fields win when both are sent. */
	token: string | null;
	callbackUrl: string | null;
	context: unknown;
	description: string | null;
	customer: Record<string, unknown> | null;
	options: InvoiceOptions;
	metadata: unknown;
	/** `test_mode` as the request said it; null when the request left it out. */
	testMode: boolean | null;
}

export type Validation =
	| { ok: true; input: CreateInput }
	| { ok: false; errors: Record<string, string>; referenceId: string | null };

const BLANK = 'This value should not be blank.';
const INVALID = 'This value is not valid.';
const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);
const isBlank = (v: unknown) =>
	v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Numbers, and numeric strings (Symfony's "numeric" accepts both); anything else is NaN. */
export function toAmount(value: unknown): number {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
	return NaN;
}

function checkAmount(raw: unknown, errors: Record<string, string>): number | undefined {
	if (isBlank(raw)) {
		errors.amount = BLANK;
		return undefined;
	}
	const amount = toAmount(raw);
	if (!Number.isFinite(amount)) {
		errors.amount = 'This value should be of type numeric.';
		return undefined;
	}
	if (amount <= 0) {
		errors.amount = 'This value should be greater than 0.';
		return undefined;
	}
	return amount;
}

export function validateCreate(body: unknown): Validation {
	const errors: Record<string, string> = {};
	const data = isObject(body) ? body.data : undefined;
	const attrs = isObject(data) ? data.attributes : undefined;
	if (!isObject(data) || !isObject(attrs)) {
		return {
			ok: false,
			errors: { data: 'Expected {"data":{"type":"payout-invoice","attributes":{…}}}.' },
			referenceId: null,
		};
	}
	if (
		data.type !== undefined &&
		data.type !== 'payout-invoice' &&
		data.type !== 'payout-invoices'
	) {
		errors['data.type'] = INVALID;
	}

	// reference_id
	let referenceId: string | null = null;
	if (isBlank(attrs.reference_id)) errors.reference_id = BLANK;
	else if (typeof attrs.reference_id !== 'string')
		errors.reference_id = 'This value should be of type string.';
	else if (attrs.reference_id.length > 255)
		errors.reference_id = 'This value is too long. It should have 255 characters or less.';
	else referenceId = attrs.reference_id;

	// service
	let service: PayoutService | undefined;
	if (isBlank(attrs.service)) errors.service = BLANK;
	else if (typeof attrs.service !== 'string')
		errors.service = 'This value should be of type string.';
	else {
		service = serviceByCode(attrs.service);
		if (!service) errors.service = `Payout service "${attrs.service}" not found.`;
		else if (!isUsable(service)) {
			errors.service = `Payout service "${attrs.service}" is not available for this account.`;
			service = undefined;
		}
	}

	// currency: the service's invoice currency
	let currency: string | undefined;
	if (isBlank(attrs.currency)) errors.currency = BLANK;
	else if (typeof attrs.currency !== 'string' || !/^[A-Z]{3,4}$/.test(attrs.currency)) {
		errors.currency = 'This value is not a valid currency.';
	} else if (service && attrs.currency !== service.currency) {
		errors.currency = `Currency ${attrs.currency} is not supported by the service ${service.code} (expected ${service.currency}).`;
	} else currency = attrs.currency;

	// amount: positive, at most the currency's decimals, within the service's limits
	const amount = checkAmount(attrs.amount, errors);
	const options = readOptions(attrs.options, errors);
	if (amount !== undefined) {
		const decimals = currencyDecimals(currency ?? service?.currency ?? 'USD');
		if (decimalsOf(amount) > decimals) {
			errors.amount =
				decimals === 0
					? `This value should be a whole number: ${currency ?? service?.currency} has no minor units.`
					: `This value should have at most ${decimals} decimal places.`;
		} else if (service && amount < service.amountMin) {
			errors.amount = `This value should be greater than or equal to ${service.amountMin}.`;
		} else if (service && amount > service.amountMax && !options.split_mode) {
			// split_mode lets the platform split an amount above the limit into parts, so the maximum does not apply.
			errors.amount = `This value should be less than or equal to ${service.amountMax}.`;
		}
	}

	// token: a saved card stands in for the service's card fields, so those are not required with it.
	let token: string | null = null;
	if (!isBlank(attrs.token)) {
		if (typeof attrs.token !== 'string') errors.token = 'This value should be of type string.';
		else if (attrs.token.length > 255)
			errors.token = 'This value is too long. It should have 255 characters or less.';
		else token = attrs.token;
	}
	const fields = readFields(attrs.fields, service, errors, token !== null);

	// callback_url
	let callbackUrl: string | null = null;
	if (!isBlank(attrs.callback_url)) {
		if (typeof attrs.callback_url !== 'string' || !isHttpUrl(attrs.callback_url))
			errors.callback_url = 'This value is not a valid URL.';
		else callbackUrl = attrs.callback_url;
	}

	// description
	let description: string | null = null;
	if (!isBlank(attrs.description)) {
		if (typeof attrs.description !== 'string')
			errors.description = 'This value should be of type string.';
		else if (attrs.description.length > 255)
			errors.description = 'This value is too long. It should have 255 characters or less.';
		else description = attrs.description;
	}

	const customer = readCustomer(attrs.customer, errors);

	if (attrs.metadata !== undefined && attrs.metadata !== null && !isObject(attrs.metadata)) {
		errors.metadata = 'This value should be of type array.';
	}

	// test_mode: the mode of this invoice (NOTES: chosen per request). Left out, it is recorded as live.
	if (
		attrs.test_mode !== undefined &&
		attrs.test_mode !== null &&
		typeof attrs.test_mode !== 'boolean'
	) {
		errors.test_mode = 'This value should be of type bool.';
	}

	if (
		Object.keys(errors).length > 0 ||
		!referenceId ||
		!service ||
		!currency ||
		amount === undefined
	) {
		return { ok: false, errors, referenceId };
	}
	return {
		ok: true,
		input: {
			referenceId,
			service,
			currency,
			amount,
			fields,
			token,
			callbackUrl,
			context: attrs.context ?? null,
			description,
			customer,
			options,
			metadata: attrs.metadata ?? null,
			testMode: typeof attrs.test_mode === 'boolean' ? attrs.test_mode : null,
		},
	};
}

function isHttpUrl(value: string): boolean {
	try {
		const u = new URL(value);
		return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
	} catch {
		return false;
	}
}

function readOptions(raw: unknown, errors: Record<string, string>): InvoiceOptions {
	const options: InvoiceOptions = {
		auto_process: false,
		split_mode: false,
		parallel_mode: false,
		allow_partially: false,
	};
	if (raw === undefined || raw === null) return options;
	if (!isObject(raw)) {
		errors.options = 'This value should be of type array.';
		return options;
	}
	for (const key of Object.keys(options) as (keyof InvoiceOptions)[]) {
		const v = raw[key];
		if (v === undefined || v === null) continue;
		if (typeof v !== 'boolean') errors[`options.${key}`] = 'This value should be of type bool.';
		else options[key] = v;
	}
	return options;
}

/** Card fields are the ones a saved card token can stand in for. */
const isCardField = (key: string) => key.startsWith('card_');

function readFields(
	raw: unknown,
	service: PayoutService | undefined,
	errors: Record<string, string>,
	hasToken = false,
): Record<string, string> {
	const fields: Record<string, string> = {};
	const required = (f: PayoutService['fields'][number]) =>
		f.required && !(hasToken && isCardField(f.key));
	if (raw === undefined || raw === null) {
		if (!service || service.fields.some(required)) errors.fields = BLANK;
		return fields;
	}
	if (!isObject(raw)) {
		errors.fields = 'This value should be of type array.';
		return fields;
	}
	for (const [key, value] of Object.entries(raw)) {
		if (value === null || value === undefined) continue;
		if (typeof value === 'object') errors[`fields.${key}`] = 'This value should be of type string.';
		else fields[key] = String(value);
	}
	if (!service) return fields;
	for (const f of service.fields) {
		const key = `fields.${f.key}`;
		if (errors[key]) continue;
		const value = fields[f.key];
		if (value === undefined || value.trim() === '') {
			if (required(f)) errors[key] = BLANK;
			continue;
		}
		if (!new RegExp(f.regexp).test(value)) errors[key] = INVALID;
	}
	// Rules of the test service beyond its regexps.
	if (service.method === 'test') {
		const rate = fields.test_details_success_rate;
		if (rate !== undefined && !errors['fields.test_details_success_rate'] && Number(rate) > 100) {
			errors['fields.test_details_success_rate'] = 'This value should be between 0 and 100.';
		}
		const status = fields.test_details_payout_status;
		if (status && !errors['fields.test_details_payout_status']) {
			const s = normalizeStatus(status);
			if (!KNOWN_STATUSES.includes(s) || s === 'created') {
				errors['fields.test_details_payout_status'] = `Unknown payout status "${status}".`;
			}
		}
	}
	return fields;
}

function readCustomer(
	raw: unknown,
	errors: Record<string, string>,
): Record<string, unknown> | null {
	if (raw === undefined || raw === null) return null;
	if (!isObject(raw)) {
		errors.customer = 'This value should be of type array.';
		return null;
	}
	if (isBlank(raw.reference_id)) errors['customer.reference_id'] = BLANK;
	else if (typeof raw.reference_id !== 'string' && typeof raw.reference_id !== 'number') {
		errors['customer.reference_id'] = 'This value should be of type string.';
	}
	if (!isBlank(raw.email) && (typeof raw.email !== 'string' || !EMAIL.test(raw.email))) {
		errors['customer.email'] = 'This value is not a valid email address.';
	}
	if (
		!isBlank(raw.date_of_birth) &&
		(typeof raw.date_of_birth !== 'string' || !DATE.test(raw.date_of_birth))
	) {
		errors['customer.date_of_birth'] = 'This value is not a valid date (YYYY-MM-DD).';
	}
	if (raw.metadata !== undefined && raw.metadata !== null && !isObject(raw.metadata)) {
		errors['customer.metadata'] = 'This value should be of type array.';
	}
	if (raw.address !== undefined && raw.address !== null) {
		if (!isObject(raw.address)) errors['customer.address'] = 'This value should be of type array.';
		else if (
			!isBlank(raw.address.country) &&
			(typeof raw.address.country !== 'string' || !/^[A-Z]{2}$/.test(raw.address.country))
		) {
			errors['customer.address.country'] = 'This value is not a valid country.';
		}
	}
	return raw;
}
