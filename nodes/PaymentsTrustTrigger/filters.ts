import { isFinalStatus, STATUS_OPTIONS } from '../shared/invoice';

export type TriggerOn = 'anyStatus' | 'finalStatuses' | 'selectedStatuses';
export type ModeFilter = 'any' | 'test' | 'live';

/** The statuses as options (shared with the action node's status filter). */
export { STATUS_OPTIONS };

/**
 * Whether a callback with this status passes the "Trigger On" choice; no selected status means any.
 */
export function statusMatches(status: string, triggerOn: TriggerOn, selected: string[]): boolean {
	if (triggerOn === 'finalStatuses') return isFinalStatus(status);
	if (triggerOn === 'selectedStatuses') return selected.length === 0 || selected.includes(status);
	return true;
}

/**
 * Whether a callback passes the Mode option; an invoice that does not say its mode passes only
 * "any".
 */
export function modeMatches(testMode: boolean | null, mode: ModeFilter): boolean {
	if (mode === 'test') return testMode === true;
	if (mode === 'live') return testMode === false;
	return true;
}
