import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { assertPrerequestMode } from '../../shared/environment';
import { normaliseRegexp } from './serviceFields';
import { toNodeApiError } from '../transport/errors';
import { endpointsFor } from '../transport/request';
import type { RetryPolicy } from '../transport/retryPolicy';
import { fieldRulesPrerequest, listServiceResources, serviceAttributes } from './services';

export interface FieldRule {
	key: string;
	label: string;
	/** The service's own hint for the field (English), when it has one. */
	hint?: string;
	required: boolean;
	pattern?: RegExp;
}

/** What the platform allows for one service: where its limits and field rules come from. */
export interface ServiceRules {
	code: string;
	/** Invoice currency the service takes (the `currency` of the payout service). */
	currency: string;
	serviceCurrency: string;
	amountMin: unknown;
	amountMax: unknown;
	usable: boolean;
	/** Fee rules of the service (numbers as the API gives them), for the Validate cost preview. */
	feeFix?: unknown;
	feeRate?: unknown;
	feeMin?: unknown;
	feeMax?: unknown;
	/** Invoice currency → service currency, from the pre-request; undefined without a public key. */
	exchangeRate?: unknown;
	/** Field rules from the pre-request; undefined when there is no public key to ask with. */
	fields?: FieldRule[];
}

function fieldRule(field: IDataObject): FieldRule {
	const label = (field.label ?? {}) as IDataObject;
	const hint = (field.hint ?? {}) as IDataObject;
	return {
		key: String(field.key),
		label: String(label.en ?? field.key),
		hint: typeof hint.en === 'string' ? hint.en : undefined,
		required: field.required === true,
		pattern: normaliseRegexp(field.regexp),
	};
}

/**
 * The account's payout services, read once per node run: limits from the Private API's service
 * list, field rules from one Public API pre-request per service. A run of ten thousand rows on one
 * service costs a handful of requests, and every check happens before the first invoice is created.
 */
export class ServiceCatalogue {
	private services?: Promise<Map<string, IDataObject>>;

	private readonly rules = new Map<string, Promise<ServiceRules | undefined>>();

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly policy: RetryPolicy,
	) {}

	rulesFor(code: string): Promise<ServiceRules | undefined> {
		let rules = this.rules.get(code);
		if (!rules) {
			rules = this.loadRules(code);
			this.rules.set(code, rules);
		}
		return rules;
	}

	private async loadServices(): Promise<Map<string, IDataObject>> {
		const resources = await listServiceResources(this.ctx, {
			limit: Infinity,
			onFailure: (outcome) =>
				toNodeApiError(this.ctx.getNode(), outcome, {
					action: 'Reading the payout services for validation',
				}),
			policy: this.policy,
		});
		const byCode = new Map<string, IDataObject>();
		for (const resource of resources) {
			const attributes = serviceAttributes(resource);
			if (typeof attributes.service === 'string') byCode.set(attributes.service, attributes);
		}
		return byCode;
	}

	private async loadRules(code: string): Promise<ServiceRules | undefined> {
		this.services ??= this.loadServices();
		const service = (await this.services).get(code);
		if (!service) return undefined;
		const rules: ServiceRules = {
			code,
			currency: String(service.currency ?? ''),
			serviceCurrency: String(service.service_currency ?? ''),
			amountMin: service.amount_min,
			amountMax: service.amount_max,
			usable: service.available !== false && service.enabled !== false,
			feeFix: service.fee_fix,
			feeRate: service.fee_rate,
			feeMin: service.fee_min,
			feeMax: service.fee_max,
		};
		const { publicKey, testMode } = await endpointsFor(this.ctx);
		if (!publicKey) return rules;
		const outcome = await fieldRulesPrerequest(this.ctx, service, publicKey, this.policy);
		if (outcome.kind !== 'response' || outcome.statusCode !== 200) {
			throw toNodeApiError(this.ctx.getNode(), outcome, {
				action: `Pre-request for service "${code}"`,
			});
		}
		// Before any invoice: a pre-request answering in the other mode stops the run.
		assertPrerequestMode(this.ctx.getNode(), outcome.body, testMode);
		const services = (((outcome.body.data ?? {}) as IDataObject).services ?? {}) as IDataObject;
		const entry = services[code] as IDataObject | undefined;
		if (entry && Array.isArray(entry.fields))
			rules.fields = (entry.fields as IDataObject[]).map(fieldRule);
		if (entry && entry.exchange_rate !== undefined) rules.exchangeRate = entry.exchange_rate;
		return rules;
	}
}
