import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { rowName } from '../helpers/items';
import { formatMinor, limitToMinor, minorUnitsOf } from '../helpers/money';
import { createdOf, invoicesSince } from '../platform/invoicesSince';
import { settleDelayMs, type RetryPolicy } from '../transport/retryPolicy';
import type { RowProblem, ValidPayout } from './types';
import { applySafetyLimits } from './validateRows';

/**
 * How long an AI agent tool's Run Safety Limits last: one execution (kept in the process, see
 * AgentBudget), or a window of the platform's clock (UTC) that holds across executions and workers.
 */
export const BUDGET_WINDOWS = ['execution', 'hour', 'day', 'week'] as const;
export type BudgetWindowKind = Exclude<(typeof BUDGET_WINDOWS)[number], 'execution'>;

/**
 * The invoice metadata key that ties a payout to its budget. Set last on every invoice a windowed
 * tool creates: the platform's invoices are the budget's ledger (no store a community node has is
 * shared by every worker and written atomically).
 */
export const BUDGET_TAG = 'n8n_agent_budget';

/** Statuses in which nothing was paid and nothing can be: such invoices use none of the budget. */
const NOTHING_PAID = ['process_failed', 'expired', 'terminated', 'canceled'];

/**
 * The list is newest first (docs/platform.md); `created` of neighbours may still be out of order by
 * a little (two writes in flight): the walk reads on until an invoice this much older than the
 * window's start.
 */
export const WINDOW_SLACK_SECONDS = 600;
/**
 * The most invoices one budget read walks (50 pages of 100): past that it pays nothing.
 */
export const MAX_LEDGER_INVOICES = 5_000;

const LENGTH: Record<BudgetWindowKind, number> = { hour: 3_600, day: 86_400, week: 604_800 };
/** The Unix epoch was a Thursday: weeks start on the Monday three days before it. */
const WEEK_SHIFT = 3 * 86_400;

export interface BudgetWindow {
	kind: BudgetWindowKind;
	/** Unix seconds, inclusive. */
	start: number;
	/** Unix seconds, exclusive. */
	end: number;
}

/** The window of `kind` that holds the instant `seconds` (Unix seconds, UTC). */
export function windowAt(kind: BudgetWindowKind, seconds: number): BudgetWindow {
	const length = LENGTH[kind];
	const shift = kind === 'week' ? WEEK_SHIFT : 0;
	const start = Math.floor((seconds + shift) / length) * length - shift;
	return { kind, start, end: start + length };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** "this day (UTC, until 2026-12-08T00:00:00Z)": how messages name a window. */
export function windowName(window: BudgetWindow): string {
	return `this ${window.kind} (UTC, until ${iso(window.end)})`;
}

/** What the budget's ledger holds for one window: every payout that uses the budget. */
interface WindowLedger {
	window: BudgetWindow;
	/** Invoice IDs read in the window with the tag (any status). */
	ids: Set<string>;
	/** Minor units per currency of the counted invoices. */
	spent: Map<string, bigint>;
	/** Reference IDs counted, with what was counted: the same invoice adds nothing again. */
	counted: Map<string, { currency: string; minor: bigint }>;
}

const attributesOf = (invoice: IDataObject) => (invoice.attributes ?? invoice) as IDataObject;

function tagOf(invoice: IDataObject): unknown {
	const metadata = attributesOf(invoice).metadata;
	return metadata && typeof metadata === 'object'
		? (metadata as IDataObject)[BUDGET_TAG]
		: undefined;
}

/**
 * A windowed budget of one tool node, for one run of it (one tool call). It keeps nothing between
 * calls: every decision reads the platform.
 *
 * Before anything is sent, the window's payouts are read and a payout that does not fit what is
 * left is refused (nothing sent); the invoice is created with the tag; then, before the one process
 * request, the window is read again and the payout is processed only if every counted payout of
 * the window, this one included, stays within the limit. Counting everything visible (not only
 * what sorts before this payout) is what makes two executions at the same instant safe: of the
 * payouts processed in a window, the one whose read started last saw all the others, since each
 * was created before its own read (docs/ai-agents.md).
 */
export class WindowBudget {
	private last?: WindowLedger;

	constructor(
		readonly kind: BudgetWindowKind,
		/** The tag value: which payouts share this budget. */
		readonly key: string,
		private readonly limits: Map<string, bigint>,
		private readonly testMode: boolean,
	) {}

	/** Tags the row's invoice as one of this budget's payouts; nothing a row sets can change it. */
	tag(payout: ValidPayout): void {
		const metadata = payout.extra.metadata;
		payout.extra = {
			...payout.extra,
			metadata: {
				...(metadata && typeof metadata === 'object' ? (metadata as IDataObject) : {}),
				[BUDGET_TAG]: this.key,
			},
		};
	}

	/**
	 * The rows that fit what the window has left (tagged, to be created) and those refused with
	 * nothing sent: over the budget, paid on create (Auto Process, which no check after the create
	 * could stop), or every row when the window's payouts cannot be read.
	 */
	async precheck(
		ctx: IExecuteFunctions,
		payouts: ValidPayout[],
		policy: RetryPolicy,
	): Promise<{ allowed: ValidPayout[]; stopped: RowProblem[] }> {
		const window = windowAt(this.kind, Math.floor(Date.now() / 1000));
		const stopped: RowProblem[] = [];
		const candidates = payouts.filter((payout) => {
			const options = payout.extra.options as IDataObject | undefined;
			if (options?.auto_process !== true) return true;
			stopped.push({
				itemIndex: payout.itemIndex,
				referenceId: payout.referenceId,
				field: 'auto_process',
				rule:
					'is not available with a Budget Window: an invoice that pays on create cannot be ' +
					'checked against the window; nothing was sent. Tell the user.',
				stage: 'safety_limit',
			});
			return false;
		});
		let ledger: WindowLedger;
		try {
			// Read even when no row is left to check: every answer tells the model what is left.
			ledger = await this.read(ctx, window, policy);
		} catch (error) {
			return {
				allowed: [],
				stopped: [
					...stopped,
					...candidates.map((payout) => ({
						itemIndex: payout.itemIndex,
						referenceId: payout.referenceId,
						field: 'budget',
						rule:
							`could not be checked: this tool could not read its budget for ` +
							`${windowName(window)} (${(error as Error).message}); nothing was sent, since ` +
							'it pays nothing it cannot count. Try again later, or tell the user.',
						stage: 'safety_limit' as const,
					})),
				],
			};
		}
		const checked = applySafetyLimits(candidates, this.limits, {
			spent: ledger.spent,
			counted: ledger.counted,
			scope: `for all calls in ${windowName(window)} together`,
		});
		for (const payout of checked.allowed) this.tag(payout);
		return { allowed: checked.allowed, stopped: [...stopped, ...checked.stopped] };
	}

	/**
	 * The gate before the one process request of an invoice in `created`: throws (the invoice stays
	 * in `created`, nothing is sent) unless this tool's payouts of the invoice's window, this one
	 * included, stay within the limit. The window is the one of the invoice's own `created` time:
	 * every decision uses the platform's clock. The invoice must be in the list with its tag: that
	 * proves the list is as new as this payout's create and that the tag is kept.
	 */
	async mayProcess(
		ctx: IExecuteFunctions,
		payout: ValidPayout,
		invoice: IDataObject,
		policy: RetryPolicy,
	): Promise<void> {
		const created = Number(attributesOf(invoice).created);
		const id = String(invoice.id);
		const refuse = (why: string, description: string) => {
			const error = new NodeOperationError(
				ctx.getNode(),
				`${rowName(payout.itemIndex, { referenceId: payout.referenceId })}: not paid: ${why}`,
				{ itemIndex: payout.itemIndex, description },
			);
			error.context.stage = 'budget_window';
			return error;
		};
		const stays =
			`Invoice ${id} stays in status "created" (nothing was processed) and counts against the ` +
			'budget until its window ends.';
		if (tagOf(invoice) !== this.key) {
			throw refuse(
				`invoice ${id} under this reference ID is not one of this tool's budgeted payouts ` +
					'(it was created without its budget tag), so this tool does not process it. Use a new ' +
					'reference ID, or tell the user.',
				'A windowed budget counts only invoices that carry its tag: processing this one would ' +
					'pay outside the budget.',
			);
		}
		if (!Number.isFinite(created)) {
			throw refuse(
				`invoice ${id} has no readable creation time, so its budget window is unknown. ${stays}`,
				'The platform sent the invoice without a numeric "created" time.',
			);
		}
		const window = windowAt(this.kind, created);
		let ledger: WindowLedger | undefined;
		let why = '';
		for (let read = 1; read <= policy.settleReads; read++) {
			if (read > 1) await sleep(settleDelayMs(read - 1, policy));
			try {
				ledger = await this.read(ctx, window, policy);
			} catch (error) {
				ledger = undefined;
				why = (error as Error).message;
				continue;
			}
			if (ledger.ids.has(id)) break;
			why = `the invoice list does not show invoice ${id} with its budget tag yet`;
			ledger = undefined;
		}
		if (!ledger) {
			throw refuse(
				`this tool could not read its budget for ${windowName(window)} (${why}). ${stays} ` +
					'Call again later with the same reference ID, or tell the user.',
				'A windowed budget pays nothing it cannot count: an unreadable or incomplete invoice ' +
					'list stops the payout before the process request.',
			);
		}
		this.last = ledger;
		const limit = this.limits.get(payout.currency) ?? 0n;
		const total = ledger.spent.get(payout.currency) ?? 0n;
		if (total > limit) {
			const decimals = minorUnitsOf(payout.currency);
			throw refuse(
				`${payout.amountText} ${payout.currency} with this tool's other payouts of ` +
					`${windowName(window)} would come to ${formatMinor(total, decimals)} of ` +
					`${formatMinor(limit, decimals)} ${payout.currency} (another call was paying at the ` +
					`same time). ${stays} Tell the user.`,
				'Two calls at the same instant can both be refused when together they ask for more than ' +
					'is left: the budget never pays more than its limit (docs/ai-agents.md).',
			);
		}
	}

	/**
	 * What is left per limited currency after the last read, as text, never below zero; the lower of
	 * that and `execution` (what this execution's own budget says is left: it also keeps payouts whose
	 * outcome is unknown, which no list may show yet).
	 */
	left(execution: Record<string, string>): Record<string, string> {
		return Object.fromEntries(
			[...this.limits].map(([currency, limit]) => {
				const spent = this.last?.spent.get(currency) ?? 0n;
				const windowLeft = limit > spent ? limit - spent : 0n;
				const executionLeft = limitToMinor(execution[currency], currency) ?? windowLeft;
				const left = executionLeft < windowLeft ? executionLeft : windowLeft;
				return [currency, formatMinor(left, minorUnitsOf(currency))];
			}),
		);
	}

	/** The window of the last read, for the model: which window and when it ends. */
	describe(): IDataObject | undefined {
		const window = this.last?.window;
		return window && { window: window.kind, from: iso(window.start), until: iso(window.end) };
	}

	/**
	 * Every payout of this budget in the window, from the platform's invoice list. Throws when the
	 * list cannot be read in full, or a payout of this budget in it has no readable amount or time.
	 */
	private async read(
		ctx: IExecuteFunctions,
		window: BudgetWindow,
		policy: RetryPolicy,
	): Promise<WindowLedger> {
		const invoices = await invoicesSince(ctx, window.start, {
			slackSeconds: WINDOW_SLACK_SECONDS,
			max: MAX_LEDGER_INVOICES,
			policy,
		});
		const ledger: WindowLedger = { window, ids: new Set(), spent: new Map(), counted: new Map() };
		for (const invoice of invoices) {
			if (tagOf(invoice) !== this.key) continue;
			const attributes = attributesOf(invoice);
			const created = createdOf(invoice);
			const currency = String(attributes.currency);
			const minor = limitToMinor(attributes.amount, currency);
			if (!Number.isFinite(created) || minor === undefined) {
				throw new Error(`invoice ${String(invoice.id)} has no readable amount or creation time`);
			}
			// The other mode's payouts are not this budget's: test payouts never move money.
			if (attributes.test_mode === !this.testMode) continue;
			if (created < window.start || created >= window.end) continue;
			ledger.ids.add(String(invoice.id));
			if (NOTHING_PAID.includes(String(attributes.status))) continue;
			ledger.spent.set(currency, (ledger.spent.get(currency) ?? 0n) + minor);
			ledger.counted.set(String(attributes.reference_id), { currency, minor });
		}
		this.last = ledger;
		return ledger;
	}
}
