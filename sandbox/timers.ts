/**
 * Every timer the sandbox starts (process delays, callback retries, latency and slow answers) goes through here, so
 * reset() and close() can cancel them all: a test must never see a callback from a previous test, and close() must
 * not wait for a 3-second "slow" fault.
 */
export class Timers {
	private pending = new Map<NodeJS.Timeout, () => void>();

	/** Runs fn after ms unless cancelled; returns a function that cancels it. */
	after(ms: number, fn: () => void): () => void {
		const handle = setTimeout(() => {
			this.pending.delete(handle);
			fn();
		}, ms);
		this.pending.set(handle, () => undefined);
		return () => {
			clearTimeout(handle);
			this.pending.delete(handle);
		};
	}

	/** Resolves after ms, or at once when the timers are cancelled (the caller then simply goes on). */
	sleep(ms: number): Promise<void> {
		if (ms <= 0) return Promise.resolve();
		return new Promise((resolve) => {
			const handle = setTimeout(() => {
				this.pending.delete(handle);
				resolve();
			}, ms);
			this.pending.set(handle, resolve);
		});
	}

	get size(): number {
		return this.pending.size;
	}

	/** Cancels every pending timer; sleepers are woken, scheduled functions never run. */
	cancelAll(): void {
		for (const [handle, wake] of this.pending) {
			clearTimeout(handle);
			wake();
		}
		this.pending.clear();
	}
}
