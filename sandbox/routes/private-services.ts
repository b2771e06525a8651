import type { FastifyInstance } from 'fastify';
import { SERVICES, serviceById } from '../catalogue';
import type { SandboxContext } from '../context';
import { notFound, validationFailed } from '../errors';
import { serviceResource } from '../serialize';
import { apiRoute } from './api-route';
import { positiveInt, queryString, resource } from './resource';

/** Private API payout services: numbered pages (page[number], page[size]) like the reference's sample. */
export function privateServiceRoutes(app: FastifyInstance, ctx: SandboxContext): void {
	const base = `${ctx.privatePrefix}/payout-services`;

	const list = apiRoute(ctx, {
		op: 'services',
		auth: 'private',
		handle(req) {
			const number = positiveInt(queryString(req.query, 'page[number]'), 1);
			const size = positiveInt(queryString(req.query, 'page[size]'), 20, 100);
			const errors: Record<string, string> = {};
			if (number === undefined) errors['page[number]'] = 'This value should be a positive integer.';
			if (size === undefined) errors['page[size]'] = 'This value should be a positive integer.';
			if (number === undefined || size === undefined) return validationFailed(errors);
			const total = SERVICES.length;
			const pages = Math.max(1, Math.ceil(total / size));
			const link = (n: number) => `${base}?page[number]=${n}&page[size]=${size}`;
			// first, next, last as in the sample; prev only past page 1, next only before the last page.
			const links: Record<string, string> = { first: link(1) };
			if (number > 1) links.prev = link(Math.min(number - 1, pages));
			if (number < pages) links.next = link(number + 1);
			links.last = link(pages);
			return {
				status: 200,
				body: {
					meta: { total, pages, page: number },
					links,
					data: SERVICES.slice((number - 1) * size, number * size).map((s) =>
						serviceResource(s, ctx.testMode, ctx.privatePrefix),
					),
				},
			};
		},
	});

	const get = apiRoute(ctx, {
		op: 'services',
		auth: 'private',
		handle(req) {
			const service = serviceById((req.params as { id: string }).id);
			return service
				? { status: 200, body: { data: serviceResource(service, ctx.testMode, ctx.privatePrefix) } }
				: notFound();
		},
	});

	resource(app, base, { GET: list });
	resource(app, `${base}/:id`, { GET: get });
}
