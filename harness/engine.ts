/**
 * One-time preparation of n8n-core for use inside a test process.
 *
 * n8n-core's `SSHClientsManager` is a DI singleton created the first time any node context is built
 * (every context gets the SSH tunnel helpers). Its constructor starts a 60 s `setInterval` that is never
 * unref'd, so a plain script would never exit and jest would report an open handle. We create it up
 * front and unref that timer; nothing else about it changes.
 */
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';

type ContainerLike = { get<T>(type: new (...args: never[]) => T): T };

let prepared = false;

export function prepareEngine(): void {
	if (prepared) return;
	prepared = true;
	// Use the same @n8n/di instance n8n-core resolved, whatever npm hoisting did.
	const diPath = require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] });
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Container } = require(diPath) as { Container: ContainerLike };
	const manager = Container.get(SSHClientsManager) as unknown as { cleanupTimer?: NodeJS.Timeout };
	manager.cleanupTimer?.unref();
}
