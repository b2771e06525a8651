import type { FastifyInstance, HTTPMethods, RouteHandlerMethod } from 'fastify';
import { methodNotAllowed } from '../errors';
import { send } from './api-route';

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Registers a known API path: its real methods, and 405 Method Not Allowed (with an Allow header) for the others,
 * so a wrong method is told apart from an unknown path (404), as the reference's status table does.
 */
export function resource(
	app: FastifyInstance,
	url: string,
	handlers: Partial<Record<'GET' | 'POST', RouteHandlerMethod>>,
): void {
	const allowed = Object.keys(handlers) as ('GET' | 'POST')[];
	for (const method of allowed) app.route({ method, url, handler: handlers[method]! });
	// fastify answers HEAD itself for GET routes.
	const others = METHODS.filter(
		(m) => !allowed.includes(m as 'GET') && !(m === 'HEAD' && allowed.includes('GET')),
	);
	app.route({
		method: others,
		url,
		handler: (_req, reply) => {
			reply.header('allow', allowed.join(', '));
			return send(reply, methodNotAllowed());
		},
	});
}

/** Query parameter as one string (a repeated parameter takes its last value). */
export function queryString(query: unknown, name: string): string | undefined {
	const v = (query as Record<string, unknown>)[name];
	if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
	return v === undefined || v === null ? undefined : String(v);
}

/** A page number or size: positive integer, default when absent, capped at max; undefined when invalid. */
export function positiveInt(
	value: string | undefined,
	fallback: number,
	max = Infinity,
): number | undefined {
	if (value === undefined || value === '') return fallback;
	if (!/^\d+$/.test(value)) return undefined;
	const n = Number(value);
	if (n < 1) return undefined;
	return Math.min(n, max);
}
