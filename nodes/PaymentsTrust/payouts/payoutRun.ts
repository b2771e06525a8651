import type { IDataObject } from 'n8n-workflow';

import type { RetryPolicy } from '../transport/retryPolicy';
import type { AgentBudget } from './agentBudget';
import type { ApprovalScope, ApprovedCode } from './approvalCode';
import type { ApprovalCoverage } from './approvalPart';
import type { WindowBudget } from './budgetWindow';
import type { WaitOptions } from './waitForFinal';

/**
 * What a payout run is given and what it keeps per row: shared by runPayouts, payOne and
 * settleUnknown, which import it and never each other's types (no circle).
 */

export type PayoutMode = 'validate' | 'create' | 'createAndProcess';

export interface PayoutRunOptions {
	mode: PayoutMode;
	/**
	 * The credential's Environment as `test_mode` (OperationRun): sent with every invoice, shown on
	 * every validated row.
	 */
	testMode: boolean;
	concurrency: number;
	policy: RetryPolicy;
	/** Poll each paid row until its status is final (Create and Process only). */
	wait?: WaitOptions;
	/** Most a run may pay out, per currency, in minor units. */
	safetyLimits: Map<string, bigint>;
	/** Most a run may pay one payee, per currency, in minor units (payeeLimits.ts). */
	payeeLimits: Map<string, bigint>;
	/** One payee may be paid in several rows of the run (payee.ts); off, a paying run stops. */
	allowSamePayee: boolean;
	/**
	 * As an AI agent tool: the budget all calls of this node share in this execution (the limits bound
	 * it).
	 */
	budget?: AgentBudget;
	/**
	 * As an AI agent tool with a Budget Window: the limits bound every payout of this tool in that
	 * window, across executions, read from the platform's invoices (checked before the create and
	 * again before the process request).
	 */
	windowBudget?: WindowBudget;
	includeRaw: boolean;
	/**
	 * What approval codes are bound to (the credential), the code this run must match (pay
	 * operations), and whether this run is that approved run or a part of it (a chunk).
	 */
	approval: { scope: ApprovalScope; approved?: ApprovedCode; coverage?: ApprovalCoverage };
	/**
	 * Retry Failed Rows (Create and Process, Validate): a row not paid is paid again as its next
	 * attempt, up to this many attempts per row (payouts/attempts.ts).
	 */
	retry?: { maxAttemptsPerRow: number };
}

/**
 * How far one row got in this run, kept when it fails: the end-of-run settling (settleUnknown.ts)
 * needs to know whether an invoice was seen and whether a process request may have gone out before
 * the outcome became unknown.
 */
export interface RowProgress {
	/** The invoice this run created or found under the row's reference ID. */
	invoiceSeen?: IDataObject;
	/** A process request for the invoice may have reached the platform in this run. */
	processAttempted: boolean;
}

export function newRowProgress(): RowProgress {
	return { processAttempted: false };
}
