/**
 * Parts of the single-process scenario that later features add: each lives in its own file, shares the one
 * running n8n (server user folder, sandbox, credential) with the scenario, and runs after the scenario's own
 * bulk and callback checks, so its invoices never disturb theirs. Keep each part's references under its own
 * prefix (e.g. `e2e-approval-`) and judge by the sandbox ledger.
 *
 *   npx tsx e2e/run.ts --only=v2 --parts=approval,reconcile   # only those parts (the bulk/callback checks are skipped)
 */
import type { Instance, N8nInstall, RestSession } from '../lib/n8n';
import type { PackedPackage } from '../lib/package';
import type { Report } from '../lib/report';
import type { RunningSandbox } from '../lib/sandbox';
import type { WorkflowJson } from '../lib/workflows';
import { approvalPart } from './approval';
import { agentPart } from './agent';
import { columnsModePart } from './columnsMode';

import { reconcilePart } from './reconcile';

import { largeSheetsPart } from './largeSheets';
import { strangersPart } from './strangers';

export interface PartContext {
	root: string;
	install: N8nInstall;
	/** The server's user folder and URLs (`inst.baseUrl`). */
	inst: Instance;
	/** Logged in as the owner; set when `run` is called (undefined in `workflows`). */
	rest?: RestSession;
	sandbox: RunningSandbox;
	report: Report;
	/** The folder n8n may read and write files in (N8N_RESTRICT_FILE_ACCESS_TO). */
	filesDir: string;
	/** A folder of the part's own for logs and scratch files. */
	partDir: string;
	pkg: PackedPackage;
	/** The trigger's webhook path below its webhookId. */
	webhookPath: string;
}

export interface ScenarioPart {
	/** Short name, used by `--parts=` and in the report. */
	name: string;
	/** The n8n majors the part runs on. */
	majors: Array<1 | 2>;
	/**
	 * Workflows to import into the server's user folder before n8n starts (with the sandbox credential already
	 * there), and the ids among them to activate.
	 */
	workflows?(ctx: PartContext): Promise<{ workflows: WorkflowJson[]; activate: string[] }>;
	/** The checks, against the running server. Every check goes to `ctx.report`. */
	run(ctx: PartContext): Promise<void>;
}

/** Every part, in the order they run. Register a new part here. */
export const SCENARIO_PARTS: ScenarioPart[] = [
	approvalPart,
	agentPart,
	columnsModePart,
	reconcilePart,
	largeSheetsPart,
	strangersPart,
];

/** The parts selected by `--parts=a,b` (all when the flag is absent) that run on this n8n major. */
export function selectedParts(major: number, only: string[] | undefined): ScenarioPart[] {
	return SCENARIO_PARTS.filter(
		(part) => (part.majors as number[]).includes(major) && (!only || only.includes(part.name)),
	);
}
