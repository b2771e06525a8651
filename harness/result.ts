/**
 * What a test gets back from one workflow execution: n8n's raw `IRun` plus small accessors that fail with
 * a readable message instead of `Cannot read properties of undefined`.
 */
import type {
	ExecutionError,
	ExecutionStatus,
	INodeExecutionData,
	IRun,
	IRunData,
} from 'n8n-workflow';

export interface WorkflowRunResult {
	/** The full `IRun` n8n-core returned. */
	run: IRun;
	/** 'success' | 'error' | 'waiting' | 'canceled' … as n8n records it. */
	status: ExecutionStatus;
	/** Per node name, one entry per run of that node (n8n's `resultData.runData`). */
	runData: IRunData;
	/**
	 * The error that stopped the execution, if any (a plain object copied from the error: `message`,
	 * `description`, `httpCode`, `node`, … but not an `Error` instance).
	 */
	executionError?: ExecutionError;
	/** Node names in the order they finished. */
	nodeExecutionOrder: string[];
	/** Items of `outputIndex` of the node's run `runIndex` (0 = first run); throws if the node did not run or failed. */
	outputOf(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	/** The error recorded on the node's last run, or undefined. Set even when the execution went on (continueOnFail). */
	errorOf(nodeName: string): ExecutionError | undefined;
	/** Whether the node ran at least once. */
	ran(nodeName: string): boolean;
}

function describeRun(runData: IRunData, executionError?: ExecutionError): string {
	const lines = Object.entries(runData).map(([name, runs]) => {
		const error = runs[runs.length - 1]?.error;
		return `  - ${name}${error ? ` (error: ${error.message})` : ''}`;
	});
	const ran = lines.length ? `Nodes that ran:\n${lines.join('\n')}` : 'No node ran.';
	return executionError ? `${ran}\nExecution error: ${executionError.message}` : ran;
}

export function toWorkflowRunResult(run: IRun, nodeExecutionOrder: string[]): WorkflowRunResult {
	const runData = run.data.resultData.runData;
	const executionError = run.data.resultData.error;
	return {
		run,
		status: run.status,
		runData,
		executionError,
		nodeExecutionOrder,
		ran: (nodeName) => (runData[nodeName]?.length ?? 0) > 0,
		errorOf: (nodeName) => {
			const runs = runData[nodeName];
			return runs?.[runs.length - 1]?.error;
		},
		outputOf: (nodeName, outputIndex = 0, runIndex = 0) => {
			const runs = runData[nodeName];
			if (!runs?.length) {
				throw new Error(`Node "${nodeName}" did not run.\n${describeRun(runData, executionError)}`);
			}
			const task = runs[runIndex];
			if (!task) {
				throw new Error(
					`Node "${nodeName}" ran ${runs.length} time(s); there is no run ${runIndex}.`,
				);
			}
			if (task.error) {
				throw new Error(
					`Node "${nodeName}" failed: ${task.error.message}` +
						(task.error.description ? `\n${task.error.description}` : ''),
				);
			}
			return task.data?.main?.[outputIndex] ?? [];
		},
	};
}
