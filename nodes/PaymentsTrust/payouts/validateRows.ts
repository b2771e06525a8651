import {
	isCurrencyCode,
	limitToMinor,
	parseAmount,
	formatMinor,
	minorUnitsOf,
} from '../helpers/money';
import { rowName } from '../helpers/items';
import { displayValue } from '../../shared/redact';
import { describeFieldRule } from '../platform/serviceFields';
import type { ServiceRules } from '../platform/serviceCatalogue';
import type { PayoutRequest, RowProblem, ValidPayout } from './types';

const REFERENCE_ID = /^[\x21-\x7E]{1,255}$/;
/** The card details a saved card token can stand in for (card_number, card_holder, …). */
const CARD_DETAIL = /^card/i;

function problem(request: PayoutRequest, field: string, rule: string): RowProblem {
	return {
		itemIndex: request.itemIndex,
		row: request.row,
		referenceId: request.referenceId,
		field,
		rule,
		stage: 'validation',
	};
}

/**
 * Every check one row must pass before any money moves. Returns the row ready to send, or the first
 * problem found (the field and the rule, with card numbers masked).
 * `rules` is undefined when the account has no such service.
 */
export function validatePayout(
	request: PayoutRequest,
	rules: ServiceRules | undefined,
	referencesInRun: Set<string>,
): ValidPayout | RowProblem {
	if (request.unreadable) return problem(request, 'row', request.unreadable);
	if (request.referenceIdRule) return problem(request, 'reference ID', request.referenceIdRule);
	const referenceId = request.referenceId;
	if (!referenceId)
		return problem(
			request,
			'reference ID',
			'is required: it is what keeps a payout from being paid twice',
		);
	if (!REFERENCE_ID.test(referenceId)) {
		return problem(request, 'reference ID', 'must be 1 to 255 visible characters without spaces');
	}
	if (referencesInRun.has(referenceId)) {
		return problem(request, 'reference ID', `"${referenceId}" appears more than once in this run`);
	}
	referencesInRun.add(referenceId);

	if (!request.service) return problem(request, 'service', 'is required');
	if (!rules)
		return problem(
			request,
			'service',
			`"${request.service}" is not a payout service of this account`,
		);
	if (!rules.usable)
		return problem(
			request,
			'service',
			`"${request.service}" is not available or not enabled for this account`,
		);

	const currency = request.currency;
	if (!isCurrencyCode(currency)) {
		return problem(
			request,
			'currency',
			`"${displayValue('currency', currency)}" is not a 3-letter ISO currency code`,
		);
	}
	if (rules.currency && currency !== rules.currency) {
		return problem(
			request,
			'currency',
			`${currency} does not match service "${rules.code}", which takes ${rules.currency}`,
		);
	}

	const amount = parseAmount(request.amount, currency);
	if (!amount.ok)
		return problem(request, 'amount', `"${displayValue('amount', request.amount)}" ${amount.rule}`);
	const decimals = minorUnitsOf(currency);
	const min = limitToMinor(rules.amountMin, currency);
	if (min !== undefined && amount.minor < min) {
		return problem(
			request,
			'amount',
			`${amount.text} ${currency} is below the service minimum of ${formatMinor(min, decimals)}`,
		);
	}
	const splitAllowed =
		((request.extra.options ?? {}) as { split_mode?: unknown }).split_mode === true;
	const max = limitToMinor(rules.amountMax, currency);
	if (max !== undefined && amount.minor > max && !splitAllowed) {
		return problem(
			request,
			'amount',
			`${amount.text} ${currency} is above the service maximum of ${formatMinor(max, decimals)}`,
		);
	}

	let fields = request.fields;
	if (request.fieldsAutoMapped && rules.fields) {
		const declared = new Set(rules.fields.map((field) => field.key));
		fields = Object.fromEntries(Object.entries(fields).filter(([key]) => declared.has(key)));
	}
	for (const [key, value] of Object.entries(fields)) {
		const unsafe = unsafeNumberRule(value);
		if (unsafe) return problem(request, `field "${key}"`, unsafe);
	}
	for (const field of rules.fields ?? []) {
		const value = fields[field.key];
		const text = value === undefined || value === null ? '' : String(value);
		if (text === '') {
			// A saved card token stands in for the card fields; card fields that are given are still
			// checked.
			const coveredByToken = typeof request.extra.token === 'string' && CARD_DETAIL.test(field.key);
			if (field.required && !coveredByToken) {
				return problem(request, `field "${field.key}"`, `is required by service "${rules.code}"`);
			}
			continue;
		}
		if (field.pattern && !field.pattern.test(text)) {
			return {
				...problem(
					request,
					`field "${field.key}"`,
					`"${displayValue(field.key, text)}" ${describeFieldRule(field)}`,
				),
				pattern: field.pattern.source,
			};
		}
	}

	return { ...request, fields, currency, amountText: amount.text, amountMinor: amount.minor };
}

/**
 * A number beyond the safe integer range has already lost digits (a card or account number a
 * spreadsheet turned into a number): sending its text would send another number. Returns the rule,
 * or undefined.
 */
export function unsafeNumberRule(value: unknown): string | undefined {
	if (typeof value !== 'number' || Math.abs(value) <= Number.MAX_SAFE_INTEGER) return undefined;
	return 'is a number too large to be exact (its last digits may already be lost): send it as text';
}

/**
 * What a reference ID given as `value` is as text, or why it cannot be one: text, or a whole number
 * within the safe integer range; never a list, an object, a true/false value or a fraction.
 */
export function referenceIdText(value: unknown): { text: string } | { rule: string } {
	if (value === undefined || value === null) return { text: '' };
	if (typeof value === 'string') return { text: value.trim() };
	if (typeof value === 'number') {
		const unsafe = unsafeNumberRule(value);
		if (unsafe) return { rule: unsafe };
		if (!Number.isInteger(value)) return { rule: `must be text or a whole number, not ${value}` };
		return { text: String(value) };
	}
	const kind = Array.isArray(value)
		? 'a list'
		: typeof value === 'object'
			? 'an object'
			: `a ${typeof value} value`;
	return { rule: `must be text or a whole number, not ${kind}` };
}

export interface SafetyLimitEntry {
	currency?: unknown;
	maxTotal?: unknown;
}

/**
 * "Run Safety Limits" as exact minor units per currency, or the reason the run must not start: a
 * limit whose currency is not an ISO code, or a second limit for the same currency, would be a cap
 * that does not apply (or applies in a way nobody chose), which is worse than no cap.
 */
export function parseSafetyLimits(
	entries: SafetyLimitEntry[],
): { limits: Map<string, bigint> } | { error: string } {
	const limits = new Map<string, bigint>();
	for (const entry of entries) {
		const given = String(entry.currency ?? '').trim();
		const currency = given.toUpperCase();
		if (!isCurrencyCode(currency)) {
			return {
				error:
					`Run safety limit: "${displayValue('currency', given)}" is not an ISO 4217 ` +
					`currency code, so the limit would never apply`,
			};
		}
		if (limits.has(currency)) {
			return { error: `Run safety limit: ${currency} has two limits; keep one limit per currency` };
		}
		const parsed = parseAmount(entry.maxTotal, currency);
		if (!parsed.ok)
			return {
				error:
					`Run safety limit for ${currency}: max total ` +
					`"${displayValue('amount', entry.maxTotal)}" ${parsed.rule}`,
			};
		limits.set(currency, parsed.minor);
	}
	return { limits };
}

/**
 * What earlier calls of an AI agent tool already took from its budget in this execution
 * (agentBudget.ts).
 */
export interface SpentSoFar {
	/** Minor units per currency. */
	spent: Map<string, bigint>;
	/**
	 * Reference IDs already counted, with the currency and amount counted: the same invoice adds
	 * nothing again.
	 */
	counted: ReadonlyMap<string, { currency: string; minor: bigint }>;
	/**
	 * Which calls the budget spans, as refusals say it: "for all calls of this run together" unless
	 * the budget is over a time window (budgetWindow.ts).
	 */
	scope?: string;
}

/** The row is a payout the budget already counted: same reference ID, currency and amount. */
export function isCounted(counted: SpentSoFar['counted'], payout: ValidPayout): boolean {
	const earlier = counted.get(payout.referenceId);
	return earlier?.currency === payout.currency && earlier.minor === payout.amountMinor;
}

/** "40.00 USD, 10.00 EUR": what is left of every limit. */
function leftText(limits: Map<string, bigint>, spent: Map<string, bigint>): string {
	return [...limits]
		.map(([currency, limit]) => {
			const left = limit - (spent.get(currency) ?? 0n);
			return `${formatMinor(left > 0n ? left : 0n, minorUnitsOf(currency))} ${currency}`;
		})
		.join(', ');
}

/**
 * The run's safety limit: the most one run may pay out per currency. The row that would cross a
 * limit and every row after it are not sent, so the run stops before the crossing row whatever the
 * concurrency.
 *
 * As an AI agent tool (`agentSpent` given) the limits are the tool's budget for the whole
 * execution: totals start from what earlier calls took, and a currency without a limit is refused,
 * since a model can ask for any currency. The rules then speak to the model: short, with what is
 * left and what to do.
 */
export function applySafetyLimits(
	payouts: ValidPayout[],
	limits: Map<string, bigint>,
	agentSpent?: SpentSoFar,
): { allowed: ValidPayout[]; stopped: RowProblem[] } {
	if (limits.size === 0 && !agentSpent) return { allowed: payouts, stopped: [] };
	const totals = new Map<string, bigint>(agentSpent?.spent ?? []);
	const ordered = [...payouts].sort((a, b) => a.itemIndex - b.itemIndex);
	const allowed: ValidPayout[] = [];
	const stopped: RowProblem[] = [];
	for (let position = 0; position < ordered.length; position++) {
		const payout = ordered[position];
		const limit = limits.get(payout.currency);
		if (agentSpent && limit === undefined) {
			stopped.push({
				itemIndex: payout.itemIndex,
				row: payout.row,
				referenceId: payout.referenceId,
				field: 'currency',
				rule:
					`${payout.currency} is not in this tool's budget (it has no Run Safety Limit in ` +
					`${payout.currency}); nothing was sent. Budget left: ` +
					`${leftText(limits, totals) || 'none'}. Pay in a currency of the budget, or ask the user.`,
				stage: 'safety_limit',
			});
			continue;
		}
		const repeated = agentSpent ? isCounted(agentSpent.counted, payout) : false;
		const before = totals.get(payout.currency) ?? 0n;
		const total = before + (repeated ? 0n : payout.amountMinor);
		if (limit !== undefined && total > limit) {
			const decimals = minorUnitsOf(payout.currency);
			const crossing = rowName(payout.itemIndex, { inSentence: true, row: payout.row });
			const left = limit > before ? limit - before : 0n;
			const crossingRule = agentSpent
				? `${payout.amountText} ${payout.currency} is more than this tool's budget has left: ` +
					`${formatMinor(left, decimals)} of ${formatMinor(limit, decimals)} ${payout.currency} ` +
					`${agentSpent.scope ?? 'for all calls of this run together'}; nothing was sent. ` +
					`Pay at most ${formatMinor(left, decimals)} ${payout.currency}, or ask the user.`
				: `would take this run's ${payout.currency} total to ${formatMinor(total, decimals)}, ` +
					`over the run's safety limit of ${formatMinor(limit, decimals)} ${payout.currency}; ` +
					`not sent, and the run stops here`;
			stopped.push(
				...ordered.slice(position).map((later) => ({
					itemIndex: later.itemIndex,
					row: later.row,
					referenceId: later.referenceId,
					field: 'amount',
					rule:
						later === payout
							? crossingRule
							: `not sent: the run stopped at ${crossing}, ` +
								`which would have crossed the ${payout.currency} safety limit`,
					stage: 'safety_limit' as const,
				})),
			);
			return { allowed, stopped };
		}
		totals.set(payout.currency, total);
		allowed.push(payout);
	}
	return { allowed, stopped };
}
