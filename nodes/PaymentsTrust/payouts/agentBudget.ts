import { formatMinor, minorUnitsOf } from '../helpers/money';
import { addToPayee, type PayeeSpentSoFar } from './payeeLimits';
import type { RowProblem, ValidPayout } from './types';
import { applySafetyLimits, isCounted, type SpentSoFar } from './validateRows';

/**
 * How many executions' budgets one process keeps. Least recently used ones are forgotten first: an
 * agent run whose tool has not been called while 1,000 other runs called theirs is long over (a
 * worker runs ~10 executions at a time). Each budget is a few hundred bytes.
 */
export const AGENT_BUDGET_MAX_EXECUTIONS = 1_000;
/**
 * How many reference IDs one budget remembers as already counted. Past that a repeated reference ID
 * is counted again: the budget then errs on the side of paying less, never more.
 */
export const AGENT_BUDGET_MAX_REFERENCES = 10_000;

interface BudgetState {
	/** Minor units reserved or spent per currency by all calls of this tool node in this execution. */
	spent: Map<string, bigint>;
	/**
	 * Reference IDs counted in `spent` (one invoice each, whatever call sent them), with what was
	 * counted.
	 */
	counted: Map<string, { currency: string; minor: bigint }>;
	/**
	 * The lowest limit seen per currency: a limit from an expression can only tighten within a run.
	 */
	lowestLimits: Map<string, bigint>;
	/** Minor units reserved or spent per payee and currency (payeeLimits.ts). */
	payees: Map<string, bigint>;
}

/**
 * Insertion order is recency order: every use moves a budget to the end, eviction takes the first.
 */
const budgets = new Map<string, BudgetState>();

/**
 * What one AI agent tool node may still pay in one execution: the node's Run Safety Limits bound
 * the total of all its calls, per currency. It lives in the node's process, keyed by execution and
 * node: n8n runs every tool call of an execution in the process that runs the execution (also a
 * queue-mode worker), one execution never spans two processes.
 *
 * Calls may overlap, so a payout is reserved before it is sent (check and reservation in one
 * synchronous step), kept when it was paid or its outcome is unknown (money may have moved), and
 * released only when the platform definitely did not take it or it was never sent.
 */
export class AgentBudget {
	private constructor(private readonly state: BudgetState) {}

	static of(executionId: string, nodeKey: string): AgentBudget {
		const key = `${executionId}\u0000${nodeKey}`;
		let state = budgets.get(key);
		if (state) budgets.delete(key);
		else
			state = { spent: new Map(), counted: new Map(), lowestLimits: new Map(), payees: new Map() };
		budgets.set(key, state);
		while (budgets.size > AGENT_BUDGET_MAX_EXECUTIONS) {
			budgets.delete(budgets.keys().next().value as string);
		}
		return new AgentBudget(state);
	}

	/** How many budgets this process holds (bounded by AGENT_BUDGET_MAX_EXECUTIONS). */
	static tracked(): number {
		return budgets.size;
	}

	/** This call's limits, each no higher than one an earlier call of the same run had. */
	limitsFor(limits: Map<string, bigint>): Map<string, bigint> {
		const effective = new Map<string, bigint>();
		for (const [currency, limit] of limits) {
			const lowest = this.state.lowestLimits.get(currency);
			const applied = lowest !== undefined && lowest < limit ? lowest : limit;
			this.state.lowestLimits.set(currency, applied);
			effective.set(currency, applied);
		}
		return effective;
	}

	spentSoFar(): SpentSoFar {
		return { spent: this.state.spent, counted: this.state.counted };
	}

	/** What all calls took per payee: the per-payee limits hold for the whole execution too. */
	payeeSpentSoFar(): PayeeSpentSoFar {
		return { byPayee: this.state.payees, counted: this.state.counted };
	}

	/**
	 * Checks the rows against what is left and reserves the allowed ones, in one synchronous step so
	 * that a concurrent call sees the reservation. A row whose reference ID this run already counted
	 * for the same currency and amount adds nothing: it is the same invoice, never paid twice. The
	 * same reference ID with another amount is counted in full (had the first call created nothing,
	 * this one would pay its amount).
	 */
	reserve(
		payouts: ValidPayout[],
		limits: Map<string, bigint>,
	): { allowed: ValidPayout[]; stopped: RowProblem[]; reserved: ValidPayout[] } {
		const { allowed, stopped } = applySafetyLimits(payouts, limits, this.spentSoFar());
		const reserved: ValidPayout[] = [];
		for (const payout of allowed) {
			if (isCounted(this.state.counted, payout)) continue;
			this.add(payout.currency, payout.amountMinor);
			addToPayee(this.state.payees, payout, payout.amountMinor);
			if (
				!this.state.counted.has(payout.referenceId) &&
				this.state.counted.size < AGENT_BUDGET_MAX_REFERENCES
			) {
				this.state.counted.set(payout.referenceId, {
					currency: payout.currency,
					minor: payout.amountMinor,
				});
			}
			reserved.push(payout);
		}
		return { allowed, stopped, reserved };
	}

	/**
	 * Gives back one of this call's reservations (a row `reserve` returned): the payout was never
	 * sent, or the platform definitely did not take it.
	 */
	release(payout: ValidPayout): void {
		this.add(payout.currency, -payout.amountMinor);
		addToPayee(this.state.payees, payout, -payout.amountMinor);
		if (isCounted(this.state.counted, payout)) this.state.counted.delete(payout.referenceId);
	}

	/** What is left per limited currency, as text ("40.00"), never below zero. */
	left(limits: Map<string, bigint>): Record<string, string> {
		return Object.fromEntries(
			[...limits].map(([currency, limit]) => {
				const left = limit - (this.state.spent.get(currency) ?? 0n);
				return [currency, formatMinor(left > 0n ? left : 0n, minorUnitsOf(currency))];
			}),
		);
	}

	private add(currency: string, minor: bigint): void {
		this.state.spent.set(currency, (this.state.spent.get(currency) ?? 0n) + minor);
	}
}
