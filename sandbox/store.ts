import { newCustomerId } from './ids';

/** One attempt to deliver a status callback, as the invoice's `callback_logs` shows it. */
export interface CallbackLog {
	attempt: number;
	invoice_status: string;
	url: string;
	http_status: number | null;
	error: string | null;
	created: number;
}

export interface InvoiceOptions {
	auto_process: boolean;
	split_mode: boolean;
	parallel_mode: boolean;
	allow_partially: boolean;
}

/** A payout invoice as the sandbox keeps it; `serialize.ts` turns it into the API's shapes. */
export interface Invoice {
	id: string;
	/** Position in creation order: the cursor lookups of the list endpoint go through it. */
	index: number;
	referenceId: string;
	service: string;
	method: string;
	status: string;
	resolution: string;
	amount: number;
	payoutAmount: number;
	currency: string;
	serviceCurrency: string;
	serviceAmount: number;
	servicePayoutAmount: number;
	testMode: boolean;
	/** The create request said test_mode itself. */
	testModeExplicit: boolean;
	description: string | null;
	fee: number;
	writeoff: number;
	exchangeRate: number;
	processed: number | null;
	processedAmount: number | null;
	processedFee: number;
	processedWriteoff: number | null;
	metadata: unknown;
	created: number;
	updated: number;
	/** Field values as sent (card numbers unmasked: the magic values read them); masked on the way out. */
	fields: Record<string, string>;
	maskedField?: string;
	callbackUrl: string | null;
	source: string;
	callbackLogs: CallbackLog[];
	customerId: string | null;
	customer: Record<string, unknown> | null;
	context: unknown;
	options: InvoiceOptions;
	seeded: boolean;
}

export interface PageQuery {
	size: number;
	after?: string;
	before?: string;
	statuses?: Set<string>;
	referenceId?: string;
}

export interface Page {
	items: Invoice[];
	hasPrev: boolean;
	hasNext: boolean;
}

/**
 * In-memory invoices. Kept in an array in creation order plus maps by id and reference_id, so a cursor is found by
 * index in O(1) and a page costs O(page size) without filters, even with 100,000 invoices. Invoices are never
 * deleted (only `clear()` on reset), so an invoice's index stays valid.
 */
export class InvoiceStore {
	private items: Invoice[] = [];
	private byId = new Map<string, Invoice>();
	private byRef = new Map<string, Invoice>();
	private customers = new Map<string, string>();

	get size(): number {
		return this.items.length;
	}

	all(): readonly Invoice[] {
		return this.items;
	}

	get(id: string): Invoice | undefined {
		return this.byId.get(id);
	}

	getByReference(referenceId: string): Invoice | undefined {
		return this.byRef.get(referenceId);
	}

	hasId(id: string): boolean {
		return this.byId.has(id);
	}

	/** Adds an invoice; the caller has checked that its reference_id and id are unused. */
	add(invoice: Omit<Invoice, 'index'>): Invoice {
		const stored = invoice as Invoice;
		stored.index = this.items.length;
		this.items.push(stored);
		this.byId.set(stored.id, stored);
		this.byRef.set(stored.referenceId, stored);
		return stored;
	}

	/** The same customer reference_id always maps to the same `cus_…` id, as on the platform. */
	customerIdFor(referenceId: string): string {
		let id = this.customers.get(referenceId);
		if (!id) {
			id = newCustomerId();
			this.customers.set(referenceId, id);
		}
		return id;
	}

	clear(): void {
		this.items = [];
		this.byId.clear();
		this.byRef.clear();
		this.customers.clear();
	}

	/**
	 * One page, newest first. `after` = the id of the last invoice of the previous page (go to older ones), `before` =
	 * the id of the first invoice of the current page (go to newer ones). Returns undefined when a cursor is unknown.
	 */
	page(q: PageQuery): Page | undefined {
		const cursorId = q.after ?? q.before;
		let cursor: number | undefined;
		if (cursorId !== undefined) {
			const c = this.byId.get(cursorId);
			if (!c) return undefined;
			cursor = c.index;
		}
		const matches = (inv: Invoice): boolean =>
			(!q.statuses || q.statuses.has(inv.status)) &&
			(q.referenceId === undefined || inv.referenceId === q.referenceId);

		// A reference_id filter has at most one candidate: no need to walk the array.
		if (q.referenceId !== undefined) {
			const only = this.byRef.get(q.referenceId);
			const candidates = only && matches(only) ? [only] : [];
			const older = (i: Invoice) => cursor === undefined || i.index < cursor;
			const newer = (i: Invoice) => cursor !== undefined && i.index > cursor;
			const items = q.before !== undefined ? candidates.filter(newer) : candidates.filter(older);
			return {
				items: items.slice(0, q.size),
				hasPrev: items.length > 0 && candidates.some((i) => i.index > items[0].index),
				hasNext:
					items.length > 0 && candidates.some((i) => i.index < items[items.length - 1].index),
			};
		}

		const unfiltered = !q.statuses;
		const existsIn = (from: number, to: number): boolean => {
			// Is there a match with from <= index <= to? Without filters any index in range is one.
			if (from > to) return false;
			if (unfiltered) return true;
			for (let i = from; i <= to; i++) if (matches(this.items[i])) return true;
			return false;
		};

		const items: Invoice[] = [];
		if (q.before !== undefined && cursor !== undefined) {
			let i = cursor + 1;
			for (; i < this.items.length && items.length < q.size; i++)
				if (matches(this.items[i])) items.push(this.items[i]);
			items.reverse();
			if (items.length === 0) return { items, hasPrev: false, hasNext: false };
			return {
				items,
				hasPrev: existsIn(i, this.items.length - 1),
				hasNext: existsIn(0, items[items.length - 1].index - 1),
			};
		}
		let i = cursor !== undefined ? cursor - 1 : this.items.length - 1;
		for (; i >= 0 && items.length < q.size; i--)
			if (matches(this.items[i])) items.push(this.items[i]);
		if (items.length === 0) return { items, hasPrev: false, hasNext: false };
		return {
			items,
			hasPrev: existsIn(items[0].index + 1, this.items.length - 1),
			hasNext: existsIn(0, i),
		};
	}
}
