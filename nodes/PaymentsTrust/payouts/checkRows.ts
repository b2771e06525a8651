import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem } from '../helpers/items';
import { ServiceCatalogue, type ServiceRules } from '../platform/serviceCatalogue';
import { patientReads } from '../transport/retryPolicy';
import { attemptRowProblem, planAttempts } from './attempts';
import { payeeOf, samePayeeGroups, type PayeeGroup } from './payee';
import { applyPayeeLimits } from './payeeLimits';
import type { PayoutRunOptions } from './payoutRun';
import { problemMessage, type PayoutRequest, type RowProblem, type ValidPayout } from './types';
import { applySafetyLimits, validatePayout } from './validateRows';

/** A refused row as its output item: the error, and which field broke which rule. */
export function problemItem(problem: RowProblem): INodeExecutionData {
	return errorItem({ message: problemMessage(problem) }, problem.itemIndex, {
		...(problem.row !== undefined ? { row: problem.row } : {}),
		referenceId: problem.referenceId || null,
		stage: problem.stage,
		field: problem.field,
		rule: problem.rule,
		...(problem.pattern ? { pattern: problem.pattern } : {}),
	});
}

/** Every row checked: the valid ones, why the others were refused, each service's rules. */
export interface CheckedRows {
	valid: ValidPayout[];
	problems: RowProblem[];
	rulesByCode: Map<string, ServiceRules | undefined>;
	/** What this call reserved of an agent's budget (pay operations only). */
	reserved: ValidPayout[];
	/** Payees that more than one row to send pays (payee.ts). */
	samePayee: PayeeGroup[];
}

/**
 * Checks every row against the account's services, the per-payee and the run's safety limits, and
 * finds the payees that several rows to send pay; sends nothing.
 */
export async function checkRows(
	ctx: IExecuteFunctions,
	requests: PayoutRequest[],
	options: PayoutRunOptions,
): Promise<CheckedRows> {
	const catalogue = new ServiceCatalogue(ctx, options.policy);
	const codes = [...new Set(requests.map((request) => request.service).filter(Boolean))];
	const rulesByCode = new Map(
		await Promise.all(codes.map(async (code) => [code, await catalogue.rulesFor(code)] as const)),
	);
	const references = new Set<string>();
	const valid: ValidPayout[] = [];
	const problems: RowProblem[] = [];
	for (const request of requests) {
		const rules = rulesByCode.get(request.service);
		const result = validatePayout(request, rules, references);
		const retryProblem =
			options.retry && !('rule' in result)
				? attemptRowProblem(result, options.retry.maxAttemptsPerRow)
				: undefined;
		if ('rule' in result) problems.push(result);
		else if (retryProblem) problems.push(retryProblem);
		else valid.push({ ...result, payee: payeeOf(result, rules) });
	}
	// Retry Failed Rows: each row's attempt, read from the platform before anything is sent (reads
	// only, tried harder: a row whose attempts cannot be read is refused for this run); from here on
	// a row is the attempt this run sends or reports.
	if (options.retry) {
		const { planned, problems: unreadable } = await planAttempts(
			ctx,
			valid.splice(0),
			options.retry.maxAttemptsPerRow,
			patientReads(options.policy),
			options.concurrency,
		);
		valid.push(...planned);
		problems.push(...unreadable);
	}
	// Across executions first: what the platform's invoices say is left of the window (its refusals
	// name the window and what is left of it, the tighter of the two budgets).
	let checked = valid;
	const windowed: RowProblem[] = [];
	if (options.windowBudget && options.mode !== 'validate') {
		const window = await options.windowBudget.precheck(ctx, valid, options.policy);
		checked = window.allowed;
		windowed.push(...window.stopped);
	}
	// No await between the checks and the reservation: an overlapping call of the same tool sees it.
	const perPayee = applyPayeeLimits(
		checked,
		options.payeeLimits,
		options.budget?.payeeSpentSoFar(),
	);
	const { allowed, stopped, reserved } =
		options.budget && options.mode !== 'validate'
			? options.budget.reserve(perPayee.allowed, options.safetyLimits)
			: {
					...applySafetyLimits(
						perPayee.allowed,
						options.safetyLimits,
						options.budget?.spentSoFar(),
					),
					reserved: [],
				};
	return {
		valid: allowed,
		problems: [...problems, ...windowed, ...perPayee.stopped, ...stopped],
		rulesByCode,
		reserved,
		// Among the rows the run would send: those are what would pay one payee twice.
		samePayee: samePayeeGroups(allowed),
	};
}
