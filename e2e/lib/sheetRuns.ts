/**
 * "Pay a sheet in chunks" run in queue mode as the editor's "Execute workflow" runs it, its chunks passed to the
 * webhook processes by the suite's relay (the load balancer), and what the chunks' answers must say: every row
 * once and final, exactly the invalid rows refused, and which worker ran which chunk.
 */
import { existsSync, readFileSync } from 'node:fs';

import { CallbackRelay, ChunkCall } from './callbackRelay';
import { N8nInstall, RestSession } from './n8n';
import { QueueCluster } from './queueCluster';
import { Report } from './report';
import { classify, countBy, RowOutcome } from './rowOutcomes';
import { secs } from './scenarioSetup';

/** One chunk's answer to the parent, as the relay passed it on. */
export interface ChunkAnswer {
	chunk: number;
	statusCode: number | null;
	outcomes: Array<Record<string, unknown>>;
	error?: string;
}

/** What running a sheet needs: the owner's REST session, and the relay its chunks go through. */
export interface SheetRunContext {
	report: Report;
	install: N8nInstall;
	relay: CallbackRelay;
	rest?: RestSession;
}

/** The chunk answers the parent got, as the relay (its load balancer) passed them on. */
function chunkAnswers(calls: ChunkCall[]): ChunkAnswer[] {
	return calls.map((call, i) => ({
		chunk: i + 1,
		statusCode: call.status,
		outcomes: Array.isArray(call.body) ? (call.body as Array<Record<string, unknown>>) : [],
		error: Array.isArray(call.body) ? undefined : JSON.stringify(call.body).slice(0, 300),
	}));
}

/**
 * Runs "Pay a sheet in chunks" as the editor's "Execute workflow" does (in main: manual executions are not
 * offloaded here; `n8n execute` has no Data Table module); the chunks' answers as its load balancer saw them.
 */
export async function runSheet(
	ctx: SheetRunContext,
	label: string,
	parentId: string,
): Promise<{ answers: ChunkAnswer[]; ms: number } | undefined> {
	const { report } = ctx;
	const from = ctx.relay.chunks.length;
	const result = await ctx.rest!.runManually(parentId, 'Start', ctx.install, 900_000);
	report.info(
		`${label}: "Pay a sheet in chunks" (execution ${result.executionId}) ended ${result.status} after ${secs(result.ms)}`,
	);
	if (
		!report.check(
			`${label}: the parent workflow ran to its end`,
			result.status === 'success',
			result.error,
		)
	) {
		return undefined;
	}
	return { answers: chunkAnswers(ctx.relay.chunks.slice(from)), ms: result.ms };
}

/** Execution id → the worker that ran it, from the workers' own logs ("Worker started execution <id>"). */
export function workerOfExecution(cluster: QueueCluster): Map<string, string> {
	const byExecution = new Map<string, string>();
	for (const worker of cluster.byRole('worker')) {
		const log = worker.proc?.logFile;
		if (!log || !existsSync(log)) continue; // rows then count as "unknown" and the check says so
		for (const m of readFileSync(log, 'utf8').matchAll(/Worker started execution (\d+)/g))
			byExecution.set(m[1], worker.tag);
	}
	return byExecution;
}

export function rowsOf(answers: ChunkAnswer[]): RowOutcome[] {
	return answers.flatMap((a) => a.outcomes.map((o, i) => classify(o, i + 1)));
}

/** Every reference of the sheet appears once in the answers; returns the outcome per reference. */
export function checkAccounted(
	report: Report,
	label: string,
	rows: RowOutcome[],
	references: string[],
	invalid: Set<string>,
): Map<string, RowOutcome> {
	const byRef = new Map<string, RowOutcome[]>();
	for (const r of rows) byRef.set(r.referenceId, [...(byRef.get(r.referenceId) ?? []), r]);
	const missing = references.filter((ref) => !byRef.has(ref));
	const twice = [...byRef].filter(([, list]) => list.length > 1).map(([ref]) => ref);
	const counts = countBy(rows);
	report.info(
		`${label}: ${rows.length} row outcomes: ${counts.paid} paid, ${counts.failed} failed, ${counts.rejected} rejected, ${counts.pending} not final`,
	);
	report.check(
		`${label}: every row of the sheet is answered exactly once (${references.length})`,
		missing.length === 0 && twice.length === 0 && rows.length === references.length,
		`${rows.length} outcomes; missing ${missing.length} (${missing.slice(0, 5).join(', ')}); twice ${twice.length} (${twice.slice(0, 5).join(', ')})`,
	);
	report.check(
		`${label}: every row ends paid, failed or rejected (none left pending)`,
		counts.pending === 0 && counts.paid + counts.failed + counts.rejected === rows.length,
		`${counts.pending} not final`,
	);
	const rejected = rows
		.filter((r) => r.cls === 'rejected')
		.map((r) => r.referenceId)
		.sort();
	report.check(
		`${label}: exactly the invalid rows were rejected (${invalid.size})`,
		JSON.stringify(rejected) === JSON.stringify([...invalid].sort()),
		`rejected ${rejected.length}: ${rejected.slice(0, 5).join(', ')}`,
	);
	return new Map(rows.map((r) => [r.referenceId, r]));
}

/** Rows and chunks per worker, from the execution id each row's answer carries ("Pay a chunk"'s Outcome). */
export function perWorker(
	cluster: QueueCluster,
	answers: ChunkAnswer[],
): { rows: Record<string, number>; chunks: Record<string, number> } {
	const workerOf = workerOfExecution(cluster);
	const rows: Record<string, number> = {};
	const chunks: Record<string, number> = {};
	for (const a of answers) {
		const tags = new Set<string>();
		for (const o of a.outcomes) {
			const tag = workerOf.get(String(o.executionId)) ?? 'unknown';
			rows[tag] = (rows[tag] ?? 0) + 1;
			tags.add(tag);
		}
		for (const t of tags) chunks[t] = (chunks[t] ?? 0) + 1;
	}
	return { rows, chunks };
}
