import { PayoutService, serviceByCode } from './catalogue';
import { SandboxContext, nowSeconds } from './context';
import { newInvoiceId } from './ids';
import { currencyDecimals, roundMoney } from './money';
import { Invoice } from './store';
import { SeedOptions, SeedResult } from './types';
import { CreateInput } from './validation';

/**
 * Building invoices: the money of a new invoice, and bulk seeding for list benchmarks.
 *
 * fee = fee_fix + amount × fee_rate / 100, rounded to the invoice currency and kept within fee_min/fee_max when
 * those are set; writeoff = amount + fee (what leaves the merchant's balance); payout_amount = amount (what the
 * recipient gets); service_amount = amount × exchange_rate in the service currency (FX is instant and exact).
 */

export interface Money {
	fee: number;
	writeoff: number;
	serviceAmount: number;
}

export function computeMoney(service: PayoutService, amount: number): Money {
	let fee = roundMoney(service.feeFix + (amount * service.feeRate) / 100, service.currency);
	if (service.feeMin > 0) fee = Math.max(fee, service.feeMin);
	if (service.feeMax > 0) fee = Math.min(fee, service.feeMax);
	return {
		fee,
		writeoff: roundMoney(amount + fee, service.currency),
		serviceAmount: roundMoney(amount * service.exchangeRate, service.serviceCurrency),
	};
}

function uniqueInvoiceId(ctx: SandboxContext): string {
	let id = newInvoiceId();
	while (ctx.store.hasId(id)) id = newInvoiceId();
	return id;
}

export function buildInvoice(ctx: SandboxContext, input: CreateInput): Omit<Invoice, 'index'> {
	const { service, amount } = input;
	const money = computeMoney(service, amount);
	const now = nowSeconds();
	const customerRef = input.customer?.reference_id;
	return {
		id: uniqueInvoiceId(ctx),
		referenceId: input.referenceId,
		service: service.code,
		method: service.method,
		status: 'created',
		resolution: 'ok',
		amount,
		payoutAmount: amount,
		currency: input.currency,
		serviceCurrency: service.serviceCurrency,
		serviceAmount: money.serviceAmount,
		servicePayoutAmount: money.serviceAmount,
		// Omitted test_mode is the unsafe reading: live. The ledger shows that the request did not say.
		testMode: input.testMode ?? false,
		testModeExplicit: input.testMode !== null,
		description: input.description,
		fee: money.fee,
		writeoff: money.writeoff,
		exchangeRate: service.exchangeRate,
		processed: null,
		processedAmount: null,
		processedFee: 0,
		processedWriteoff: null,
		metadata: input.metadata,
		created: now,
		updated: now,
		fields: { ...input.fields },
		maskedField: service.maskedField,
		callbackUrl: input.callbackUrl,
		source: 'merchant_api',
		callbackLogs: [],
		customerId:
			customerRef !== undefined && customerRef !== null
				? ctx.store.customerIdFor(String(customerRef))
				: null,
		customer: input.customer,
		context: input.context,
		options: { ...input.options },
		seeded: false,
	};
}

/** A fixed mix, so filter[status] has something to find in a seeded list. */
const SEED_STATUS_CYCLE = [
	'processed',
	'processed',
	'processed',
	'created',
	'processed',
	'process_failed',
	'processed',
	'processing',
];

/**
 * Inserts invoices straight into the store: no validation, ledger calls or callbacks. Their reference_ids are
 * `seed-<n>` (n counting on across seeds) and their `created` times go back one second per invoice (from
 * `opts.created` for the newest when given).
 */
export function seedInvoices(ctx: SandboxContext, opts: SeedOptions): SeedResult {
	const service = serviceByCode(opts.service ?? 'test_usd');
	if (!service) throw new Error(`unknown service "${opts.service}"`);
	const count = opts.count;
	const start = ctx.store.size;
	const now = nowSeconds();
	const decimals = currencyDecimals(service.currency);
	const fields =
		service.method === 'test'
			? { account: '1234567890' }
			: { [service.fields[0].key]: service.fields[0].example ?? '' };
	for (let i = 0; i < count; i++) {
		const n = start + i + 1;
		const amount =
			opts.amount ??
			roundMoney(service.amountMin + ((n * 7919) % 100000) / 10 ** decimals, service.currency);
		const money = computeMoney(service, amount);
		const status = opts.status ?? SEED_STATUS_CYCLE[n % SEED_STATUS_CYCLE.length];
		const done = status === 'processed';
		const created = opts.created !== undefined ? opts.created - (count - 1 - i) : now - (count - i);
		ctx.store.add({
			id: uniqueInvoiceId(ctx),
			referenceId: `seed-${n}`,
			service: service.code,
			method: service.method,
			status,
			resolution: status === 'process_failed' ? 'declined_error' : 'ok',
			amount,
			payoutAmount: amount,
			currency: service.currency,
			serviceCurrency: service.serviceCurrency,
			serviceAmount: money.serviceAmount,
			servicePayoutAmount: money.serviceAmount,
			// Seeded invoices stand for an account's history in the sandbox's own mode.
			testMode: ctx.testMode,
			testModeExplicit: true,
			description: null,
			fee: money.fee,
			writeoff: money.writeoff,
			exchangeRate: service.exchangeRate,
			processed: done ? created : null,
			processedAmount: done ? amount : status === 'process_failed' ? 0 : null,
			processedFee: done ? money.fee : 0,
			processedWriteoff: done ? money.writeoff : status === 'process_failed' ? 0 : null,
			metadata: opts.metadata ?? null,
			created,
			updated: created,
			fields,
			maskedField: service.maskedField,
			callbackUrl: null,
			source: 'merchant_api',
			callbackLogs: [],
			customerId: null,
			customer: null,
			context: null,
			options: {
				auto_process: false,
				split_mode: false,
				parallel_mode: false,
				allow_partially: false,
			},
			seeded: true,
		});
	}
	return { inserted: count, total: ctx.store.size };
}
