/** What the "Pay each row" outputs say about each sheet row, as both scenarios count them. */
import { FINAL_STATUSES, PAID_STATUSES } from './callbacks';

export type RowClass = 'paid' | 'failed' | 'rejected' | 'pending';

export interface RowOutcome {
	row: number;
	/** The row's own reference ID (with Retry Failed Rows an item names it as `originalReferenceId`). */
	referenceId: string;
	/** The reference ID of the attempt the item is about (`<row>~n` for attempt n ≥ 2, docs/retries.md). */
	attemptReferenceId: string;
	/** This run sent the create of a new attempt (2 or more) of the row. */
	retried?: boolean;
	cls: RowClass;
	status?: string;
	invoiceId?: string;
	alreadyExisted?: boolean;
	error?: string;
}

/** What one output item of "Pay each row" says about its row. */
export function classify(json: Record<string, unknown>, fallbackRow: number): RowOutcome {
	const row = typeof json.row === 'number' ? json.row : fallbackRow;
	const attemptReferenceId = String(json.referenceId ?? json.reference_id ?? '');
	const referenceId = String(json.originalReferenceId ?? attemptReferenceId);
	const status = typeof json.status === 'string' ? json.status : undefined;
	const invoiceId = typeof json.id === 'string' ? json.id : undefined;
	const error =
		json.error === undefined
			? undefined
			: typeof json.error === 'string'
				? json.error
				: JSON.stringify(json.error);
	let cls: RowClass;
	if (json.stage === 'validation' || json.stage === 'safety_limit') cls = 'rejected';
	else if (error !== undefined) cls = 'failed';
	else if (status && PAID_STATUSES.has(status)) cls = 'paid';
	else if (status && FINAL_STATUSES.has(status)) cls = 'failed';
	else cls = 'pending';
	return {
		row,
		referenceId,
		attemptReferenceId,
		retried: json.retried === true ? true : undefined,
		cls,
		status,
		invoiceId,
		alreadyExisted: json.alreadyExisted as boolean | undefined,
		error,
	};
}

export function countBy(rows: RowOutcome[]): Record<RowClass, number> {
	const counts: Record<RowClass, number> = { paid: 0, failed: 0, rejected: 0, pending: 0 };
	for (const r of rows) counts[r.cls]++;
	return counts;
}
