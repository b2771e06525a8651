import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as payoutInvoice from './actions/payoutInvoice/PayoutInvoice.resource';
import * as payoutService from './actions/payoutService/PayoutService.resource';
import * as prerequest from './actions/prerequest/Prerequest.resource';
import { router } from './actions/router';
import { subtitleFor } from './actions/subtitle';
import { searchInvoices, searchServices } from './methods/listSearch';
import { getServiceFields } from './methods/resourceMapping';

/** What an AI agent is told about this node; the guardrail is part of it (actions/toolGuard.ts). */
export const TOOL_DESCRIPTION =
	'Pay out money through PaymentsTrust, or look up payout invoices and services. Payouts have ' +
	'a budget: Create and Create and Process run only when this node has a Run Safety Limit, ' +
	'which caps the total of all calls in this run per currency (or of all runs in a time window, ' +
	'then named in each answer as budgetWindow); any other currency is refused, and every answer ' +
	'says what is left (budgetLeft). Process is not available to agents. Every ' +
	'amount (a plain decimal such as 100.55) and reference ID (your unique ID of the payout; the ' +
	'same one is never paid twice, so after an unclear answer call again with the same reference ' +
	'ID) is checked before anything is sent.';

const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Payout Invoice',
			value: 'payoutInvoice',
			description: 'A payout to one recipient',
		},
		{
			name: 'Payout Service',
			value: 'payoutService',
			description: 'A way to pay out (card, bank transfer, …) enabled for the account',
		},
		{
			name: 'Pre-Request',
			value: 'prerequest',
			description: 'Services available for a currency and amount',
		},
	],
	default: 'payoutInvoice',
};

const properties: INodeProperties[] = [
	resourceProperty,
	// Our own tool description (n8n adds its generic one only when a node has none): an agent must
	// know that payouts are capped before it plans a call.
	{
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 3 },
		default: TOOL_DESCRIPTION,
		description: 'What the AI agent is told this tool does',
		displayOptions: { show: { '@tool': [true] } },
	},
	...payoutInvoice.description,
	...payoutService.description,
	...prerequest.description,
];

export class PaymentsTrust implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PaymentsTrust',
		name: 'paymentsTrust',
		icon: { light: 'file:paymentstrust.svg', dark: 'file:paymentstrust.dark.svg' },
		group: ['transform'],
		version: 1,
		// "Get Many: Payout Invoice", not "getMany: payoutInvoice", for every operation there is.
		subtitle: subtitleFor(resourceProperty, properties),
		description:
			'Send payouts through PaymentsTrust: list payout services, find services for an amount, ' +
			'and create, process and look up payout invoices, never paying a reference ID twice',
		defaults: { name: 'PaymentsTrust' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'paymentsTrustApi', required: true }],
		properties,
	};

	methods = {
		listSearch: { searchInvoices, searchServices },
		resourceMapping: { getServiceFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
