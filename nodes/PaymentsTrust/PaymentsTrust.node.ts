import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as payoutInvoice from './actions/payoutInvoice/PayoutInvoice.resource';
import * as payoutService from './actions/payoutService/PayoutService.resource';
import * as prerequest from './actions/prerequest/Prerequest.resource';
import { router } from './actions/router';
import { searchInvoices, searchServices } from './methods/listSearch';
import { getServices } from './methods/loadOptions';
import { getServiceFields } from './methods/resourceMapping';

export class PaymentsTrust implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PaymentsTrust',
		name: 'paymentsTrust',
		icon: { light: 'file:paymentstrust.svg', dark: 'file:paymentstrust.dark.svg' },
		group: ['transform'],
		version: 1,
		// "Get Many: Payout Invoice", not "getMany: payoutInvoice".
		subtitle:
			'={{ ({ create: "Create", createAndProcess: "Create and Process", get: "Get", getByReference: "Get by Reference ID", getMany: "Get Many", process: "Process", validate: "Validate", getServices: "Get Available Services" })[$parameter["operation"]] + ": " + ({ payoutInvoice: "Payout Invoice", payoutService: "Payout Service", prerequest: "Pre-Request" })[$parameter["resource"]] }}',
		description:
			'Send payouts through PaymentsTrust: list payout services, find services for an amount, and create, process and look up payout invoices, never paying a reference ID twice. As an AI tool, payouts run only with a Run Safety Limit.',
		defaults: { name: 'PaymentsTrust' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'paymentsTrustApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Payout Invoice', value: 'payoutInvoice', description: 'A payout to one recipient' },
					{ name: 'Payout Service', value: 'payoutService', description: 'A way to pay out (card, bank transfer, …) enabled for the account' },
					{ name: 'Pre-Request', value: 'prerequest', description: 'Services available for a currency and amount' },
				],
				default: 'payoutInvoice',
			},
			...payoutInvoice.description,
			...payoutService.description,
			...prerequest.description,
		],
	};

	methods = {
		listSearch: { searchInvoices, searchServices },
		loadOptions: { getServices },
		resourceMapping: { getServiceFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
