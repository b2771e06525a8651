/**
 * One n8n version, end to end: the packed package installed as a community package, the sandbox credential
 * and the example workflows imported with n8n's CLI, the callback workflow activated, the bulk payout workflow
 * run with `n8n execute`, the sandbox's signed callbacks delivered to n8n's production webhook, and a forged
 * callback refused. Every check goes to the report; a failed step skips what depends on it.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { checkBulkRows, checkRejectedAsMarked, runBulk } from './lib/bulkRun';
import {
	FINAL_STATUSES,
	invoiceDocument,
	outcomeFileMismatches,
	outcomeFileProblem,
	postCallback,
	signAsSandbox,
	signForged,
	unseenInvoiceBody,
} from './lib/callbacks';
import { settledExecutions as settledExecutionsOf } from './lib/executions';
import { checkBulkLedger } from './lib/ledgerChecks';
import {
	activateWorkflow,
	communityNodesDir,
	createInstance,
	ExecutionSummary,
	importCredentials,
	importWorkflow,
	Instance,
	N8nInstall,
	RestSession,
	startServer,
} from './lib/n8n';
import { installPacked } from './lib/package';
import { checkPackageLoaded } from './lib/packageLoaded';
import { PartContext, selectedParts } from './parts';
import { sleep, Started } from './lib/processes';
import { LedgerLike, readLedger, RunningSandbox, waitUntilCallbacksDelivered } from './lib/sandbox';
import {
	importAndPublish,
	ownerSession,
	ScenarioBase,
	scenarioFolders,
	startSandboxForN8n,
	suiteCredentials,
	waitForTriggerWebhook,
} from './lib/scenarioSetup';
import {
	CALLBACK_WORKFLOW_ID,
	csvRowCount,
	loadWorkflow,
	prepareBulkWorkflow,
	prepareCallbackWorkflow,
	triggerNode,
	WorkflowJson,
} from './lib/workflows';

/** The callback example's Remove Duplicates, and the id of the suite's copy in which it always fails. */
const DEDUPE_NODE = 'Drop repeated callbacks';
const DEDUP_FAILS_WORKFLOW_ID = 'ptE2eCallbacksDF';

export interface ScenarioOptions extends ScenarioBase {
	/** Run the callback part (trigger activation, delivered and forged callbacks). */
	callbacks: boolean;
	/** Run only these parts of e2e/parts (and not the scenario's own bulk and callback checks). */
	onlyParts?: string[];
}

interface Context extends ScenarioOptions {
	install: N8nInstall;
	/** The instance `n8n start` serves (callback workflow, webhooks, REST). */
	inst: Instance;
	/** A second user folder (own SQLite database) for `n8n execute`: a CLI run sharing the server's SQLite
	 *  file made n8n 2.x time out its database pings and answer webhooks 503 while both were busy. */
	cli: Instance;
	sandbox: RunningSandbox;
	filesDir: string;
	server?: Started;
	rest?: RestSession;
	callbackUrl?: string;
	/** The production URL of the callback example's copy whose Remove Duplicates always fails. */
	dedupFailureUrl?: string;
}

async function executionsOf(ctx: Context, workflowId: string): Promise<ExecutionSummary[]> {
	return await ctx.rest!.executions(workflowId);
}

/** Waits until the count stays put for `quietMs` (or reaches `atLeast`), then returns the executions. */
async function settledExecutions(
	ctx: Context,
	atLeast: number,
	timeoutMs: number,
	quietMs = 3_000,
	workflowId = CALLBACK_WORKFLOW_ID,
): Promise<ExecutionSummary[]> {
	return await settledExecutionsOf(ctx.rest!, workflowId, atLeast, timeoutMs, quietMs);
}
async function callbackChecks(ctx: Context, ledgerAfterBulk: LedgerLike): Promise<void> {
	const { report } = ctx;
	const url = ctx.callbackUrl!;
	// 1. every callback the sandbox sent to n8n was answered 200, and each final one started one execution.
	const ledger = await waitUntilCallbacksDelivered(ctx.sandbox.baseUrl, 240_000);
	const toN8n = ledger.callbacks.filter((c) => c.url === url);
	report.check(
		"the sandbox sent callbacks to the trigger's production URL",
		toN8n.length > 0,
		`${toN8n.length} of ${ledger.callbacks.length} callback attempts went to ${url}`,
	);
	// Each status change is one delivery with its own retries; it counts once it was answered 200.
	const deliveries = new Map<string, boolean>();
	for (const c of toN8n) {
		const key = `${c.invoiceId} ${c.invoiceStatus}`;
		deliveries.set(key, (deliveries.get(key) ?? false) || c.delivered);
	}
	const undelivered = [...deliveries].filter(([, ok]) => !ok).map(([key]) => key);
	const failedAttempts = toN8n.filter((c) => !c.delivered);
	report.info(
		`callbacks to n8n: ${deliveries.size} status changes in ${toN8n.length} attempts; ${failedAttempts.length} attempts failed (${[
			...new Set(failedAttempts.map((c) => c.httpStatus ?? c.error)),
		]
			.slice(0, 3)
			.join('; ')})`,
	);
	report.check(
		'n8n answered 200 to every status change (possibly after retries)',
		undelivered.length === 0,
		undelivered.length
			? `${undelivered.length} of ${deliveries.size} never delivered: ${undelivered.slice(0, 10).join(', ')}`
			: `${deliveries.size} delivered`,
	);
	const finalInvoices = new Set(
		toN8n.filter((c) => c.delivered && FINAL_STATUSES.has(c.invoiceStatus)).map((c) => c.invoiceId),
	);
	const nonFinal = new Set(
		toN8n
			.filter((c) => !FINAL_STATUSES.has(c.invoiceStatus))
			.map((c) => `${c.invoiceId}/${c.invoiceStatus}`),
	);
	report.info(
		`${finalInvoices.size} invoices with a delivered final status, ${nonFinal.size} non-final status changes`,
	);
	const executions = await settledExecutions(ctx, finalInvoices.size, 120_000);
	const webhookRuns = executions.filter((e) => e.mode === 'webhook');
	report.check(
		`one trigger execution per invoice that reached a final status (${finalInvoices.size})`,
		webhookRuns.length === finalInvoices.size,
		`${webhookRuns.length} webhook executions (modes: ${[...new Set(executions.map((e) => e.mode))].join(', ')})`,
	);
	const unsuccessful = webhookRuns.filter((e) => e.status !== 'success');
	report.check(
		'every trigger execution succeeded',
		unsuccessful.length === 0,
		unsuccessful
			.slice(0, 10)
			.map((e) => `execution ${e.id}: ${e.status}`)
			.join(', '),
	);
	const outcomeDir = path.join(ctx.filesDir, 'paymentstrust');
	const files = existsSync(outcomeDir)
		? readdirSync(outcomeDir).filter((f) => f.endsWith('.json'))
		: [];
	const missingFiles = [...finalInvoices].filter((id) => !files.includes(`${id}.json`));
	report.check(
		'the callback workflow wrote one outcome file per final invoice',
		missingFiles.length === 0 && files.length === finalInvoices.size,
		`${files.length} files in ${outcomeDir}${missingFiles.length ? `; missing: ${missingFiles.slice(0, 5).join(', ')}` : ''}`,
	);
	const finalLedger = await readLedger(ctx.sandbox.baseUrl);
	const truth = new Map(
		finalLedger.invoices.filter((i) => finalInvoices.has(i.id)).map((i) => [i.id, i.status]),
	);
	const wrongFiles = outcomeFileMismatches(outcomeDir, truth);
	report.check(
		'every outcome file says what the ledger says: its invoice, its final status, paid exactly when processed',
		wrongFiles.length === 0,
		wrongFiles.slice(0, 5).join('; '),
	);

	// Callbacks the suite writes itself, for invoices n8n never saw, modelled on a real one.
	const anyInvoice = ledgerAfterBulk.invoices.find((i) => !i.seeded);
	if (!anyInvoice) {
		report.check(
			'a sandbox invoice to model the suite’s own callbacks on',
			false,
			'the ledger has no invoice',
		);
		return;
	}
	const template = await invoiceDocument(ctx.sandbox.baseUrl, anyInvoice.id);
	await dedupFailureCheck(ctx, template);

	// 2. a forged callback (bad signature) for an invoice n8n never saw: 401, nothing started; the same body
	//    signed with the secret: 200 and one execution; the signed one again: 200 and nothing new.
	const body = unseenInvoiceBody(
		template,
		`cpi_e2e_${ctx.install.major}_unseen`,
		`e2e-forged-${ctx.install.major}`,
	);
	const before = (await executionsOf(ctx, CALLBACK_WORKFLOW_ID)).length;
	const forged = await postCallback(url, body, signForged(body));
	report.check(
		'a forged callback (wrong X-Signature) is answered 401',
		forged.status === 401,
		`answered ${forged.status} ${forged.text}`,
	);
	const unsigned = await postCallback(url, body, '');
	report.check(
		'a callback without X-Signature is answered 401',
		unsigned.status === 401,
		`answered ${unsigned.status} ${unsigned.text}`,
	);
	await sleep(3_000);
	const afterForged = (await executionsOf(ctx, CALLBACK_WORKFLOW_ID)).length;
	report.check(
		'forged callbacks start no execution',
		afterForged === before,
		`${afterForged - before} new executions`,
	);
	const genuine = await postCallback(url, body, signAsSandbox(body));
	report.check(
		'the same body correctly signed is answered 200',
		genuine.status === 200,
		`answered ${genuine.status} ${genuine.text}`,
	);
	const afterGenuine = (await settledExecutions(ctx, before + 1, 30_000)).length;
	report.check(
		'the correctly signed callback starts exactly one execution',
		afterGenuine === before + 1,
		`${afterGenuine - before} new executions`,
	);
	const replay = await postCallback(url, body, signAsSandbox(body));
	await sleep(3_000);
	const afterReplay = (await executionsOf(ctx, CALLBACK_WORKFLOW_ID)).length;
	report.check(
		'a replayed callback is acknowledged (200) and starts nothing',
		replay.status === 200 && afterReplay === afterGenuine,
		`answered ${replay.status}, ${afterReplay - afterGenuine} new executions`,
	);
}

/**
 * A copy of the callback example whose "Drop repeated callbacks" cannot work (its value names a node that does not
 * exist, so the node fails on every callback, as it does when n8n cannot read or write its history): the callback
 * must still be recorded, and recorded right. n8n replaces the output of a node that failed under On Error →
 * Continue with `{ error }`; a step that read `$json.status` there wrote a paid invoice down as failed.
 */
async function dedupFailureCheck(
	ctx: Context,
	template: Awaited<ReturnType<typeof invoiceDocument>>,
): Promise<void> {
	const { report } = ctx;
	if (!ctx.dedupFailureUrl) {
		report.check(
			'the dedup-failure copy of the callback example was imported',
			false,
			'no URL for it',
		);
		return;
	}
	const id = `cpi_e2e_${ctx.install.major}_dedupfails`;
	const body = unseenInvoiceBody(template, id, `e2e-dedupfails-${ctx.install.major}`);
	const before = (await executionsOf(ctx, DEDUP_FAILS_WORKFLOW_ID)).length;
	const answer = await postCallback(ctx.dedupFailureUrl, body, signAsSandbox(body));
	const executions = await settledExecutions(
		ctx,
		before + 1,
		30_000,
		3_000,
		DEDUP_FAILS_WORKFLOW_ID,
	);
	const newest = executions[0];
	let dedupOutput = 'no execution';
	if (newest) {
		const run = await ctx.rest!.executionRunData(newest.id, ctx.install);
		dedupOutput = JSON.stringify(run?.[DEDUPE_NODE]?.[0]?.data?.main?.[0]?.[0]?.json ?? null);
	}
	report.check(
		'when Remove Duplicates fails (On Error → Continue), n8n outputs only its error',
		/"error"/.test(dedupOutput) && !dedupOutput.includes(id),
		`answered ${answer.status}; "${DEDUPE_NODE}" output ${dedupOutput.slice(0, 200)}`,
	);
	const problem = outcomeFileProblem(path.join(ctx.filesDir, 'paymentstrust'), id, 'processed');
	report.check(
		'…and the callback is still recorded, as paid: the steps after it read the trigger’s item',
		newest?.status === 'success' && problem === undefined,
		`execution ${newest?.id ?? '-'}: ${newest?.status ?? '-'}; ${problem ?? 'file says paid, processed'}`,
	);
}

/** The callback example as imported, under its own id and webhook, with a Remove Duplicates that always fails. */
function dedupFailingCopy(callbacks: WorkflowJson): WorkflowJson {
	const copy = JSON.parse(JSON.stringify(callbacks)) as WorkflowJson;
	copy.id = DEDUP_FAILS_WORKFLOW_ID;
	copy.name = `${copy.name} (e2e: dedup fails)`;
	triggerNode(copy)!.webhookId = 'e2e00000-0000-4000-8000-0000000dedf1';
	const dedupe = copy.nodes.find((n) => n.name === DEDUPE_NODE);
	if (!dedupe) throw new Error(`payout-callbacks.workflow.json has no "${DEDUPE_NODE}" node`);
	dedupe.parameters = {
		...dedupe.parameters,
		dedupeValue: "={{ $('e2e: no such node').item.json.id }}",
	};
	return copy;
}

async function prepare(
	ctx: Context,
): Promise<{ bulk: WorkflowJson; callbacks?: WorkflowJson; dedupFails?: WorkflowJson }> {
	const { report, root } = ctx;
	const examples = path.join(root, 'examples');
	const bulkSource = loadWorkflow(path.join(examples, 'bulk-payouts.workflow.json'));
	copyFileSync(path.join(examples, 'payouts.csv'), path.join(ctx.filesDir, 'payouts.csv'));
	let callbacks: WorkflowJson | undefined;
	let dedupFails: WorkflowJson | undefined;
	if (ctx.callbacks) {
		const source = loadWorkflow(path.join(examples, 'payout-callbacks.workflow.json'));
		const trigger = triggerNode(source);
		if (!trigger?.webhookId)
			throw new Error(
				'payout-callbacks.workflow.json has no PaymentsTrust Trigger with a fixed webhookId',
			);
		ctx.callbackUrl = `${ctx.inst.baseUrl}/webhook/${trigger.webhookId}/${ctx.webhookPath}`;
		const prepared = prepareCallbackWorkflow(source, { filesDir: ctx.filesDir });
		prepared.notes.forEach((n) => report.info(n));
		callbacks = prepared.workflow;
		dedupFails = dedupFailingCopy(prepared.workflow);
		ctx.dedupFailureUrl = `${ctx.inst.baseUrl}/webhook/${triggerNode(dedupFails)!.webhookId}/${ctx.webhookPath}`;
		mkdirSync(path.join(ctx.filesDir, 'paymentstrust'), { recursive: true });
	}
	const bulk = prepareBulkWorkflow(bulkSource, {
		filesDir: ctx.filesDir,
		callbackUrl: ctx.callbackUrl,
	});
	bulk.notes.forEach((n) => report.info(n));
	return { bulk: bulk.workflow, callbacks, dedupFails };
}

export async function runScenario(install: N8nInstall, opts: ScenarioOptions): Promise<void> {
	const { report } = opts;
	const { dir, logDir, filesDir } = scenarioFolders(opts, `n8n-${install.version}`);

	let sandbox: RunningSandbox;
	try {
		sandbox = await startSandboxForN8n(opts.root, logDir);
		report.check('sandbox started', true, sandbox.baseUrl);
	} catch (error) {
		report.fail('sandbox started', error);
		return;
	}
	const inst = await createInstance(install, {
		userFolder: path.join(dir, 'server'),
		logDir: path.join(logDir, 'server'),
		filesDir,
	});
	const cli = await createInstance(install, {
		userFolder: path.join(dir, 'cli'),
		logDir: path.join(logDir, 'cli'),
		filesDir,
	});
	const ctx: Context = { ...opts, install, inst, cli, sandbox, filesDir };
	const parts = selectedParts(install.major, opts.onlyParts);
	const partContext = (name: string): PartContext => {
		const partDir = path.join(dir, 'parts', name);
		mkdirSync(partDir, { recursive: true });
		const { root, pkg, webhookPath } = opts;
		return {
			root,
			install,
			inst,
			rest: ctx.rest,
			sandbox,
			report,
			filesDir,
			partDir,
			pkg,
			webhookPath,
		};
	};
	// The server runs for the callback checks and for any part; the bulk run needs only the CLI folder.
	const serverNeeded = ctx.callbacks || parts.length > 0;
	try {
		// Install, import, activate: all through n8n's own CLI, before the server starts.
		const { bulk, callbacks, dedupFails } = await prepare(ctx);
		const credentials = suiteCredentials(sandbox.baseUrl);
		for (const [which, instance] of [
			['cli', cli],
			['server', inst],
		] as const) {
			if (which === 'server' && !serverNeeded) continue;
			await installPacked(opts.pkg, communityNodesDir(instance.userFolder), logDir);
			await importCredentials(instance, credentials);
			report.check(`n8n import:credentials (sandbox credential, ${which} user folder)`, true);
		}
		await importWorkflow(cli, bulk, 'bulk-payouts');
		report.check('n8n import:workflow (bulk-payouts)', true);
		if (callbacks) {
			await importWorkflow(inst, [callbacks, dedupFails], 'payout-callbacks');
			report.check(
				'n8n import:workflow (payout-callbacks, and a copy whose Remove Duplicates fails)',
				true,
			);
			await activateWorkflow(inst, CALLBACK_WORKFLOW_ID);
			await activateWorkflow(inst, DEDUP_FAILS_WORKFLOW_ID);
			report.check(
				`activate the callback workflow (${install.major >= 2 ? 'publish:workflow' : 'update:workflow --active=true'})`,
				true,
			);
		}
		for (const part of parts.filter((p) => p.workflows)) {
			const { workflows, activate } = await part.workflows!(partContext(part.name));
			await importAndPublish(inst, workflows, `part-${part.name}`, activate);
			report.check(
				`${part.name}: import ${workflows.length} workflow(s), activate ${activate.length}`,
				true,
			);
		}
	} catch (error) {
		report.fail('install the package and import the examples', error);
		await sandbox.process.stop();
		return;
	}

	try {
		if (serverNeeded) {
			const t0 = Date.now();
			ctx.server = await startServer(inst, 180_000);
			report.check(
				'n8n start: /healthz/readiness answers',
				true,
				`${((Date.now() - t0) / 1000).toFixed(1)} s, ${inst.baseUrl}`,
			);
			ctx.rest = await ownerSession(inst.baseUrl);
			report.check('owner set up through the REST API', true);
			await checkPackageLoaded(report, ctx.rest, sandbox.baseUrl, () => ctx.server!.log());
		}
		if (ctx.callbacks) {
			// /healthz/readiness can answer before the active workflows' webhooks are registered.
			const t1 = Date.now();
			const probe = await waitForTriggerWebhook(ctx.callbackUrl!, postCallback);
			report.check(
				'the production webhook is registered (an unsigned probe is refused, not 404)',
				probe.status === 401,
				`answered ${probe.status} ${probe.text} after ${((Date.now() - t1) / 1000).toFixed(1)} s`,
			);
		}

		if (!opts.onlyParts) await bulkAndCallbackChecks(ctx);
		for (const part of parts) {
			report.info(`part: ${part.name}`);
			const t0 = Date.now();
			try {
				await part.run(partContext(part.name));
			} catch (error) {
				report.fail(`${part.name}: the part ran to its end`, error);
			}
			report.info(`part ${part.name} took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
		}
	} catch (error) {
		report.fail('scenario step', error);
	} finally {
		await ctx.server?.stop();
		await sandbox.process.stop();
	}
}

/** The scenario's own checks: the bulk example run twice, the callbacks in between, forged callbacks refused. */
async function bulkAndCallbackChecks(ctx: Context): Promise<void> {
	const { report, sandbox } = ctx;
	const csvRows = csvRowCount(path.join(ctx.filesDir, 'payouts.csv'));
	const rows = await runBulk(report, ctx.cli, ctx.root, 'bulk run 1');
	if (!rows) return;
	checkBulkRows(report, rows, csvRows, 'bulk run 1');
	checkRejectedAsMarked(report, rows, path.join(ctx.filesDir, 'payouts.csv'), 'bulk run 1');
	const ledger1 = await readLedger(sandbox.baseUrl);
	checkBulkLedger(report, 'bulk run 1', rows, ledger1);

	if (ctx.callbacks) {
		try {
			await callbackChecks(ctx, ledger1);
		} catch (error) {
			report.fail('callbacks to the production webhook', error);
		}
	}

	// The same file again: nothing may be paid twice.
	const executionsBefore = ctx.rest ? (await executionsOf(ctx, CALLBACK_WORKFLOW_ID)).length : 0;
	const rows2 = await runBulk(report, ctx.cli, ctx.root, 'bulk run 2 (same CSV again)');
	if (rows2) {
		const ledger2 = await readLedger(sandbox.baseUrl);
		const invoices1 = ledger1.invoices.filter((i) => !i.seeded).length;
		const invoices2 = ledger2.invoices.filter(
			(i) => !i.seeded && !i.referenceId.startsWith('e2e-forged'),
		).length;
		report.check(
			'bulk run 2: no new invoice',
			invoices2 === invoices1,
			`${invoices1} invoices after run 1, ${invoices2} after run 2`,
		);
		report.check(
			'bulk run 2: the ledger still has one invoice per reference',
			ledger2.summary.referencesWithMultipleInvoices === 0 &&
				ledger2.summary.invoicesProcessedMoreThanOnce === 0,
			JSON.stringify(ledger2.summary),
		);
		const sent1 = rows
			.filter((r) => r.invoiceId)
			.map((r) => r.referenceId)
			.sort();
		const existed2 = rows2
			.filter((r) => r.alreadyExisted === true)
			.map((r) => r.referenceId)
			.sort();
		report.check(
			'bulk run 2: every row paid in run 1 is reported as already existing',
			JSON.stringify(sent1) === JSON.stringify(existed2),
			`run 1 sent ${sent1.length}, run 2 found ${existed2.length} existing`,
		);
		if (ctx.rest) {
			await sleep(3_000);
			const executionsAfter = (await executionsOf(ctx, CALLBACK_WORKFLOW_ID)).length;
			report.check(
				'bulk run 2: no new trigger execution',
				executionsAfter === executionsBefore,
				`${executionsAfter - executionsBefore} new`,
			);
		}
	}
}
