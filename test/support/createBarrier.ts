/**
 * A front for the sandbox (frontProxy.ts) that holds every invoice create until `count` of them have arrived,
 * then lets them through together: executions "at the same instant" made exact. Every one of them has made all
 * its checks before any create reaches the platform, so no test depends on how two runs happen to interleave. A
 * create waits at most `maxHoldMs` (then it goes on, and the test's own checks fail if the race it wanted did
 * not happen).
 */
import { startFront } from './frontProxy';

export interface CreateBarrier {
	baseUrl: string;
	/** Hold the next `count` creates until all of them have arrived. */
	arm(count: number): void;
	close(): Promise<void>;
}

export async function startCreateBarrier(
	target: string,
	maxHoldMs = 10_000,
): Promise<CreateBarrier> {
	const front = await startFront(target);
	let expected = 0;
	let waiting: Array<() => void> = [];
	const releaseAll = () => {
		const ready = waiting;
		waiting = [];
		expected = 0;
		for (const release of ready) release();
	};
	front.hold = (path, method) => {
		if (method !== 'POST' || path !== '/api/payout-invoices' || expected === 0) return undefined;
		return new Promise<void>((resolve) => {
			waiting.push(resolve);
			if (waiting.length >= expected) releaseAll();
			else setTimeout(releaseAll, maxHoldMs).unref();
		});
	};
	return {
		baseUrl: front.baseUrl,
		arm: (count) => {
			expected = count;
		},
		close: async () => {
			releaseAll();
			await front.close();
		},
	};
}
