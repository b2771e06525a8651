import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../transport/retryPolicy';
import { DEFAULT_ATTEMPTS_PER_ROW, MOST_ATTEMPTS_PER_ROW } from '../payouts/attempts';
import type { WaitOptions } from '../payouts/waitForFinal';

interface NumberRange {
	label: string;
	min: number;
	max: number;
	whole: boolean;
}

/**
 * The documented range of every number a run takes. A value outside it (or not a number at all: an
 * expression that gave text, NaN, a list) stops the node before the first request: a setting that
 * silently did something else (NaN concurrency used to start no row at all) is worse than an error.
 */
export const RUN_OPTION_RANGES: Record<string, NumberRange> = {
	concurrency: { label: 'Concurrency', min: 1, max: 50, whole: true },
	maxAttempts: { label: 'Max Attempts', min: 1, max: 10, whole: true },
	maxAttemptsPerRow: {
		label: 'Max Attempts per Row',
		min: 2,
		max: MOST_ATTEMPTS_PER_ROW,
		whole: true,
	},
	requestTimeout: { label: 'Request Timeout (Seconds)', min: 1, max: 600, whole: false },
	maxWaitSeconds: { label: 'Max Wait (Seconds)', min: 1, max: 86_400, whole: false },
	pollIntervalSeconds: { label: 'Poll Interval (Seconds)', min: 0.05, max: 3_600, whole: false },
	missingAfterSeconds: { label: 'Missing After (Seconds)', min: 1, max: 600, whole: false },
};

function checkedNumber(ctx: IExecuteFunctions, name: string, value: unknown): number {
	const range = RUN_OPTION_RANGES[name];
	const number =
		typeof value === 'number'
			? value
			: typeof value === 'string' && value.trim() !== ''
				? Number(value)
				: NaN;
	if (
		Number.isFinite(number) &&
		number >= range.min &&
		number <= range.max &&
		(!range.whole || Number.isInteger(number))
	) {
		return number;
	}
	const shown = typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? String(value));
	throw new NodeOperationError(
		ctx.getNode(),
		`Option "${range.label}" must be ${range.whole ? 'a whole number' : 'a number'} from ` +
			`${range.min} to ${range.max}, not ${shown.slice(0, 60)}`,
		{ description: 'Nothing was sent: every run option is checked before the first request.' },
	);
}

/**
 * Node options are read from the first item: they configure the run, not a row. Every number among
 * them is checked against its range here, before anything is sent; the readers below then take the
 * values as they are.
 */
export function readOptions(ctx: IExecuteFunctions): IDataObject {
	const options = { ...(ctx.getNodeParameter('options', 0, {}) as IDataObject) };
	for (const name of Object.keys(RUN_OPTION_RANGES)) {
		if (options[name] !== undefined && options[name] !== null)
			options[name] = checkedNumber(ctx, name, options[name]);
	}
	return options;
}

export function retryPolicyFrom(options: IDataObject): RetryPolicy {
	return {
		...DEFAULT_RETRY_POLICY,
		maxAttempts: Number(options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts),
		timeoutMs: Number(options.requestTimeout ?? DEFAULT_RETRY_POLICY.timeoutMs / 1000) * 1000,
	};
}

export function concurrencyFrom(options: IDataObject): number {
	return Number(options.concurrency ?? 5);
}

export function waitOptionsFrom(options: IDataObject): WaitOptions | undefined {
	if (options.waitForFinalStatus !== true) return undefined;
	return {
		maxWaitMs: Number(options.maxWaitSeconds ?? 120) * 1000,
		pollIntervalMs: Number(options.pollIntervalSeconds ?? 2) * 1000,
	};
}

/**
 * Retry Failed Rows and Max Attempts per Row, or why they cannot apply: retrying needs the run to
 * process and follow each payout (Create and Process; Validate previews it), and Max Attempts per
 * Row alone would do nothing. Either stops the run before anything is sent.
 */
export function retryFrom(
	options: IDataObject,
	mode: string,
): { retry?: { maxAttemptsPerRow: number } } | { error: string } {
	const maxGiven = options.maxAttemptsPerRow !== undefined && options.maxAttemptsPerRow !== null;
	if (options.retryFailedRows !== true) {
		return maxGiven
			? {
					error:
						'Option "Max Attempts per Row" only takes effect with "Retry Failed Rows" on: turn ' +
						'Retry Failed Rows on, or remove Max Attempts per Row',
				}
			: {};
	}
	if (mode !== 'createAndProcess' && mode !== 'validate')
		return {
			error:
				'Option "Retry Failed Rows" works with Create and Process (and Validate), which process ' +
				'each payout and follow it to its end; Create only creates invoices',
		};
	return {
		retry: { maxAttemptsPerRow: Number(options.maxAttemptsPerRow ?? DEFAULT_ATTEMPTS_PER_ROW) },
	};
}
