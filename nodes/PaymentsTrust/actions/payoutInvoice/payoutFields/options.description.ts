import type { INodeProperties } from 'n8n-workflow';

import {
	concurrencyOption,
	includeRawOption,
	requestOptions,
	waitOptions,
} from '../../common.description';
import { maxAttemptsPerRowOption, retryFailedRowsOption } from './retryOptions.description';

/**
 * The options block of the payout operations: the Options collection. Some of its options mean
 * something for some operations only (an approval for the operations that pay, waiting for the
 * final status for the one that processes): each is shown for the operations given.
 */
export interface PayoutOptionsFor {
	/** The operations that take an Approved Code. */
	approvedCode: string[];
	/** The operations that may wait for each row's final status. */
	waitForFinalStatus: string[];
	/** The operations that retry failed rows as linked attempts (and Validate, which previews it). */
	retryFailedRows: string[];
}

const showFor = (operations: string[], option: INodeProperties): INodeProperties => ({
	...option,
	displayOptions: {
		...option.displayOptions,
		show: { ...option.displayOptions?.show, '/operation': operations },
	},
});

const approvedCodeOption: INodeProperties = {
	displayName: 'Approved Code',
	name: 'approvedCode',
	type: 'string',
	default: '',
	placeholder: "e.g. {{ $('Validate').first().json.summary.approval }}",
	description:
		'Pay only what a person approved: the approval code from the Validate operation’s ' +
		'summary (PTA1-…), or better its approval object through an expression (then a mismatch ' +
		'names the rows that differ). Before anything is sent the node computes the code of its ' +
		'own rows; if it differs, the whole run stops with nothing sent, even with Continue On ' +
		'Fail.',
};

/** What Approved Code is checked against: the whole run, or a part of it (approvalPart.ts). */
const approvalScopeOption: INodeProperties = {
	displayName: 'Approved Code Scope',
	name: 'approvalScope',
	type: 'options',
	default: 'run',
	options: [
		{
			name: 'A Part of the Approved Run (Chunk)',
			value: 'part',
			description:
				'Every row of this run must be an approved row, unchanged; approved rows not in this run ' +
				'are fine. For a chunk of a sheet paid by several executions. Needs the approval object, ' +
				'not the code alone.',
		},
		{
			name: 'This Run Exactly',
			value: 'run',
			description: 'The rows of this run must be exactly the approved rows, no more, no fewer',
		},
	],
	description:
		'What Approved Code is checked against. Either way a row that is not approved, or changed ' +
		'since, stops the whole run with nothing sent.',
};

const safetyLimitsOption: INodeProperties = {
	displayName: 'Run Safety Limits',
	name: 'safetyLimits',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	default: {},
	placeholder: 'Add limit',
	description:
		'The most one run may pay out per currency. Rows are added up in sheet order; the row ' +
		'that would cross a limit and every row after it are not sent.',
	options: [
		{
			displayName: 'Limit',
			name: 'limit',
			values: [
				{ displayName: 'Currency', name: 'currency', type: 'string', default: 'USD' },
				{
					displayName: 'Max Total',
					name: 'maxTotal',
					type: 'string',
					default: '',
					placeholder: 'e.g. 10000.00',
				},
			],
		},
	],
};

/** One payee in several rows of a run (payouts/payee.ts). */
const allowSamePayeeOption: INodeProperties = {
	displayName: 'Allow Same Payee in Several Rows',
	name: 'allowSamePayee',
	type: 'boolean',
	default: false,
	description:
		'Whether one payee (the same service and recipient details, under different reference ' +
		'IDs) may be paid in more than one row of a run. Off: such a run stops before anything is ' +
		'sent, naming the rows. Validate lists every such payee in its summary; an approval covers ' +
		'this choice.',
};

/** A cap per payee (payouts/payeeLimits.ts), in the style of the run's safety limits. */
const payeeLimitsOption: INodeProperties = {
	displayName: 'Run Safety Limits per Payee',
	name: 'payeeLimits',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	default: {},
	placeholder: 'Add limit',
	description:
		'The most one run may pay one payee (same service and recipient details) per currency. ' +
		'Rows are added up in sheet order; the row that would take its payee over the limit and ' +
		'every later row of that payee are not sent.',
	options: [
		{
			displayName: 'Limit',
			name: 'limit',
			values: [
				{ displayName: 'Currency', name: 'currency', type: 'string', default: 'USD' },
				{
					displayName: 'Max Per Payee',
					name: 'maxPerPayee',
					type: 'string',
					default: '',
					placeholder: 'e.g. 2500.00',
				},
			],
		},
	],
};

export function payoutOptionsProperty(shown: PayoutOptionsFor): INodeProperties {
	// Waiting for the final status only means something when the row is paid (Create and Process).
	const [waitForFinalStatus, maxWait, pollInterval] = waitOptions.map((option) =>
		showFor(shown.waitForFinalStatus, option),
	);
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		// Sorted by display name, as n8n's guidelines ask.
		options: [
			allowSamePayeeOption,
			showFor(shown.approvedCode, approvedCodeOption),
			showFor(shown.approvedCode, approvalScopeOption),
			concurrencyOption,
			includeRawOption,
			requestOptions[0],
			showFor(shown.retryFailedRows, maxAttemptsPerRowOption),
			maxWait,
			pollInterval,
			requestOptions[1],
			showFor(shown.retryFailedRows, retryFailedRowsOption),
			safetyLimitsOption,
			payeeLimitsOption,
			waitForFinalStatus,
		],
	};
}
