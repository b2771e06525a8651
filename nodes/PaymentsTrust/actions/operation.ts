import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Endpoints } from '../transport/endpoints';

/**
 * What the router settles once per run, before any operation sends anything: the credential's
 * endpoints, read once, with its keys checked against its Environment. `endpoints.testMode` is the
 * one test-or-live value of the run: every invoice created carries it as `test_mode`, and every
 * output item that has no mode of its own is stamped with it by the router.
 */
export interface OperationRun {
	endpoints: Endpoints;
}

/**
 * One operation of the node. It takes all items at once because the payout operations check every
 * row before the first one is sent, and send rows concurrently.
 */
export interface Operation {
	execute(
		this: IExecuteFunctions,
		items: INodeExecutionData[],
		run: OperationRun,
	): Promise<INodeExecutionData[]>;
}
