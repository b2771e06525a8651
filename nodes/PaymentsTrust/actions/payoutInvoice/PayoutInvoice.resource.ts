import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as createAndProcess from './createAndProcess.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as processOperation from './process.operation';
import * as reconcile from './reconcile.operation';
import * as validate from './validate.operation';
import type { Operation } from '../operation';
import { payoutFields } from './payoutFields/payoutFields';

export { create, createAndProcess, get, getMany, processOperation, reconcile, validate };

/** The router's table of this resource: one entry per value of the Operation dropdown below. */
export const operations = {
	create,
	createAndProcess,
	get,
	getMany,
	process: processOperation,
	reconcile,
	validate,
} satisfies Record<string, Operation>;

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['payoutInvoice'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Create a payout invoice per row (money moves only when processed)',
				action: 'Create a payout invoice',
			},
			{
				name: 'Create and Process',
				value: 'createAndProcess',
				description: 'Create and pay a payout per row, exactly once per reference ID',
				action: 'Create and process a payout',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a payout invoice by its PaymentsTrust ID',
				action: 'Get a payout invoice',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List payout invoices, newest first',
				action: 'Get many payout invoices',
			},
			{
				name: 'Process',
				value: 'process',
				description: 'Pay an invoice that is in status "created"',
				action: 'Process a payout invoice',
			},
			{
				name: 'Reconcile',
				value: 'reconcile',
				description:
					'Check each row of a sheet against the platform by reference ID: found or missing, ' +
					'status, mismatches, totals; sends nothing',
				action: 'Reconcile payouts with a sheet',
			},
			{
				name: 'Validate',
				value: 'validate',
				description: 'Dry run: check every row as Create would, send nothing',
				action: 'Validate payouts without sending',
			},
		],
		// A new node opens on the dry run: nothing is paid until someone picks an operation that moves
		// money.
		default: 'validate',
	},
	{
		displayName:
			'Used by an AI agent, this operation runs only when Options → Run Safety Limits caps what ' +
			'one call may pay. The amount and reference ID the agent gives are checked like any row.',
		name: 'toolSafetyNotice',
		type: 'notice',
		default: '',
		displayOptions: {
			show: {
				'@tool': [true],
				resource: ['payoutInvoice'],
				operation: ['create', 'createAndProcess'],
			},
		},
	},
	{
		displayName: 'Budget Window',
		name: 'budgetWindow',
		type: 'options',
		// Sorted by name, as n8n's guidelines ask.
		options: [
			{
				name: 'Day (UTC)',
				value: 'day',
				description: 'The limits bound every payout of this tool in one UTC day',
			},
			{
				name: 'Hour (UTC)',
				value: 'hour',
				description: 'The limits bound every payout of this tool in one clock hour',
			},
			{
				name: 'This Execution',
				value: 'execution',
				description:
					'The limits bound the calls of one execution (one agent run); the next starts again',
			},
			{
				name: 'Week (UTC, From Monday)',
				value: 'week',
				description: 'The limits bound every payout of this tool from Monday 00:00 UTC on',
			},
		],
		default: 'execution',
		description:
			'How long the Run Safety Limits last. With a window they hold across executions and ' +
			'queue-mode workers: every payout is tagged and the window is counted from the invoices on ' +
			'PaymentsTrust before the create and again before the process request.',
		displayOptions: {
			show: { '@tool': [true], resource: ['payoutInvoice'], operation: ['createAndProcess'] },
		},
	},
	{
		displayName:
			'Process is not available to AI agents: use Create and Process with a Run Safety Limit ' +
			'instead',
		name: 'toolProcessNotice',
		type: 'notice',
		default: '',
		displayOptions: {
			show: { '@tool': [true], resource: ['payoutInvoice'], operation: ['process'] },
		},
	},
	...payoutFields([create.fields, createAndProcess.fields, validate.fields]),
	...processOperation.description,
	...get.description,
	...getMany.description,
	...reconcile.description,
];
