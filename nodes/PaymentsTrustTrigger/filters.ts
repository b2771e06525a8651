import type { INodePropertyOptions } from 'n8n-workflow';

import { INVOICE_STATUSES, isFinalStatus } from '../PaymentsTrust/helpers/invoice';

export type TriggerOn = 'anyStatus' | 'finalStatuses' | 'selectedStatuses';
export type ModeFilter = 'any' | 'test' | 'live';

/** "process_pending" → "Process Pending". */
function humanize(status: string): string {
	return status
		.split('_')
		.map((word) => word.charAt(0).toUpperCase() + word.slice(1))
		.join(' ');
}

/** The statuses as multi-select options, sorted by name, final ones marked. */
export const STATUS_OPTIONS: INodePropertyOptions[] = INVOICE_STATUSES.map((status) => ({
	name: isFinalStatus(status) ? `${humanize(status)} (Final)` : humanize(status),
	value: status,
})).sort((a, b) => a.name.localeCompare(b.name));

/** Whether a callback with this status passes the "Trigger On" choice; no selected status means any. */
export function statusMatches(status: string, triggerOn: TriggerOn, selected: string[]): boolean {
	if (triggerOn === 'finalStatuses') return isFinalStatus(status);
	if (triggerOn === 'selectedStatuses') return selected.length === 0 || selected.includes(status);
	return true;
}

/** Whether a callback passes the Mode option; an invoice that does not say its mode passes only "any". */
export function modeMatches(testMode: boolean | null, mode: ModeFilter): boolean {
	if (mode === 'test') return testMode === true;
	if (mode === 'live') return testMode === false;
	return true;
}
