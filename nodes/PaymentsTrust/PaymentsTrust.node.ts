import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { description } from './actions/node.description';
import { router } from './actions/router';
import { getServices } from './methods/loadOptions';
import { getServiceFields } from './methods/resourceMapping';

export class PaymentsTrust implements INodeType {
	description: INodeTypeDescription = description;

	methods = {
		loadOptions: { getServices },
		resourceMapping: { getServiceFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
