import { timingSafeEqual } from 'crypto';
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { SandboxContext } from '../context';
import { ApiResult, serverError, tooManyRequests, unauthorized } from '../errors';
import { FaultDecision } from '../faults';
import { CallRecord } from '../ledger';
import { FaultOperation } from '../types';

/**
 * The one path every API request takes: authentication, fault injection, the handler, then the answer.
 *
 * A handler returns its answer instead of sending it, so a fault "after commit" can run the handler (the invoice is
 * created or processed for real) and then replace or drop the answer. Handlers of writes record themselves in the
 * ledger (they know whether they committed); requests that never reach the handler (401, a fault before commit) are
 * recorded here through `unhandled`.
 */

export type Auth = 'private' | 'public';

export interface ApiRouteSpec {
	op: FaultOperation;
	auth: Auth;
	handle(req: FastifyRequest, fault: FaultDecision | null): ApiResult | Promise<ApiResult>;
	/** For writes: what to put in the ledger for a request the handler never saw. */
	unhandled?(req: FastifyRequest): Pick<CallRecord, 'operation' | 'referenceId' | 'invoiceId'>;
}

function safeEqual(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

function isAuthorized(ctx: SandboxContext, req: FastifyRequest, auth: Auth): boolean {
	if (auth === 'private') {
		const header = req.headers.authorization ?? '';
		const m = /^Basic\s+(.+)$/i.exec(header);
		if (!m) return false;
		const decoded = Buffer.from(m[1].trim(), 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return false;
		return (
			safeEqual(decoded.slice(0, colon), ctx.options.accountId) &&
			safeEqual(decoded.slice(colon + 1), ctx.options.apiKey)
		);
	}
	// Public API: public_key in the JSON body (the pre-request sample) or, for GETs, in the query string.
	const body = req.body as Record<string, unknown> | undefined;
	const query = req.query as Record<string, unknown>;
	const key = (body && typeof body === 'object' ? body.public_key : undefined) ?? query.public_key;
	return typeof key === 'string' && safeEqual(key, ctx.options.publicKey);
}

export function send(reply: FastifyReply, result: ApiResult): FastifyReply {
	if (result.headers) reply.headers(result.headers);
	reply.code(result.status);
	if (result.body === undefined) return reply.send();
	return reply.type('application/json').send(result.body);
}

/** Answers a fault: an error status, or (drop) a destroyed socket and no answer at all. */
function sendFault(
	ctx: SandboxContext,
	req: FastifyRequest,
	reply: FastifyReply,
	fault: FaultDecision,
): FastifyReply {
	if (fault.kind === 'drop') {
		reply.hijack();
		req.raw.socket.destroy();
		return reply;
	}
	if (fault.kind === '429') return send(reply, tooManyRequests(ctx.faults.retryAfterSeconds));
	return send(reply, serverError(Number(fault.kind) as 500 | 502 | 503 | 504));
}

export function apiRoute(ctx: SandboxContext, spec: ApiRouteSpec): RouteHandlerMethod {
	return async function handler(req, reply) {
		if (!isAuthorized(ctx, req, spec.auth)) {
			if (spec.unhandled) {
				ctx.ledger.record({
					...spec.unhandled(req),
					committed: false,
					decidedStatus: 401,
					error: 'unauthorized',
					fault: null,
				});
			}
			return send(reply, unauthorized());
		}
		const fault = ctx.faults.decide(spec.op);
		if (fault?.phase === 'before') {
			if (spec.unhandled)
				ctx.ledger.record({
					...spec.unhandled(req),
					committed: false,
					decidedStatus: null,
					error: null,
					fault,
				});
			return sendFault(ctx, req, reply, fault);
		}
		const result = await spec.handle(req, fault);
		if (!fault) return send(reply, result);
		if (fault.kind === 'slow') {
			// If the client gave up meanwhile, sending into the closed socket is harmless.
			await ctx.timers.sleep(ctx.faults.slowMs);
			return send(reply, result);
		}
		return sendFault(ctx, req, reply, fault);
	};
}
