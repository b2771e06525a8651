import type { INodeProperties } from 'n8n-workflow';

/** Output shape switch shared by every read operation. */
export const includeRawOption: INodeProperties = {
	displayName: 'Include Raw Response',
	name: 'includeRaw',
	type: 'boolean',
	default: false,
	description:
		'Whether to add the API’s original response under "raw" next to the simplified fields',
};

/**
 * Simplify, as n8n's own nodes have it: a short output by default, the whole invoice one switch
 * away.
 */
export const simplifyOption: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description:
		'Whether to return only the fields a workflow usually maps next (ID, reference ID, status, ' +
		'resolution, final or not, amount, currency, test mode and what happened in this run) ' +
		'instead of the whole invoice',
};

/** The Options collection of the read operations: only the raw-response switch. */
export const rawOnlyOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [includeRawOption],
};

/** Return All / Limit, as every n8n "Get Many" has them. */
export const returnAllAndLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

/** How hard each request is tried: shared by every operation that moves money. */
export const requestOptions: INodeProperties[] = [
	{
		displayName: 'Max Attempts',
		name: 'maxAttempts',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10 },
		default: 4,
		description:
			'How many times one request is tried on a timeout, a dropped connection, a 5xx or a 429. ' +
			'Before a payout request is repeated the node looks the payout up by reference ID, so a ' +
			'retry never pays twice.',
	},
	{
		displayName: 'Request Timeout (Seconds)',
		name: 'requestTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 30,
		description:
			'How long to wait for one answer from PaymentsTrust before treating the request as failed',
	},
];

export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 50 },
	default: 5,
	description:
		'How many rows are sent at the same time. Output order always matches the input rows. Raise ' +
		'it for large sheets if your PaymentsTrust account allows the request rate.',
};

export const waitOptions: INodeProperties[] = [
	{
		displayName: 'Wait for Final Status',
		name: 'waitForFinalStatus',
		type: 'boolean',
		default: false,
		description:
			'Whether to poll each invoice until it reaches a final status (processed, process_failed, ' +
			'…) so the output tells each row’s outcome',
	},
	{
		displayName: 'Max Wait (Seconds)',
		name: 'maxWaitSeconds',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 120,
		description:
			'Longest time to wait for one invoice; an invoice still pending then is output with ' +
			'"waitTimedOut": true',
		displayOptions: { show: { waitForFinalStatus: [true] } },
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollIntervalSeconds',
		type: 'number',
		typeOptions: { minValue: 0.05, numberPrecision: 2 },
		default: 2,
		description: 'Time between two status checks of one invoice',
		displayOptions: { show: { waitForFinalStatus: [true] } },
	},
];
