import type { INodeProperties } from 'n8n-workflow';

import * as getServices from './getServices.operation';

import type { Operation } from '../operation';

export { getServices };

/** The router's table of this resource: one entry per value of the Operation dropdown below. */
export const operations = { getServices } satisfies Record<string, Operation>;

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['prerequest'] } },
		options: [
			{
				name: 'Get Available Services',
				value: 'getServices',
				description:
					'Which services can pay a given amount in a given currency, with their fields, limits ' +
					'and exchange rate',
				action: 'Get available services for an amount',
			},
		],
		default: 'getServices',
	},
	...getServices.description,
];
