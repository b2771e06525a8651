/**
 * Runs `task` over `inputs` with at most `limit` at once and returns the results in input order, so
 * output items still line up with input rows. Once `shouldStop()` says so, no new task starts;
 * those already running finish (a payout in flight is never abandoned half-way).
 */
export async function mapWithConcurrency<T, R>(
	inputs: readonly T[],
	limit: number,
	task: (input: T, index: number) => Promise<R>,
	shouldStop: () => boolean = () => false,
): Promise<Array<R | undefined>> {
	// Dense, not `new Array(n)`: a task that never started is an explicit `undefined` that map and
	// forEach still visit, so its row gets a "not run" item instead of a hole.
	const results: Array<R | undefined> = Array.from({ length: inputs.length }, () => undefined);
	let next = 0;
	const worker = async () => {
		while (next < inputs.length && !shouldStop()) {
			const index = next++;
			results[index] = await task(inputs[index], index);
		}
	};
	const workers = Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, worker);
	await Promise.all(workers);
	return results;
}
