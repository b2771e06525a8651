import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_ATTEMPTS_PER_ROW } from '../../../payouts/attempts';

/**
 * Retry Failed Rows and Max Attempts per Row (docs/retries.md), in the Options collection of the
 * operations that process (Create and Process) and of Validate, which previews what it would send.
 */
export const retryFailedRowsOption: INodeProperties = {
	displayName: 'Retry Failed Rows',
	name: 'retryFailedRows',
	type: 'boolean',
	default: false,
	description:
		'Whether a row whose payout ended without paying (process_failed, expired, terminated, ' +
		'canceled) is paid again as its next attempt, reference ID "<row’s reference ID>~2", "~3"… ' +
		'Rows that paid, may have paid in part, or are still open are never retried; their item says ' +
		'why. One new attempt per row per run.',
};

export const maxAttemptsPerRowOption: INodeProperties = {
	displayName: 'Max Attempts per Row',
	name: 'maxAttemptsPerRow',
	type: 'number',
	typeOptions: { minValue: 2, maxValue: 10, numberPrecision: 0 },
	default: DEFAULT_ATTEMPTS_PER_ROW,
	description:
		'How many payouts (attempts) one row may have in all with Retry Failed Rows, the first ' +
		'included. Not Max Attempts, which is how often one request is tried.',
	displayOptions: { show: { retryFailedRows: [true] } },
};
