/**
 * The sandbox for the bench, in a process of its own so that its CPU time and memory never count against
 * the process being measured. The bench runner forks this file and drives it over the IPC channel:
 * each message `{ id, cmd, args }` gets one answer `{ id, ok, value | error }`.
 */
import { startSandbox } from '../sandbox';
import type { RunningSandbox } from '../sandbox';

type Command =
	| { id: number; cmd: 'reset' }
	| { id: number; cmd: 'configure'; args: { latencyMs: number } }
	| { id: number; cmd: 'seed'; args: { count: number } }
	| { id: number; cmd: 'summary' }
	| { id: number; cmd: 'usage' }
	| { id: number; cmd: 'close' };

async function main(): Promise<void> {
	const sandbox: RunningSandbox = await startSandbox({
		port: 0,
		host: '127.0.0.1',
		latencyMs: Number(process.env.BENCH_LATENCY_MS ?? 0),
		// Final statuses are irrelevant to the bench; a short delay keeps the sandbox's timer queue small.
		processDelayMs: 50,
	});

	// Never outlive the runner, whatever happens to it.
	process.on('disconnect', () => {
		void sandbox.close().finally(() => process.exit(0));
	});

	process.on('message', (message: Command): void => {
		const answer = (value: unknown): void => {
			process.send?.({ id: message.id, ok: true, value });
		};
		try {
			switch (message.cmd) {
				case 'reset':
					sandbox.reset();
					if (global.gc) global.gc();
					answer(null);
					return;
				case 'configure':
					answer(sandbox.configure({ latencyMs: message.args.latencyMs }));
					return;
				case 'seed':
					answer(sandbox.seedInvoices(message.args.count));
					return;
				case 'summary':
					answer(sandbox.ledger().summary);
					return;
				case 'usage':
					answer({ cpu: process.cpuUsage(), maxRssKb: process.resourceUsage().maxRSS });
					return;
				case 'close':
					void sandbox.close().then(() => {
						answer(null);
						process.exit(0);
					});
					return;
			}
		} catch (error) {
			process.send?.({
				id: message.id,
				ok: false,
				error: String((error as Error)?.stack ?? error),
			});
		}
	});

	process.send?.({ id: 0, ok: true, value: { credentials: sandbox.credentials } });
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
