import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getMany from './getMany.operation';

import type { Operation } from '../operation';

export { get, getMany };

/** The router's table of this resource: one entry per value of the Operation dropdown below. */
export const operations = { get, getMany } satisfies Record<string, Operation>;

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['payoutService'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: 'Get one payout service of the account by ID',
				action: 'Get a payout service',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List the payout services of the account with their limits and fees',
				action: 'Get many payout services',
			},
		],
		default: 'getMany',
	},
	...getMany.description,
	...get.description,
];
