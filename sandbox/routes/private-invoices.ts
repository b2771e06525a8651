import type { FastifyInstance, FastifyRequest } from 'fastify';
import { serviceByCode } from '../catalogue';
import type { SandboxContext } from '../context';
import { conflict, duplicateReference, notFound, validationFailed } from '../errors';
import { buildInvoice } from '../invoices';
import { KNOWN_STATUSES, startProcessing } from '../processing';
import { privateInvoice } from '../serialize';
import { validateCreate } from '../validation';
import { apiRoute } from './api-route';
import { positiveInt, queryString, resource } from './resource';

/** Private API payout invoices: create, process, get, list (HTTP Basic). */

type IdParams = { id: string };

const referenceOf = (body: unknown): string | null => {
	const ref = (body as { data?: { attributes?: { reference_id?: unknown } } } | undefined)?.data
		?.attributes?.reference_id;
	return typeof ref === 'string' ? ref : null;
};

export function privateInvoiceRoutes(app: FastifyInstance, ctx: SandboxContext): void {
	const base = `${ctx.privatePrefix}/payout-invoices`;

	const create = apiRoute(ctx, {
		op: 'create',
		auth: 'private',
		unhandled: (req) => ({
			operation: 'create',
			referenceId: referenceOf(req.body),
			invoiceId: null,
		}),
		handle(req, fault) {
			const v = validateCreate(req.body);
			if (!v.ok) {
				ctx.ledger.record({
					operation: 'create',
					referenceId: v.referenceId ?? referenceOf(req.body),
					invoiceId: null,
					committed: false,
					decidedStatus: 422,
					error: `invalid: ${Object.keys(v.errors).join(', ')}`,
					fault,
				});
				return validationFailed(v.errors);
			}
			const { input } = v;
			const existing = ctx.store.getByReference(input.referenceId);
			if (existing) {
				// Nothing is written: the first invoice stays exactly as it was.
				ctx.ledger.record({
					operation: 'create',
					referenceId: input.referenceId,
					invoiceId: existing.id,
					committed: false,
					decidedStatus: 409,
					error: 'duplicated_reference_id',
					fault,
				});
				return duplicateReference(
					`Payout invoice with reference_id "${input.referenceId}" already exists (${existing.id}).`,
					privateInvoice(existing, false, ctx.privatePrefix),
				);
			}
			const inv = ctx.store.add(buildInvoice(ctx, input));
			ctx.ledger.record({
				operation: 'create',
				referenceId: inv.referenceId,
				invoiceId: inv.id,
				committed: true,
				decidedStatus: 201,
				error: null,
				fault,
			});
			// An account without the option (config autoProcessEnabled false) keeps the invoice in `created`.
			if (input.options.auto_process && ctx.config.autoProcessEnabled) {
				startProcessing(ctx, inv, input.service);
				ctx.ledger.markProcessed(inv.id, true);
			}
			return { status: 201, body: { data: privateInvoice(inv, true, ctx.privatePrefix) } };
		},
	});

	const list = apiRoute(ctx, {
		op: 'list',
		auth: 'private',
		handle(req) {
			const q = req.query;
			const errors: Record<string, string> = {};
			const size = positiveInt(queryString(q, 'page[size]'), 20, 100);
			if (size === undefined) errors['page[size]'] = 'This value should be a positive integer.';
			const after = queryString(q, 'page[after]') || undefined;
			const before = queryString(q, 'page[before]') || undefined;
			if (after && before) errors.page = 'Use either page[after] or page[before], not both.';
			const referenceId = queryString(q, 'filter[reference_id]');
			const statusText = queryString(q, 'filter[status]');
			let statuses: Set<string> | undefined;
			if (statusText) {
				statuses = new Set(
					statusText
						.split(',')
						.map((s) => s.trim())
						.filter(Boolean),
				);
				const unknown = [...statuses].filter((s) => !KNOWN_STATUSES.includes(s));
				if (unknown.length) errors['filter[status]'] = `Unknown status: ${unknown.join(', ')}.`;
			}
			if (Object.keys(errors).length) return validationFailed(errors);
			const page = ctx.store.page({
				size: size!,
				after,
				before,
				statuses,
				referenceId: referenceId || undefined,
			});
			if (!page)
				return validationFailed({
					[after ? 'page[after]' : 'page[before]']: 'Payout invoice not found.',
				});
			const first = page.items[0]?.id ?? null;
			const last = page.items[page.items.length - 1]?.id ?? null;
			// Links keep the filters so following links.next walks the same selection.
			const keep = [`page[size]=${size}`];
			if (referenceId) keep.push(`filter[reference_id]=${encodeURIComponent(referenceId)}`);
			if (statusText) keep.push(`filter[status]=${encodeURIComponent(statusText)}`);
			const link = (cursor: string) => `${base}?${[...keep, cursor].join('&')}`;
			return {
				status: 200,
				body: {
					// As in the reference's sample: `after` is the first (newest) item of the page, `before` the last.
					meta: { count: page.items.length, size, before: last, after: first },
					links: {
						prev: page.hasPrev && first ? link(`page[before]=${first}`) : '',
						next: page.hasNext && last ? link(`page[after]=${last}`) : '',
					},
					data: page.items.map((inv) => privateInvoice(inv, false, ctx.privatePrefix)),
				},
			};
		},
	});

	const get = apiRoute(ctx, {
		op: 'get',
		auth: 'private',
		handle(req: FastifyRequest) {
			const inv = ctx.store.get((req.params as IdParams).id);
			return inv
				? { status: 200, body: { data: privateInvoice(inv, true, ctx.privatePrefix) } }
				: notFound();
		},
	});

	const processInvoice = apiRoute(ctx, {
		op: 'process',
		auth: 'private',
		unhandled: (req) => {
			const id = (req.params as IdParams).id;
			return {
				operation: 'process',
				invoiceId: id,
				referenceId: ctx.store.get(id)?.referenceId ?? null,
			};
		},
		handle(req, fault) {
			const id = (req.params as IdParams).id;
			const inv = ctx.store.get(id);
			if (!inv) {
				ctx.ledger.record({
					operation: 'process',
					referenceId: null,
					invoiceId: id,
					committed: false,
					decidedStatus: 404,
					error: 'not_found',
					fault,
				});
				return notFound();
			}
			if (inv.status !== 'created') {
				ctx.ledger.record({
					operation: 'process',
					referenceId: inv.referenceId,
					invoiceId: id,
					committed: false,
					decidedStatus: 409,
					error: 'invalid_status',
					fault,
				});
				return conflict(
					'invalid_status',
					`Payout invoice ${id} is ${inv.status}; only a created invoice can be processed.`,
				);
			}
			startProcessing(ctx, inv, serviceByCode(inv.service));
			ctx.ledger.record({
				operation: 'process',
				referenceId: inv.referenceId,
				invoiceId: id,
				committed: true,
				decidedStatus: 200,
				error: null,
				fault,
			});
			return { status: 200, body: { data: privateInvoice(inv, true, ctx.privatePrefix) } };
		},
	});

	resource(app, base, { GET: list, POST: create });
	resource(app, `${base}/:id`, { GET: get });
	resource(app, `${base}/:id/process`, { POST: processInvoice });
}
