/**
 * Driving `examples/bulk-payouts-with-approval.workflow.json` through n8n's own HTTP endpoints, as its users do:
 * the caller POSTs to the production webhook (with the run starter's header), the approver's address receives the
 * form URL (here: an inbox on loopback standing in for Slack or e-mail), the approver opens and submits the form
 * with the approver's user and password. Shared by the approval and strangers parts.
 */
import http from 'node:http';

import type { PartContext } from '../parts/index';
import { APPROVAL_CALLER, basicAuthOf, headerOf } from './callerAuth';
import { freePort, waitFor } from './processes';
import type { WorkflowJson } from './workflows';

/** What "Send the approver the form" posts. */
export interface ApproverMessage {
	text: string;
	preview: string;
	approvalCode: string;
	approvalFormUrl: string;
}

/** The approver's address: every POST is kept, in order. */
export class ApproverInbox {
	readonly messages: ApproverMessage[] = [];

	private constructor(
		private readonly server: http.Server,
		readonly url: string,
	) {}

	static async start(): Promise<ApproverInbox> {
		const port = await freePort();
		let inbox: ApproverInbox | undefined;
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				try {
					inbox!.messages.push(
						JSON.parse(Buffer.concat(chunks).toString('utf8')) as ApproverMessage,
					);
					res.writeHead(200, { 'content-type': 'application/json' });
					res.end('{"ok":true}');
				} catch {
					res.writeHead(400);
					res.end();
				}
			});
		});
		await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
		inbox = new ApproverInbox(server, `http://127.0.0.1:${port}/approver`);
		return inbox;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

/** The example's HTTP Request that reaches the approver, pointed at `url` (what its note tells a user to set). */
export function sendApproverTo(workflow: WorkflowJson, url: string): void {
	const notify = workflow.nodes.find((n) => n.name === 'Send the approver the form');
	if (!notify) throw new Error(`${workflow.name} has no "Send the approver the form" node`);
	notify.parameters.url = url;
}

/** The production webhook of the example (its path as shipped, or a copy's). */
export function startUrl(ctx: PartContext, workflow: WorkflowJson): string {
	const webhook = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
	return `${ctx.inst.baseUrl}/webhook/${String(webhook?.parameters.path ?? '')}`;
}

export interface StartAnswer {
	status: number;
	text: string;
}

/** A POST to the run's webhook with `headers` (none: a stranger). */
export async function postStart(
	url: string,
	headers: Record<string, string>,
): Promise<StartAnswer> {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: '{}',
		signal: AbortSignal.timeout(60_000),
	});
	return { status: res.status, text: await res.text() };
}

export interface ApprovalRequest {
	/** What the caller got back. */
	answer: Record<string, unknown>;
	/** What the approver got. */
	message: ApproverMessage;
	formUrl: string;
	executionId: string;
}

/** Starts a run as the caller holding the run starter's secret; the approver's inbox gets the form URL. */
export async function startRun(
	ctx: PartContext,
	url: string,
	inbox: ApproverInbox,
): Promise<ApprovalRequest> {
	const before = inbox.messages.length;
	const answer = await waitFor(
		'the approval workflow to answer its webhook',
		async () => {
			const res = await postStart(url, headerOf(APPROVAL_CALLER));
			// 404 until the activated workflow's webhook is registered.
			if (res.status === 404) return undefined;
			if (res.status !== 200) throw new Error(`answered ${res.status}: ${res.text.slice(0, 300)}`);
			return JSON.parse(res.text) as Record<string, unknown>;
		},
		{ timeoutMs: 60_000, intervalMs: 1000 },
	);
	const message = await waitFor("the approver's message", async () => inbox.messages[before], {
		timeoutMs: 60_000,
		intervalMs: 250,
	});
	const formUrl = new URL(String(message.approvalFormUrl));
	// n8n builds the URL from its configured host; the suite reaches it on its own loopback address.
	const local = new URL(`${formUrl.pathname}${formUrl.search}`, ctx.inst.baseUrl).toString();
	const executionId = formUrl.pathname.split('/').filter(Boolean)[1] ?? '';
	// The webhook is answered before the Wait node has put the execution to sleep; until then n8n holds a form
	// request without ever answering it (its own form page polls the status first, as this does).
	await waitFor(
		`execution ${executionId} to wait for the approval form`,
		async () => ((await executionState(ctx, executionId)).status === 'waiting' ? true : undefined),
		{ timeoutMs: 120_000, intervalMs: 500 },
	);
	return { answer, message, formUrl: local, executionId };
}

/**
 * Submits the approval form as the approver's browser does (multipart form data: field-0 the dropdown, field-1
 * "Approved by"), with the approver's Basic Auth unless `auth` says otherwise (`{}`: none).
 */
export async function submitForm(
	formUrl: string,
	decision: 'Approve' | 'Reject',
	opts: { auth?: Record<string, string>; name?: string } = {},
): Promise<number> {
	const body = new FormData();
	body.append('field-0', decision);
	body.append('field-1', opts.name ?? 'Ada Approver');
	const res = await fetch(formUrl, {
		method: 'POST',
		body,
		headers: opts.auth ?? basicAuthOf(),
		signal: AbortSignal.timeout(120_000),
	});
	await res.text();
	return res.status;
}

export interface ExecutionState {
	status: string;
	finished: boolean;
}

export async function executionState(ctx: PartContext, id: string): Promise<ExecutionState> {
	const json = (await ctx.rest!.getJson(`/rest/executions/${encodeURIComponent(id)}`)) as {
		data?: { status?: string; finished?: boolean };
	};
	return { status: String(json.data?.status ?? ''), finished: json.data?.finished === true };
}

export async function waitUntilDone(ctx: PartContext, id: string): Promise<ExecutionState> {
	return await waitFor(
		`execution ${id} to end`,
		async () => {
			const state = await executionState(ctx, id);
			return ['waiting', 'running', 'new', ''].includes(state.status) ? undefined : state;
		},
		{ timeoutMs: 180_000, intervalMs: 1000 },
	);
}

/** The items a node of an execution put out (its last run), from the execution's run data. */
export async function nodeItems(
	ctx: PartContext,
	id: string,
	node: string,
): Promise<Array<Record<string, unknown>>> {
	const runData = await ctx.rest!.executionRunData(id, ctx.install);
	const runs = runData?.[node] ?? [];
	const last = runs[runs.length - 1] as
		| { data?: { main?: Array<Array<{ json?: unknown }>> }; error?: { message?: string } }
		| undefined;
	return (last?.data?.main?.[0] ?? []).map((item) => (item.json ?? {}) as Record<string, unknown>);
}
