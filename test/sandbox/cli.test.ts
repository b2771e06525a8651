/** `npm run sandbox` (tsx sandbox/cli.ts): env overrides, printed URLs and credentials, clean stop on SIGTERM. */
import { ChildProcess, spawn } from 'child_process';
import path from 'path';
import axios from 'axios';

const root = path.resolve(__dirname, '..', '..');

function startCli(env: Record<string, string>): {
	child: ChildProcess;
	output: () => string;
	exited: Promise<number | null>;
} {
	const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['sandbox/cli.ts'], {
		cwd: root,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	child.stdout!.on('data', (d) => (out += d));
	child.stderr!.on('data', (d) => (out += d));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	return { child, output: () => out, exited };
}

test('starts with env settings, prints URLs and credentials, stops on SIGTERM with exit code 0', async () => {
	const { child, output, exited } = startCli({
		SANDBOX_PORT: '0',
		SANDBOX_ACCOUNT_ID: 'coma_cli',
		SANDBOX_API_KEY: 'cli_key',
		SANDBOX_PUBLIC_KEY: 'pk_test_cli',
		SANDBOX_SECRET_KEY: 'sk_test_cli',
		SANDBOX_PROCESS_DELAY_MS: '5',
		SANDBOX_LATENCY_MS: '0',
	});
	try {
		const deadline = Date.now() + 20_000;
		while (!/Ctrl\+C/.test(output()) && Date.now() < deadline)
			await new Promise((r) => setTimeout(r, 50));
		const text = output();
		expect(text).toMatch(/PaymentsTrust sandbox running/);
		const baseUrl = /Base URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)![1];
		expect(text).toContain(`${baseUrl}/api`);
		expect(text).toContain(`${baseUrl}/public-api`);
		for (const v of ['coma_cli', 'cli_key', 'pk_test_cli', 'sk_test_cli'])
			expect(text).toContain(v);
		const r = await axios.get(`${baseUrl}/api/payout-services`, {
			auth: { username: 'coma_cli', password: 'cli_key' },
		});
		expect(r.status).toBe(200);
		expect((await axios.get(`${baseUrl}/__sandbox/config`)).data.processDelayMs).toBe(5);
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
		expect(output()).toMatch(/SIGTERM: stopping/);
	} finally {
		if (child.exitCode === null) child.kill('SIGKILL');
	}
});

test('refuses a bad number in the environment', async () => {
	const { output, exited } = startCli({ SANDBOX_PORT: '0', SANDBOX_LATENCY_MS: 'soon' });
	expect(await exited).toBe(2);
	expect(output()).toMatch(/SANDBOX_LATENCY_MS must be a number/);
});
