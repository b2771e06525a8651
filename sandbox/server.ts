import Fastify, { FastifyInstance, FastifyRequest } from 'fastify';
import { SandboxContext } from './context';
import { Control } from './control';
import { badRequest, notFound, payloadTooLarge, serverError } from './errors';
import { send } from './routes/api-route';
import { CONTROL_PREFIX, controlRoutes } from './routes/control';
import { privateInvoiceRoutes } from './routes/private-invoices';
import { privateServiceRoutes } from './routes/private-services';
import { publicApiRoutes } from './routes/public-api';
import { staticRoutes } from './routes/static';

/** Builds the fastify app: body parsing, latency, error shapes, and the route groups. */

class BadJson extends Error {
	statusCode = 400;
}

/**
 * Bodies are read as text and parsed as JSON whatever the Content-Type says (clients differ in what they send), an
 * empty body is "no body" (a process call may come with Content-Type: application/json and nothing else), and
 * malformed JSON answers 400 in the reference's error shape.
 */
function parseBody(
	_req: FastifyRequest,
	body: string,
	done: (err: Error | null, value?: unknown) => void,
): void {
	if (body.trim() === '') return done(null, undefined);
	try {
		done(null, JSON.parse(body));
	} catch {
		done(new BadJson('Malformed JSON body'));
	}
}

const isApiPath = (url: string) => !url.startsWith(CONTROL_PREFIX) && !url.startsWith('/static/');

export function buildServer(ctx: SandboxContext, control: Control): FastifyInstance {
	const app = Fastify({
		logger: false,
		// Tests start and stop many sandboxes: close() must not wait for keep-alive connections.
		forceCloseConnections: true,
		routerOptions: { ignoreTrailingSlash: true },
		bodyLimit: 1024 * 1024,
	});

	app.removeAllContentTypeParsers();
	app.addContentTypeParser('application/json', { parseAs: 'string' }, parseBody);
	app.addContentTypeParser('*', { parseAs: 'string' }, parseBody);

	// Latency applies to every API answer, 401/404/405 included, but never to the control endpoints.
	app.addHook('onRequest', async (req) => {
		if (ctx.config.latencyMs > 0 && isApiPath(req.url))
			await ctx.timers.sleep(ctx.config.latencyMs);
	});

	app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
		const status = err.statusCode ?? 500;
		if (status === 413) return send(reply, payloadTooLarge());
		if (status >= 400 && status < 500) return send(reply, badRequest());
		return send(reply, serverError(500));
	});
	app.setNotFoundHandler((_req, reply) => send(reply, notFound()));

	publicApiRoutes(app, ctx);
	privateServiceRoutes(app, ctx);
	privateInvoiceRoutes(app, ctx);
	controlRoutes(app, ctx, control);
	staticRoutes(app);
	return app;
}
