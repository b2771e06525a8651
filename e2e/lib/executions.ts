/**
 * Waiting for a workflow's executions to come to rest, as the scenarios and parts read them from n8n's REST API
 * (`/rest/executions`) before they count them.
 */
import { ExecutionSummary, RestSession } from './n8n';
import { sleep } from './processes';

/**
 * Waits until a workflow's execution count stays put for `quietMs` with none running (or new), once there are at
 * least `atLeast`; returns the executions as last read (newest first), also when `timeoutMs` runs out.
 */
export async function settledExecutions(
	rest: RestSession,
	workflowId: string,
	atLeast: number,
	timeoutMs: number,
	quietMs = 3_000,
): Promise<ExecutionSummary[]> {
	const deadline = Date.now() + timeoutMs;
	let last = await rest.executions(workflowId);
	let lastChange = Date.now();
	while (Date.now() < deadline) {
		await sleep(500);
		const now = await rest.executions(workflowId);
		const running = now.some((e) => e.status === 'running' || e.status === 'new');
		if (now.length !== last.length || running) lastChange = Date.now();
		last = now;
		if (now.length >= atLeast && !running && Date.now() - lastChange >= quietMs) break;
	}
	return last;
}

/** An execution that has not ended yet. */
export const isUnfinished = (e: ExecutionSummary) =>
	e.status === 'running' || e.status === 'new' || e.status === 'waiting';

/**
 * Waits until what `state` reads stops changing for `quietMs` and nothing runs (`key`: what is compared between
 * reads, e.g. execution and notification counts), or until `timeoutMs`; returns nothing either way.
 */
export async function waitUntilQuiet(
	state: () => Promise<{ key: string; running: boolean }>,
	quietMs: number,
	timeoutMs: number,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	let lastChange = Date.now();
	while (Date.now() < deadline) {
		const { key, running } = await state();
		if (key !== last || running) lastChange = Date.now();
		last = key;
		if (!running && Date.now() - lastChange >= quietMs) return;
		await sleep(500);
	}
}
