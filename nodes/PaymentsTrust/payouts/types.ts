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
}

/** Why a row was refused before any money moved. */
export interface RowProblem {
	itemIndex: number;
	/** The row's number in the sheet, when known (PayoutRequest.row). */
	row?: number;
	referenceId: string;
	field: string;
	rule: string;
	stage: 'validation' | 'safety_limit';
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
