/** What the "Pay each row" outputs say about each sheet row, as both scenarios count them. */
import { FINAL_STATUSES, PAID_STATUSES } from './callbacks';

export type RowClass = 'paid' | 'failed' | 'rejected' | 'pending';

export interface RowOutcome {
	row: number;
	referenceId: string;
	cls: RowClass;
	status?: string;
	invoiceId?: string;
	alreadyExisted?: boolean;
	error?: string;
}

/** What one output item of "Pay each row" says about its row. */
export function classify(json: Record<string, unknown>, fallbackRow: number): RowOutcome {
	const row = typeof json.row === 'number' ? json.row : fallbackRow;
	const referenceId = String(json.referenceId ?? json.reference_id ?? '');
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
