import type { FastifyInstance } from 'fastify';

/**
 * The pre-request's method logos and account icon point here rather than at any real host, so answers stay local.
 * Every such URL answers the same small SVG.
 */
const SVG =
	'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
	'<rect width="64" height="64" rx="12" fill="#1f6feb"/>' +
	'<text x="32" y="41" font-family="sans-serif" font-size="26" fill="#fff" text-anchor="middle">PT</text></svg>';

export function staticRoutes(app: FastifyInstance): void {
	app.get('/static/*', async (_req, reply) => reply.type('image/svg+xml').send(SVG));
}
