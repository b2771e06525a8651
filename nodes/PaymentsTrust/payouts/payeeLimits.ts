import { formatMinor, minorUnitsOf } from '../helpers/money';
import { rowName } from '../helpers/items';
import { payeeText } from './payee';
import type { RowProblem, ValidPayout } from './types';
import { isCounted, type SpentSoFar } from './validateRows';

/**
 * What earlier calls of an AI agent tool already took per payee in this execution (agentBudget.ts),
 * and the reference IDs it counted (the same invoice adds nothing again).
 */
export interface PayeeSpentSoFar {
	/** Minor units per payeeLimitKey. */
	byPayee: ReadonlyMap<string, bigint>;
	counted: SpentSoFar['counted'];
}

/**
 * What a per-payee limit adds up: the payee (or, for a row without recognisable recipient details,
 * its reference ID: the row is a payee of its own) in one currency.
 */
export function payeeLimitKey(payout: ValidPayout): string {
	const who = payout.payee ? payout.payee.key : `reference:${payout.referenceId}`;
	return `${who}\u0000${payout.currency}`;
}

/** Adds (or, negative, gives back) an amount to a payee's running total. */
export function addToPayee(totals: Map<string, bigint>, payout: ValidPayout, minor: bigint): void {
	const key = payeeLimitKey(payout);
	totals.set(key, (totals.get(key) ?? 0n) + minor);
}

function who(payout: ValidPayout): string {
	return payout.payee ? payeeText(payout.service, payout.payee) : 'this row’s recipient';
}

/**
 * "Run Safety Limits per Payee": the most one run may pay one payee, per currency (a typo of 10000
 * for 100.00 is within most run limits). In sheet order, the row that would take its payee over the
 * limit and every later row of that payee are not sent; other payees go on. Currencies without a
 * limit are not capped per payee (the run limits still apply).
 *
 * As an AI agent tool (`agentSpent` given) the limit holds for all calls of the execution together:
 * totals start from what earlier calls took from that payee, and the rules speak to the model.
 */
export function applyPayeeLimits(
	payouts: ValidPayout[],
	limits: Map<string, bigint>,
	agentSpent?: PayeeSpentSoFar,
): { allowed: ValidPayout[]; stopped: RowProblem[] } {
	if (limits.size === 0) return { allowed: payouts, stopped: [] };
	const totals = new Map<string, bigint>();
	/** Payees already over their limit in this run: the row that crossed it. */
	const crossedAt = new Map<string, ValidPayout>();
	const allowed: ValidPayout[] = [];
	const stopped: RowProblem[] = [];
	for (const payout of [...payouts].sort((a, b) => a.itemIndex - b.itemIndex)) {
		const limit = limits.get(payout.currency);
		if (limit === undefined) {
			allowed.push(payout);
			continue;
		}
		const key = payeeLimitKey(payout);
		const refuse = (rule: string) =>
			stopped.push({
				itemIndex: payout.itemIndex,
				referenceId: payout.referenceId,
				field: 'amount',
				rule,
				stage: 'safety_limit',
			});
		const crossing = crossedAt.get(key);
		if (crossing) {
			refuse(
				`not sent: ${rowName(crossing.itemIndex, { inSentence: true })} of the same payee ` +
					`(${who(payout)}) would already have crossed the per-payee safety limit`,
			);
			continue;
		}
		const before = totals.get(key) ?? agentSpent?.byPayee.get(key) ?? 0n;
		const repeated = agentSpent ? isCounted(agentSpent.counted, payout) : false;
		const total = before + (repeated ? 0n : payout.amountMinor);
		if (total <= limit) {
			totals.set(key, total);
			allowed.push(payout);
			continue;
		}
		crossedAt.set(key, payout);
		const decimals = minorUnitsOf(payout.currency);
		const money = (minor: bigint) => `${formatMinor(minor, decimals)} ${payout.currency}`;
		const left = limit > before ? limit - before : 0n;
		refuse(
			agentSpent
				? `${payout.amountText} ${payout.currency} is more than this tool may still pay this ` +
						`payee (${who(payout)}): ${money(left)} of ${money(limit)} left for all calls of ` +
						`this run together; nothing was sent. Pay this payee at most ${money(left)}, or ` +
						'ask the user.'
				: `would take what this run pays one payee (${who(payout)}) to ${money(total)}, over ` +
						`the per-payee safety limit of ${money(limit)}; not sent`,
		);
	}
	return { allowed, stopped };
}
