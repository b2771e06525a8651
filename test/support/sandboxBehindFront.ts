/**
 * The setup a test needs to answer one exact request itself: a sandbox, a front (frontProxy.ts) before it, each
 * test starting from an empty ledger and a front that lets everything through, and the test-or-live check after
 * each test. `credentials()` points the node at the front.
 */
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { checkModeAfterEachTest } from './explicitMode';
import { startFront, type Front } from './frontProxy';

export interface SandboxBehindFront {
	sandbox: () => RunningSandbox;
	front: () => Front;
	credentials: () => RunningSandbox['credentials'];
}

export function useSandboxBehindFront(): SandboxBehindFront {
	let sandbox: RunningSandbox;
	let front: Front;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
		front = await startFront(sandbox.baseUrl);
	});
	afterAll(async () => {
		await front?.close();
		await sandbox?.close();
	});
	checkModeAfterEachTest(() => sandbox);
	beforeEach(() => {
		sandbox.reset();
		front.forwarded.length = 0;
		front.intercept = () => false;
	});
	return {
		sandbox: () => sandbox,
		front: () => front,
		credentials: () => ({ ...sandbox.credentials, baseUrl: front.baseUrl }),
	};
}
