import { METHODS, PayoutService, accountInfo } from './catalogue';
import { Invoice } from './store';

/**
 * The API's JSON shapes, key for key and in the order of the reference's samples (tests compare the key sets).
 * Links carry the Private API path the sandbox serves (`/api`, as in the samples, or the host root).
 */

export function maskCardNumber(value: string): string {
	return value.length >= 10 ? `${value.slice(0, 6)}******${value.slice(-4)}` : value;
}

function outputFields(inv: Invoice): Record<string, string> {
	if (!inv.maskedField || !(inv.maskedField in inv.fields)) return { ...inv.fields };
	return { ...inv.fields, [inv.maskedField]: maskCardNumber(inv.fields[inv.maskedField]) };
}

/**
 * A payout invoice as the Private API returns it. The list sample has no `callback_logs` in its attributes while
 * the single-invoice samples do, so the list leaves it out too.
 */
export function privateInvoice(inv: Invoice, withCallbackLogs: boolean, prefix: string) {
	const attributes: Record<string, unknown> = {
		status: inv.status,
		resolution: inv.resolution,
		amount: inv.amount,
		payout_amount: inv.payoutAmount,
		currency: inv.currency,
		service_currency: inv.serviceCurrency,
		service_amount: inv.serviceAmount,
		service_payout_amount: inv.servicePayoutAmount,
		reference_id: inv.referenceId,
		test_mode: inv.testMode,
		description: inv.description,
		fee: inv.fee,
		writeoff: inv.writeoff,
		exchange_rate: inv.exchangeRate,
		processed: inv.processed,
		processed_amount: inv.processedAmount,
		processed_fee: inv.processedFee,
		processed_writeoff: inv.processedWriteoff,
		metadata: inv.metadata,
		created: inv.created,
		updated: inv.updated,
		fields: outputFields(inv),
		callback_url: inv.callbackUrl,
		source: inv.source,
	};
	if (withCallbackLogs) attributes.callback_logs = inv.callbackLogs.map((l) => ({ ...l }));
	return {
		type: 'payout-invoices',
		id: inv.id,
		attributes,
		relationships: {
			'payout-service': { data: { type: 'payout-services', id: inv.service } },
			'payout-method': { data: { type: 'payout-methods', id: inv.method } },
			// Always present so the key set is stable; data is null when the invoice has no customer.
			customer: { data: inv.customerId ? { type: 'customers', id: inv.customerId } : null },
		},
		links: { self: `${prefix}/payout-invoices/${inv.id}` },
	};
}

/** The flat shape of the Public API's invoice look-up. */
export function publicInvoice(inv: Invoice) {
	return {
		id: inv.id,
		created: inv.created,
		status: inv.status,
		resolution: inv.resolution,
		test_mode: inv.testMode,
		currency: inv.currency,
		amount: inv.amount,
		payout_amount: inv.payoutAmount,
		service: inv.service,
		service_amount: inv.serviceAmount,
		service_payout_amount: inv.servicePayoutAmount,
		service_method: inv.method,
		service_currency: inv.serviceCurrency,
		processed: inv.processed,
		processed_amount: inv.processedAmount,
	};
}

export function serviceResource(s: PayoutService, testMode: boolean, prefix: string) {
	return {
		type: 'payout-services',
		id: s.id,
		attributes: {
			service: s.code,
			service_method: s.method,
			service_currency: s.serviceCurrency,
			available: s.available,
			active: s.active,
			enabled: s.enabled,
			amount_min: s.amountMin,
			amount_max: s.amountMax,
			fee_min: s.feeMin,
			fee_max: s.feeMax,
			fee_rate: s.feeRate,
			fee_fix: s.feeFix,
			currency: s.currency,
			test_mode: testMode,
		},
		relationships: {
			'payout-method': { data: { type: 'payout-methods', id: s.method } },
			'payout-service': { data: { type: 'payout-services', id: s.code } },
		},
		links: { self: `${prefix}/payout-services/${s.id}` },
	};
}

/** One service of the pre-request; `amount` is the amount in the service currency, as a 2-decimal string. */
export function prerequestService(s: PayoutService, amount: number) {
	return {
		code: s.code,
		method: s.method,
		currency: s.serviceCurrency,
		fields: s.fields.map((f) => ({
			key: f.key,
			type: f.type,
			label: { ...f.label },
			example: f.example,
			hint: { ...f.hint },
			regexp: f.regexp,
			required: f.required,
			position: f.position,
		})),
		amount_min: s.amountMin,
		amount_max: s.amountMax,
		exchange_rate: s.exchangeRate,
		amount: (amount * s.exchangeRate).toFixed(2),
	};
}

export function prerequestMethod(code: string, baseUrl: string) {
	const m = METHODS[code];
	return {
		code: m.code,
		category: m.category,
		description: '',
		name: { en: m.name.en, ru: m.name.ru, uk: m.name.uk },
		logo: `${baseUrl}/static/payout_methods/${m.code}/logo.svg`,
		icon: `${baseUrl}/static/payout_methods/${m.code}/icon.svg`,
		metadata: null,
		position: null,
		hide: null,
	};
}

/**
 * The pre-request answer. As in the reference's sample, `methods` and `account` sit inside `data.services` next to
 * the service codes (no service is called "methods" or "account", so they cannot collide).
 */
export function prerequestBody(
	currency: string,
	amount: number,
	testMode: boolean,
	services: PayoutService[],
	baseUrl: string,
) {
	const servicesObj: Record<string, unknown> = {};
	const methods: Record<string, unknown> = {};
	for (const s of services) {
		servicesObj[s.code] = prerequestService(s, amount);
		methods[s.method] ??= prerequestMethod(s.method, baseUrl);
	}
	servicesObj.methods = methods;
	servicesObj.account = accountInfo(baseUrl);
	return { data: { currency, amount, test_mode: testMode, services: servicesObj } };
}
