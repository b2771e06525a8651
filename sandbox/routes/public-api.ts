import type { FastifyInstance } from 'fastify';
import { SERVICES, isUsable } from '../catalogue';
import type { SandboxContext } from '../context';
import { notFound, validationFailed } from '../errors';
import { prerequestBody, publicInvoice } from '../serialize';
import { toAmount } from '../validation';
import { apiRoute } from './api-route';
import { queryString, resource } from './resource';

/**
 * Public API (public key instead of Basic auth): the payout pre-request, and invoice look-ups by id or reference_id
 * in the flat public shape. A look-up by reference_id answers like the look-up by id (one object, or 404), since the
 * reference shows only that shape and a reference_id names at most one invoice.
 */
export const PUBLIC_PREFIX = '/public-api';

export function publicApiRoutes(app: FastifyInstance, ctx: SandboxContext): void {
	const prerequest = apiRoute(ctx, {
		op: 'prerequest',
		auth: 'public',
		handle(req) {
			const body = (req.body ?? {}) as Record<string, unknown>;
			const errors: Record<string, string> = {};
			const currency = body.currency;
			if (typeof currency !== 'string' || !/^[A-Z]{3,4}$/.test(currency)) {
				errors.currency =
					currency === undefined || currency === ''
						? 'This value should not be blank.'
						: 'This value is not a valid currency.';
			}
			const amount = toAmount(body.amount);
			if (body.amount === undefined || body.amount === null || body.amount === '')
				errors.amount = 'This value should not be blank.';
			else if (!Number.isFinite(amount)) errors.amount = 'This value should be of type numeric.';
			else if (amount <= 0) errors.amount = 'This value should be greater than 0.';
			if (Object.keys(errors).length) return validationFailed(errors);
			const services = SERVICES.filter(
				(s) =>
					isUsable(s) && s.currency === currency && amount >= s.amountMin && amount <= s.amountMax,
			);
			return {
				status: 200,
				body: prerequestBody(currency as string, amount, ctx.testMode, services, ctx.baseUrl),
			};
		},
	});

	const getById = apiRoute(ctx, {
		op: 'get',
		auth: 'public',
		handle(req) {
			const inv = ctx.store.get((req.params as { id: string }).id);
			return inv ? { status: 200, body: { data: publicInvoice(inv) } } : notFound();
		},
	});

	const getByReference = apiRoute(ctx, {
		op: 'get',
		auth: 'public',
		handle(req) {
			const ref = queryString(req.query, 'filter[reference_id]');
			if (!ref)
				return validationFailed({ 'filter[reference_id]': 'This value should not be blank.' });
			const inv = ctx.store.getByReference(ref);
			return inv ? { status: 200, body: { data: publicInvoice(inv) } } : notFound();
		},
	});

	resource(app, `${PUBLIC_PREFIX}/payout-prerequest`, { POST: prerequest });
	resource(app, `${PUBLIC_PREFIX}/payout-invoices`, { GET: getByReference });
	resource(app, `${PUBLIC_PREFIX}/payout-invoices/:id`, { GET: getById });
}
