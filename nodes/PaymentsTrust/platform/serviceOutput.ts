import type { IDataObject } from 'n8n-workflow';

/** The friendly, flat shape of a payout service from the Private API. */
export function toFriendlyService(resource: IDataObject): IDataObject {
	const a = (resource.attributes ?? {}) as IDataObject;
	return {
		id: resource.id ?? null,
		service: a.service ?? null,
		method: a.service_method ?? null,
		currency: a.currency ?? null,
		serviceCurrency: a.service_currency ?? null,
		available: a.available ?? null,
		active: a.active ?? null,
		enabled: a.enabled ?? null,
		amountMin: a.amount_min ?? null,
		amountMax: a.amount_max ?? null,
		feeMin: a.fee_min ?? null,
		feeMax: a.fee_max ?? null,
		feeRate: a.fee_rate ?? null,
		feeFix: a.fee_fix ?? null,
		testMode: a.test_mode ?? null,
	};
}

/** One service of a pre-request answer, with its fields and labels in English. */
export function toFriendlyPrerequestService(entry: IDataObject, request: IDataObject): IDataObject {
	const fields = ((entry.fields ?? []) as IDataObject[]).map((field) => {
		const label = (field.label ?? {}) as IDataObject;
		const hint = (field.hint ?? {}) as IDataObject;
		return {
			key: field.key,
			label: label.en ?? field.key,
			hint: hint.en ?? null,
			type: field.type ?? 'string',
			required: field.required === true,
			regexp: field.regexp ?? null,
			example: field.example ?? null,
		};
	});
	return {
		service: entry.code ?? null,
		method: entry.method ?? null,
		currency: entry.currency ?? null,
		requestedCurrency: request.currency ?? null,
		requestedAmount: request.amount ?? null,
		amount: entry.amount ?? null,
		exchangeRate: entry.exchange_rate ?? null,
		amountMin: entry.amount_min ?? null,
		amountMax: entry.amount_max ?? null,
		testMode: request.test_mode ?? null,
		fields,
	};
}
