import type { INodeProperties } from 'n8n-workflow';

/**
 * What an invoice ID looks like (`cpoi_` and letters or digits), for the By ID mode's check in the
 * editor.
 */
export const INVOICE_ID_REGEX = '^cpoi_[A-Za-z0-9]+$';

/**
 * The one way a payout invoice is picked: from a searchable list of recent invoices, by its ID, or
 * by the reference ID it was created with (there is no separate operation for the reference ID).
 */
export function invoiceLocator(description: string): INodeProperties {
	return {
		displayName: 'Payout Invoice',
		name: 'invoiceId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select an invoice…',
				typeOptions: { searchListMethod: 'searchInvoices', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. cpoi_VdHYVxq4RsLEebAQ',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: INVOICE_ID_REGEX,
							errorMessage: 'A payout invoice ID starts with cpoi_, e.g. cpoi_VdHYVxq4RsLEebAQ',
						},
					},
				],
			},
			{
				// Short: the editor's mode selector is as wide as "From List" and cuts longer names.
				displayName: 'By Ref ID',
				name: 'referenceId',
				type: 'string',
				placeholder: 'e.g. order-2024-0001',
			},
		],
	};
}

/**
 * The one way a payout service is picked, everywhere it is asked for: from a searchable list
 * (method, currencies and limits shown), by its code (`test_usd`) or by the account's service ID
 * (`comcpos_…`).
 */
export function serviceLocator(description: string, name = 'service'): INodeProperties {
	return {
		displayName: 'Payout Service',
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a payout service…',
				typeOptions: { searchListMethod: 'searchServices', searchable: true },
			},
			{
				displayName: 'By Code',
				name: 'code',
				type: 'string',
				placeholder: 'e.g. test_usd',
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. comcpos_RHUGUgEnmmedR7h3',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^comcpos_[A-Za-z0-9]+$',
							errorMessage: 'A payout service ID starts with comcpos_',
						},
					},
				],
			},
		],
	};
}
