import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SandboxContext } from '../context';
import { Control } from '../control';
import { ConfigError } from '../faults';
import { SeedOptions } from '../types';

/**
 * Control endpoints for tests, the demo and benchmarks. No authentication, never delayed, never faulted.
 * A bad request answers 400 {"error":"<what is wrong>"}.
 */
export const CONTROL_PREFIX = '/__sandbox';

function guarded(reply: FastifyReply, fn: () => unknown) {
	try {
		return reply.send(fn());
	} catch (err) {
		if (err instanceof ConfigError) return reply.code(400).send({ error: err.message });
		throw err;
	}
}

export function controlRoutes(app: FastifyInstance, ctx: SandboxContext, control: Control): void {
	const p = CONTROL_PREFIX;
	app.get(`${p}/health`, async () => ({
		ok: true,
		baseUrl: ctx.baseUrl,
		invoices: ctx.store.size,
	}));

	app.post(`${p}/reset`, async () => {
		control.reset();
		return { ok: true };
	});

	app.get(`${p}/ledger`, async (req) => {
		const summary = (req.query as Record<string, string>).summary;
		return control.ledger(summary === '1' || summary === 'true');
	});

	app.get(`${p}/config`, async () => control.config());
	app.post(`${p}/config`, (req, reply) =>
		guarded(reply, () => control.configure((req.body ?? {}) as object)),
	);

	app.get(`${p}/faults`, async () => control.faults());
	app.post(`${p}/faults`, (req, reply) =>
		guarded(reply, () => control.setFaults((req.body ?? null) as object | null)),
	);
	app.delete(`${p}/faults`, async () => control.setFaults(null));

	app.post(`${p}/seed`, (req, reply) =>
		guarded(reply, () => {
			const body = (req.body ?? {}) as Partial<SeedOptions>;
			const { count, ...rest } = body;
			return control.seedInvoices(count as number, rest);
		}),
	);
}
