/**
 * The chunked pattern for large sheets in queue mode (docs/queue-mode.md), as two workflows:
 *
 *   "Pay a sheet in chunks" (parent): read the CSV, cut it into chunks of CHUNK_SIZE rows, POST each chunk to
 *   the "Pay a chunk" webhook (all at once; the queue and the workers' --concurrency decide how many run).
 *   "Pay a chunk": Webhook → one item per row → the PaymentsTrust node exactly as in
 *   examples/bulk-payouts.workflow.json → the outcomes (plus the process that ran it) as the webhook's answer.
 *
 * Every chunk is an execution of its own, queued in Redis, so any worker can take it; an Execute Workflow
 * sub-workflow would run on its parent's worker instead. The payout node is copied from the bulk example so
 * the two never drift apart.
 */
import path from 'node:path';

import {
	CREDENTIAL_ID,
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	loadWorkflow,
	payoutNodes,
	WorkflowJson,
	WorkflowNode,
} from './workflows';

export const CHUNK_SIZE = 100;
/** The env var each n8n process of the suite carries (main, worker-1, worker-2, webhook-1, ...). */
export const PROCESS_TAG_ENV = 'PT_E2E_PROCESS';

const node = (
	name: string,
	type: string,
	typeVersion: number,
	parameters: Record<string, unknown>,
	x: number,
): WorkflowNode & {
	position: number[];
} => ({
	id: `e2e-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
	name,
	type,
	typeVersion,
	parameters,
	position: [x, 0],
});

const chain = (...names: string[]): Record<string, unknown> =>
	Object.fromEntries(
		names
			.slice(0, -1)
			.map((from, i) => [from, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
	);

/** The bulk example's "Pay each row" node, credential set to the suite's, and optionally a callback URL. */
export function examplePayoutNode(root: string, callbackUrl?: string): WorkflowNode {
	const example = loadWorkflow(path.join(root, 'examples', 'bulk-payouts.workflow.json'));
	const [payout] = payoutNodes(example);
	if (!payout) throw new Error('examples/bulk-payouts.workflow.json has no PaymentsTrust node');
	const copy = JSON.parse(JSON.stringify(payout)) as WorkflowNode;
	copy.credentials = { [CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
	if (callbackUrl) {
		const additional = (copy.parameters.additionalFields ?? {}) as Record<string, unknown>;
		copy.parameters.additionalFields = { ...additional, callbackUrl };
	}
	return copy;
}

/**
 * `answer`: 'outcomes' (default) answers with every row's outcome and the process that ran it; 'nothing'
 * answers an empty 200 when the chunk is done (the bench: no 10,000-item answers to carry around).
 */
export function payChunkWorkflow(opts: {
	id: string;
	name: string;
	webhookId: string;
	path: string;
	payout: WorkflowNode;
	answer?: 'outcomes' | 'nothing';
}): WorkflowJson {
	const payout = { ...opts.payout, position: [440, 0] };
	const outcomes = opts.answer !== 'nothing';
	return {
		id: opts.id,
		name: opts.name,
		active: false,
		nodes: [
			{
				...node(
					'Chunk received',
					'n8n-nodes-base.webhook',
					2,
					{
						httpMethod: 'POST',
						path: opts.path,
						// The answer is the outcome of every row of the chunk, sent when the last node has run.
						responseMode: 'lastNode',
						responseData: outcomes ? 'allEntries' : 'noData',
						options: {},
					},
					0,
				),
				webhookId: opts.webhookId,
			},
			node(
				'One item per row',
				'n8n-nodes-base.splitOut',
				1,
				{ fieldToSplitOut: 'body.rows', include: 'noOtherFields', options: {} },
				220,
			),
			payout,
			...(outcomes
				? [
						node(
							'Outcome',
							'n8n-nodes-base.set',
							3.4,
							{
								mode: 'manual',
								// What a parent needs per row, not the whole invoice: keeps the answers of big sheets small.
								includeOtherFields: true,
								include: 'selected',
								includeFields:
									'referenceId, status, id, error, stage, alreadyExisted, foundAfterError',
								assignments: {
									assignments: [
										{
											id: 'e2e-outcome-process',
											name: 'process',
											value: `={{ $env.${PROCESS_TAG_ENV} }}`,
											type: 'string',
										},
										{
											id: 'e2e-outcome-chunk',
											name: 'chunk',
											value: "={{ $('Chunk received').first().json.body.chunk }}",
											type: 'number',
										},
										{
											id: 'e2e-outcome-execution',
											name: 'executionId',
											value: '={{ $execution.id }}',
											type: 'string',
										},
									],
								},
								options: {},
							},
							660,
						),
					]
				: []),
		],
		connections: chain(
			'Chunk received',
			'One item per row',
			payout.name,
			...(outcomes ? ['Outcome'] : []),
		),
		settings: { executionOrder: 'v1' },
	};
}

/**
 * The parent. `chunkUrls`: where to POST chunks; chunk k goes to chunkUrls[k % n] (in production one URL, the
 * load balancer in front of the webhook processes; the suite plays that load balancer itself).
 */
export function paySheetWorkflow(opts: {
	id: string;
	sheetFile: string;
	chunkUrls: string[];
	chunkSize?: number;
	/** Where a last step POSTs every chunk's answer (the suite reads them there). */
	reportUrl?: string;
}): WorkflowJson {
	const size = opts.chunkSize ?? CHUNK_SIZE;
	const chunkCode = [
		`const size = ${size};`,
		'const rows = $input.all().map((item) => item.json);',
		'const chunks = [];',
		'for (let i = 0; i < rows.length; i += size) {',
		'  chunks.push({ json: { chunk: chunks.length + 1, firstRow: i + 1, rows: rows.slice(i, i + size) } });',
		'}',
		'return chunks;',
	].join('\n');
	return {
		id: opts.id,
		name: 'Pay a sheet in chunks',
		active: false,
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}, 0),
			node(
				'Read sheet',
				'n8n-nodes-base.readWriteFile',
				1,
				{ operation: 'read', fileSelector: opts.sheetFile, options: {} },
				220,
			),
			node(
				'Parse CSV',
				'n8n-nodes-base.extractFromFile',
				1,
				{ operation: 'csv', binaryPropertyName: 'data', options: { headerRow: true } },
				440,
			),
			node(`Chunks of ${size} rows`, 'n8n-nodes-base.code', 2, { jsCode: chunkCode }, 660),
			{
				...node(
					'Pay each chunk',
					'n8n-nodes-base.httpRequest',
					4.2,
					{
						method: 'POST',
						url: `={{ ${JSON.stringify(opts.chunkUrls)}[$json.chunk % ${opts.chunkUrls.length}] }}`,
						sendBody: true,
						specifyBody: 'json',
						jsonBody:
							'={{ JSON.stringify({ chunk: $json.chunk, firstRow: $json.firstRow, rows: $json.rows }) }}',
						options: {
							// A chunk waits in the queue until a worker is free, then pays its rows: give it time.
							timeout: 600_000,
							response: {
								response: { fullResponse: true, neverError: true, responseFormat: 'json' },
							},
						},
					},
					880,
				),
				onError: 'continueRegularOutput',
			} as WorkflowNode,
			...(opts.reportUrl
				? [
						{
							...node(
								'Report to the suite',
								'n8n-nodes-base.httpRequest',
								4.2,
								{
									method: 'POST',
									url: opts.reportUrl,
									sendBody: true,
									specifyBody: 'json',
									jsonBody:
										"={{ JSON.stringify($('Pay each chunk').all().map((item) => item.json)) }}",
									options: {},
								},
								1100,
							),
							executeOnce: true,
						} as WorkflowNode,
					]
				: []),
		],
		connections: chain(
			'Start',
			'Read sheet',
			'Parse CSV',
			`Chunks of ${size} rows`,
			'Pay each chunk',
			...(opts.reportUrl ? ['Report to the suite'] : []),
		),
		settings: { executionOrder: 'v1' },
	};
}

export interface SheetRow {
	reference_id: string;
	service: string;
	currency: string;
	amount: string;
	account: string;
	test_details_payout_status: string;
	note: string;
}

/** A sheet of `rows` payouts; every 25th is refused by the bank, every 97th has an invalid amount. */
export function sheetCsv(
	prefix: string,
	rows: number,
): { csv: string; references: string[]; invalid: Set<string> } {
	const header = [
		'reference_id',
		'service',
		'currency',
		'amount',
		'account',
		'test_details_payout_status',
		'note',
	];
	const lines = [header.join(',')];
	const references: string[] = [];
	const invalid = new Set<string>();
	for (let i = 1; i <= rows; i++) {
		const ref = `${prefix}-${String(i).padStart(6, '0')}`;
		references.push(ref);
		const bad = i % 97 === 0;
		if (bad) invalid.add(ref);
		const amount = bad ? '-5' : (10 + (i % 300) + (i % 7) / 4).toFixed(2);
		const status = i % 25 === 0 ? 'process failed' : '';
		lines.push(
			[
				ref,
				'test_usd',
				'USD',
				amount,
				String(200000 + i),
				status,
				bad ? 'BAD: negative amount' : 'ok',
			].join(','),
		);
	}
	return { csv: `${lines.join('\n')}\n`, references, invalid };
}
