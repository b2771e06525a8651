import type { IDataObject } from 'n8n-workflow';

import { rowName } from '../helpers/items';
import type { Payee } from './payee';

/** One input row as a payout: what the user asked to pay, before any check. */
export interface PayoutRequest {
	itemIndex: number;
	/** The row's number in the sheet, when the run was told (Row Number Column); else its place. */
	row?: number;
	referenceId: string;
	service: string;
	currency: string;
	amount: unknown;
	fields: IDataObject;
	/** Fields were taken from every column of the row; only those the service declares are sent. */
	fieldsAutoMapped?: boolean;
	/** Why the reference ID as given cannot be one (a list, an object, a number that lost digits). */
	referenceIdRule?: string;
	/** Why the row's parameters could not be read at all (a failing expression, bad JSON). */
	unreadable?: string;
	/**
	 * Everything else of the invoice body (callback URL, customer, metadata, options…), already
	 * shaped for the API.
	 */
	extra: IDataObject;
	/**
	 * A `test_mode` the row's extra fields JSON asked for; the run stops if it differs from the
	 * credential's Environment (a row never sets test or live: see OperationRun).
	 */
	requestedTestMode?: unknown;
}

/** A row that passed every check: amount normalised to exact text in the currency's minor units. */
export interface ValidPayout extends PayoutRequest {
	amountText: string;
	amountMinor: bigint;
	/** Who the row pays (payee.ts); undefined when the row carries no identifying recipient value. */
	payee?: Payee;
	/**
	 * Retry Failed Rows (payouts/attempts.ts): the attempt of the row this run sends or reports;
	 * `referenceId` is then the attempt's, the row's own is `attempt.original`.
	 */
	attempt?: AttemptPlan;
}

/** An earlier attempt of a row: it ended in a final status in which no money moved. */
export interface EarlierAttempt {
	attempt: number;
	referenceId: string;
	id: unknown;
	status: unknown;
	resolution: unknown;
}

/** A row's attempt in a run with Retry Failed Rows, as found on the platform before sending. */
export interface AttemptPlan {
	/** The row's own reference ID: attempt 1's, and what every later attempt is derived from. */
	original: string;
	/** The attempt this run is about: the one it creates, processes or reports. */
	number: number;
	maxAttemptsPerRow: number;
	/** Earlier attempts, oldest first. */
	earlier: EarlierAttempt[];
	/** The attempt's invoice when it already exists: the run sends no create for it. */
	found?: IDataObject;
	/**
	 * `create`: this run creates the attempt; `continue`: it is in `created` and is processed (once);
	 * `none`: nothing is sent for the row.
	 */
	action: 'create' | 'continue' | 'none';
}

/** Why a row was refused before any money moved. */
export interface RowProblem {
	itemIndex: number;
	/** The row's number in the sheet, when known (PayoutRequest.row). */
	row?: number;
	referenceId: string;
	field: string;
	rule: string;
	stage: 'validation' | 'safety_limit' | 'attempts';
	/**
	 * For a field that broke the service's rule: the rule's regular expression, kept out of the
	 * message.
	 */
	pattern?: string;
}

export function problemMessage(problem: RowProblem): string {
	const row = rowName(problem.itemIndex, { referenceId: problem.referenceId, row: problem.row });
	return `${row}: ${problem.field} ${problem.rule}`;
}
