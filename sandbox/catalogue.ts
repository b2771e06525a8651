import { stableId } from './ids';

/**
 * The payout services of the sandbox's one commerce account (account currency USD).
 *
 * Enough services that `GET /payout-services` really pages (default page size 20), and the cases a client must get
 * right: the test service from the reference (`test_usd`), a card service with fees and a masked card number, a
 * service paying in another currency than the invoice's (`bank_transfer_eur`), invoice currencies without minor
 * units (`payment_card_jpy`, `payment_card_krw`), a three-decimal one (`bank_transfer_kwd`) and a disabled one.
 */

export interface LocalizedText {
	ru: string;
	en: string;
	uk: string;
}

export interface ServiceField {
	key: string;
	type: 'string';
	label: LocalizedText;
	example: string | null;
	hint: LocalizedText;
	/** The regular expression's source, e.g. `^\d{16}$` (JSON-encoded once: "^\\d{16}$"). */
	regexp: string;
	required: boolean;
	position: number;
}

export interface PayoutMethod {
	code: string;
	category: string;
	name: LocalizedText;
}

export interface PayoutService {
	/** `comcpos_…`, the id of the account's service connection (the Private API's payout-services id). */
	id: string;
	code: string;
	method: string;
	/** Invoice currency: what `currency` of a payout invoice must be. */
	currency: string;
	/** Currency the recipient is paid in. */
	serviceCurrency: string;
	/** Invoice currency → service currency; applied instantly (no FX spread, no rate drift). */
	exchangeRate: number;
	amountMin: number;
	amountMax: number;
	feeMin: number;
	feeMax: number;
	/** Percent of the amount. */
	feeRate: number;
	feeFix: number;
	available: boolean;
	active: boolean;
	enabled: boolean;
	fields: ServiceField[];
	/** Field whose value is masked in answers (first 6 + ****** + last 4). */
	maskedField?: string;
}

export const ACCOUNT_CURRENCY = 'USD';

const t = (en: string, ru: string, uk: string): LocalizedText => ({ ru, en, uk });

/** Labels of every field key used below; hints repeat them, as in the reference's sample. */
const LABELS: Record<string, LocalizedText> = {
	account: t('Account', 'Аккаунт', 'Акаунт'),
	test_details_success_rate: t(
		'Success rate (%)',
		'Вероятность успеха (%)',
		'Імовірність успіху (%)',
	),
	test_details_payout_status: t('Expected status', 'Ожидаемый статус', 'Очікуваний статус'),
	test_details_payout_resolution: t(
		'Expected resolution',
		'Ожидаемый resolution',
		'Очікуваний resolution',
	),
	card_number: t('Card number', 'Номер карты', 'Номер картки'),
	iban: t('IBAN', 'IBAN', 'IBAN'),
	beneficiary_name: t('Beneficiary name', 'Имя получателя', "Ім'я отримувача"),
	account_number: t('Account number', 'Номер счёта', 'Номер рахунку'),
	swift_code: t('SWIFT/BIC code', 'SWIFT/BIC код', 'SWIFT/BIC код'),
	routing_number: t('Routing number', 'Routing number', 'Routing number'),
	email: t('E-mail', 'E-mail', 'E-mail'),
	vpa: t('UPI ID (VPA)', 'UPI ID (VPA)', 'UPI ID (VPA)'),
	pix_key: t('PIX key', 'Ключ PIX', 'Ключ PIX'),
	clabe: t('CLABE', 'CLABE', 'CLABE'),
	payid: t('PayID', 'PayID', 'PayID'),
	phone: t('Phone number', 'Номер телефона', 'Номер телефону'),
	wallet_address: t('Wallet address', 'Адрес кошелька', 'Адреса гаманця'),
};

/** Regexps as the regular expression's source; JSON encodes each backslash once. */
const RX = {
	digits15: String.raw`^\d{1,15}$`,
	words64: String.raw`^[A-Z\-\sa-z]{2,64}$`,
	card: String.raw`^\d{16}$`,
	iban: String.raw`^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$`,
	name: String.raw`^[A-Za-z][A-Za-z .'\-]{1,63}$`,
	accountNumber: String.raw`^[A-Z0-9]{6,34}$`,
	swift: String.raw`^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$`,
	usAccount: String.raw`^\d{4,17}$`,
	routing: String.raw`^\d{9}$`,
	email: String.raw`^[^@\s]+@[^@\s]+\.[^@\s]+$`,
	vpa: String.raw`^[\w.\-]{2,256}@[A-Za-z]{2,64}$`,
	pix: String.raw`^[\w.@+\-]{1,77}$`,
	clabe: String.raw`^\d{18}$`,
	payid: String.raw`^[\w.@+\-]{3,256}$`,
	phone: String.raw`^\+?\d{9,15}$`,
	tron: String.raw`^T[1-9A-HJ-NP-Za-km-z]{33}$`,
};

const EXAMPLES: Record<string, string> = {
	card_number: '4111111111111111',
	iban: 'DE89370400440532013000',
	beneficiary_name: 'John Smith',
	account_number: 'GB29NWBK60161331926819',
	swift_code: 'DEUTDEFF',
	routing_number: '021000021',
	email: 'payee@example.com',
	vpa: 'payee@okbank',
	pix_key: 'payee@example.com',
	clabe: '002010077777777771',
	payid: 'payee@example.com',
	phone: '+48500600700',
	wallet_address: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf',
};

function field(
	key: string,
	regexp: string,
	required: boolean,
	position: number,
	withExample = true,
): ServiceField {
	const label = LABELS[key];
	return {
		key,
		type: 'string',
		label,
		example: withExample ? (EXAMPLES[key] ?? null) : null,
		hint: { ...label },
		regexp,
		required,
		position,
	};
}

/** The four fields of the reference's test_usd sample, positions all 0 and no examples, exactly as there. */
const TEST_FIELDS = [
	field('account', RX.digits15, true, 0, false),
	field('test_details_success_rate', RX.digits15, false, 0, false),
	field('test_details_payout_status', RX.words64, false, 0, false),
	field('test_details_payout_resolution', RX.words64, false, 0, false),
];

const FIELD_SETS: Record<string, () => ServiceField[]> = {
	card: () => [field('card_number', RX.card, true, 0)],
	bank: () => [field('iban', RX.iban, true, 0), field('beneficiary_name', RX.name, true, 1)],
	swift: () => [
		field('account_number', RX.accountNumber, true, 0),
		field('swift_code', RX.swift, true, 1),
		field('beneficiary_name', RX.name, true, 2),
	],
	us: () => [
		field('account_number', RX.usAccount, true, 0),
		field('routing_number', RX.routing, true, 1),
		field('beneficiary_name', RX.name, true, 2),
	],
	email: () => [field('email', RX.email, true, 0)],
	upi: () => [field('vpa', RX.vpa, true, 0)],
	pix: () => [field('pix_key', RX.pix, true, 0)],
	spei: () => [field('clabe', RX.clabe, true, 0), field('beneficiary_name', RX.name, true, 1)],
	payid: () => [field('payid', RX.payid, true, 0)],
	phone: () => [field('phone', RX.phone, true, 0)],
	crypto: () => [field('wallet_address', RX.tron, true, 0)],
};

export const METHODS: Record<string, PayoutMethod> = Object.fromEntries(
	(
		[
			['test', 'alternative', t('Test', 'Test', 'Test')],
			['payment_card', 'card', t('Payment card', 'Платёжная карта', 'Платіжна картка')],
			[
				'bank_transfer',
				'bank_transfer',
				t('Bank transfer', 'Банковский перевод', 'Банківський переказ'),
			],
			['swift', 'bank_transfer', t('SWIFT', 'SWIFT', 'SWIFT')],
			['sepa', 'bank_transfer', t('SEPA', 'SEPA', 'SEPA')],
			['ach', 'bank_transfer', t('ACH', 'ACH', 'ACH')],
			[
				'wire_transfer',
				'bank_transfer',
				t('Wire transfer', 'Банковский перевод', 'Банківський переказ'),
			],
			['paypal', 'ewallet', t('PayPal', 'PayPal', 'PayPal')],
			['skrill', 'ewallet', t('Skrill', 'Skrill', 'Skrill')],
			['neteller', 'ewallet', t('Neteller', 'Neteller', 'Neteller')],
			['upi', 'alternative', t('UPI', 'UPI', 'UPI')],
			['pix', 'alternative', t('PIX', 'PIX', 'PIX')],
			['spei', 'bank_transfer', t('SPEI', 'SPEI', 'SPEI')],
			[
				'interac',
				'alternative',
				t('Interac e-Transfer', 'Interac e-Transfer', 'Interac e-Transfer'),
			],
			['payid', 'alternative', t('PayID', 'PayID', 'PayID')],
			['blik', 'alternative', t('BLIK', 'BLIK', 'BLIK')],
			['mobile_money', 'mobile', t('Mobile money', 'Мобильные деньги', 'Мобільні гроші')],
			[
				'crypto',
				'crypto',
				t('Crypto (USDT TRC-20)', 'Крипто (USDT TRC-20)', 'Крипто (USDT TRC-20)'),
			],
		] as const
	).map(([code, category, name]) => [code, { code, category, name }]),
);

type Row = [
	code: string,
	method: string,
	fields: keyof typeof FIELD_SETS | 'test',
	currency: string,
	serviceCurrency: string,
	exchangeRate: number,
	amountMin: number,
	amountMax: number,
	feeRate: number,
	feeFix: number,
	feeMin: number,
	feeMax: number,
	flags?: { enabled?: boolean; available?: boolean; active?: boolean },
];

// code, method, fields, invoice currency, service currency, rate, min, max, fee %, fee fix, fee min, fee max
const ROWS: Row[] = [
	['test_usd', 'test', 'test', 'USD', 'USD', 1, 0.01, 9999999, 0, 0, 0, 0],
	['payment_card_usd', 'payment_card', 'card', 'USD', 'USD', 1, 1, 5000, 1.5, 0.3, 0.5, 50],
	['bank_transfer_eur', 'bank_transfer', 'bank', 'USD', 'EUR', 0.92, 10, 100000, 0.5, 5, 0, 0],
	['payment_card_jpy', 'payment_card', 'card', 'JPY', 'JPY', 1, 100, 1000000, 2, 50, 0, 0],
	['payment_card_krw', 'payment_card', 'card', 'KRW', 'KRW', 1, 1000, 10000000, 2, 500, 0, 0],
	['payment_card_eur', 'payment_card', 'card', 'EUR', 'EUR', 1, 1, 5000, 1.5, 0.25, 0.5, 50],
	['payment_card_gbp', 'payment_card', 'card', 'GBP', 'GBP', 1, 1, 5000, 1.5, 0.2, 0.5, 50],
	['swift_jpy', 'swift', 'swift', 'USD', 'JPY', 149.5, 1, 999999, 0, 25, 0, 0],
	['swift_usd', 'swift', 'swift', 'USD', 'USD', 1, 1, 999999, 0, 25, 0, 0],
	['bank_transfer_zar', 'bank_transfer', 'bank', 'USD', 'ZAR', 18.2, 0.01, 1000000, 0, 0, 0, 0],
	['bank_transfer_gbp', 'bank_transfer', 'bank', 'USD', 'GBP', 0.79, 1, 250000, 0.3, 2, 0, 0],
	['bank_transfer_uah', 'bank_transfer', 'bank', 'USD', 'UAH', 41.2, 1, 50000, 1, 0, 1, 100],
	['bank_transfer_kwd', 'bank_transfer', 'bank', 'USD', 'KWD', 0.307, 10, 100000, 0.5, 3, 0, 0],
	['sepa_eur', 'sepa', 'bank', 'EUR', 'EUR', 1, 1, 100000, 0, 0.5, 0, 0],
	['ach_usd', 'ach', 'us', 'USD', 'USD', 1, 1, 100000, 0, 1, 0, 0],
	['wire_usd', 'wire_transfer', 'us', 'USD', 'USD', 1, 100, 1000000, 0, 15, 0, 0],
	['paypal_usd', 'paypal', 'email', 'USD', 'USD', 1, 1, 10000, 2, 0.3, 0, 0],
	['skrill_usd', 'skrill', 'email', 'USD', 'USD', 1, 1, 10000, 1.9, 0, 0, 0],
	['neteller_usd', 'neteller', 'email', 'USD', 'USD', 1, 1, 10000, 1.9, 0, 0, 0],
	['interac_cad', 'interac', 'email', 'USD', 'CAD', 1.36, 1, 10000, 1, 0, 0, 0],
	['upi_inr', 'upi', 'upi', 'USD', 'INR', 83.1, 1, 5000, 1, 0, 0, 0],
	['pix_brl', 'pix', 'pix', 'USD', 'BRL', 5.05, 1, 20000, 1, 0, 0, 0],
	['spei_mxn', 'spei', 'spei', 'USD', 'MXN', 17.1, 1, 20000, 1, 0, 0, 0],
	['payid_aud', 'payid', 'payid', 'USD', 'AUD', 1.52, 1, 20000, 0.5, 0, 0, 0],
	['blik_pln', 'blik', 'phone', 'USD', 'PLN', 3.98, 1, 5000, 1, 0, 0, 0],
	['mobile_money_kes', 'mobile_money', 'phone', 'USD', 'KES', 129.5, 1, 2000, 2, 0, 0, 0],
	['crypto_usdt', 'crypto', 'crypto', 'USD', 'USDT', 1, 10, 100000, 1, 1, 0, 0, { active: false }],
	[
		'legacy_card_usd',
		'payment_card',
		'card',
		'USD',
		'USD',
		1,
		1,
		5000,
		1.5,
		0.3,
		0,
		0,
		{ enabled: false, available: false, active: false },
	],
];

export const SERVICES: PayoutService[] = ROWS.map(
	([
		code,
		method,
		fieldSet,
		currency,
		serviceCurrency,
		exchangeRate,
		amountMin,
		amountMax,
		feeRate,
		feeFix,
		feeMin,
		feeMax,
		flags,
	]) => ({
		id: stableId('comcpos', code),
		code,
		method,
		currency,
		serviceCurrency,
		exchangeRate,
		amountMin,
		amountMax,
		feeMin,
		feeMax,
		feeRate,
		feeFix,
		available: flags?.available ?? true,
		active: flags?.active ?? true,
		enabled: flags?.enabled ?? true,
		fields: fieldSet === 'test' ? TEST_FIELDS : FIELD_SETS[fieldSet](),
		maskedField: fieldSet === 'card' ? 'card_number' : undefined,
	}),
);

const BY_CODE = new Map(SERVICES.map((s) => [s.code, s]));
const BY_ID = new Map(SERVICES.map((s) => [s.id, s]));

export const serviceByCode = (code: string): PayoutService | undefined => BY_CODE.get(code);
export const serviceById = (id: string): PayoutService | undefined => BY_ID.get(id);

/** Services a client may create invoices with (and that the pre-request lists). */
export const isUsable = (s: PayoutService): boolean => s.enabled && s.available;

/** The commerce account as the pre-request shows it. */
export function accountInfo(baseUrl: string) {
	return {
		name: 'PaymentsTrust Sandbox',
		description: 'local sandbox for development and testing',
		icon: `${baseUrl}/static/account.svg`,
		website: baseUrl,
	};
}
