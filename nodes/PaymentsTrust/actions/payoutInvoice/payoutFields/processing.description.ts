import type { INodeProperties } from 'n8n-workflow';

/**
 * How each payout is processed (Create and Process, and Validate for the approval code): a separate
 * Process request after the create, or in the create request itself (`options.auto_process`, an
 * invoice option the account must have agreed with PaymentsTrust:
 * docs/platform.md#invoice-options).
 */
export const PROCESSING_SEPARATE = 'separateRequest';
export const PROCESSING_AUTO = 'autoProcess';

export const processingProperty: INodeProperties = {
	displayName: 'Processing',
	name: 'processing',
	type: 'options',
	noDataExpression: true,
	// Workflows saved before this option existed keep the separate Process request.
	default: PROCESSING_SEPARATE,
	options: [
		{
			name: 'Separate Process Request',
			value: PROCESSING_SEPARATE,
			description:
				'Create the invoice, then send a Process request for it: two requests per row, works on ' +
				'every account',
		},
		{
			name: 'In the Create Request (Auto Process)',
			value: PROCESSING_AUTO,
			description:
				'The platform processes each invoice as it creates it: one request per row, about half ' +
				'the time for a sheet. Your account must have the auto_process option.',
		},
	],
	description:
		'How each payout is processed once its invoice is created. On Validate, set it as the Create ' +
		'and Process step has it: the approval code covers it.',
};
