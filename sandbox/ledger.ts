import { faultHttpStatus, FaultDecision } from './faults';
import { InvoiceStore } from './store';
import {
	LedgerCall,
	LedgerCallback,
	LedgerCounts,
	LedgerInvoice,
	LedgerSnapshot,
	LedgerSummary,
} from './types';

/**
 * What really happened, independent of what clients were told. Fault tests read it to prove a client's
 * idempotency: every reference_id became exactly one invoice, and every invoice was processed at most once,
 * however many 5xx, drops and retries there were on the way.
 */

export interface CallRecord {
	operation: 'create' | 'process';
	referenceId: string | null;
	invoiceId: string | null;
	committed: boolean;
	/** What the sandbox decided (201, 200, 401, 404, 409, 422); null when a fault came before handling. */
	decidedStatus: number | null;
	error: string | null;
	fault: FaultDecision | null;
}

const NOT_YET_FINAL = new Set(['created', 'processing', 'process_error']);

function emptyCounts(): LedgerCounts {
	return {
		total: 0,
		accepted: 0,
		rejected: 0,
		faulted: 0,
		committed: 0,
		faultedCommitted: 0,
		faultedNotCommitted: 0,
		rejectedByStatus: {},
	};
}

export class Ledger {
	private calls: LedgerCall[] = [];
	private callbacks: LedgerCallback[] = [];
	private createsByRef = new Map<string, number>();
	private processByInvoice = new Map<string, number>();
	private autoProcessed = new Set<string>();
	private callbacksPending = 0;

	record(rec: CallRecord): LedgerCall {
		const outcome = rec.fault
			? 'faulted'
			: rec.decidedStatus !== null && rec.decidedStatus < 300
				? 'accepted'
				: 'rejected';
		const call: LedgerCall = {
			seq: this.calls.length + 1,
			operation: rec.operation,
			at: new Date().toISOString(),
			referenceId: rec.referenceId,
			invoiceId: rec.invoiceId,
			outcome,
			committed: rec.committed,
			httpStatus: faultHttpStatus(rec.fault, rec.decidedStatus),
			decidedStatus: rec.decidedStatus,
			error: rec.error,
			fault: rec.fault ? { kind: rec.fault.kind, phase: rec.fault.phase } : null,
		};
		this.calls.push(call);
		if (rec.committed && rec.operation === 'create' && rec.referenceId !== null) {
			this.createsByRef.set(rec.referenceId, (this.createsByRef.get(rec.referenceId) ?? 0) + 1);
		}
		if (rec.committed && rec.operation === 'process' && rec.invoiceId)
			this.markProcessed(rec.invoiceId);
		return call;
	}

	/** auto_process moves an invoice to processing without a process call; it still counts for the invoice. */
	markProcessed(invoiceId: string, byAutoProcess = false): void {
		this.processByInvoice.set(invoiceId, (this.processByInvoice.get(invoiceId) ?? 0) + 1);
		if (byAutoProcess) this.autoProcessed.add(invoiceId);
	}

	callbackStarted(): void {
		this.callbacksPending++;
	}

	callbackFinished(): void {
		this.callbacksPending = Math.max(0, this.callbacksPending - 1);
	}

	recordCallback(entry: LedgerCallback): void {
		this.callbacks.push(entry);
	}

	clear(): void {
		this.calls = [];
		this.callbacks = [];
		this.createsByRef.clear();
		this.processByInvoice.clear();
		this.autoProcessed.clear();
		this.callbacksPending = 0;
	}

	summary(store: InvoiceStore, faultsInjected: number): LedgerSummary {
		const byStatus: Record<string, number> = {};
		let seeded = 0;
		let pending = 0;
		for (const inv of store.all()) {
			byStatus[inv.status] = (byStatus[inv.status] ?? 0) + 1;
			if (inv.seeded) seeded++;
			else if (NOT_YET_FINAL.has(inv.status)) pending++;
		}
		const createAttempts = emptyCounts();
		const processCalls = emptyCounts();
		for (const c of this.calls) {
			const counts = c.operation === 'create' ? createAttempts : processCalls;
			counts.total++;
			counts[c.outcome]++;
			if (c.committed) counts.committed++;
			if (c.outcome === 'faulted')
				c.committed ? counts.faultedCommitted++ : counts.faultedNotCommitted++;
			if (c.outcome === 'rejected' && c.decidedStatus !== null) {
				const key = String(c.decidedStatus);
				counts.rejectedByStatus[key] = (counts.rejectedByStatus[key] ?? 0) + 1;
			}
		}
		let delivered = 0;
		for (const cb of this.callbacks) if (cb.delivered) delivered++;
		return {
			invoices: store.size,
			seededInvoices: seeded,
			invoicesByStatus: byStatus,
			createAttempts,
			processCalls,
			referencesWithMultipleInvoices: [...this.createsByRef.values()].filter((n) => n > 1).length,
			invoicesProcessedMoreThanOnce: [...this.processByInvoice.values()].filter((n) => n > 1)
				.length,
			processedInvoices: this.processByInvoice.size,
			autoProcessed: this.autoProcessed.size,
			invoicesWithoutExplicitTestMode: store.all().filter((inv) => !inv.testModeExplicit).length,
			pendingProcessing: pending,
			callbacks: {
				attempts: this.callbacks.length,
				delivered,
				failed: this.callbacks.length - delivered,
				pending: this.callbacksPending,
			},
			faultsInjected,
		};
	}

	snapshot(store: InvoiceStore, faultsInjected: number, summaryOnly = false): LedgerSnapshot {
		const summary = this.summary(store, faultsInjected);
		if (summaryOnly) return { summary, invoices: [], calls: [], callbacks: [] };
		const invoices: LedgerInvoice[] = store.all().map((inv) => ({
			id: inv.id,
			referenceId: inv.referenceId,
			testMode: inv.testMode,
			testModeExplicit: inv.testModeExplicit,
			amount: inv.amount,
			currency: inv.currency,
			service: inv.service,
			status: inv.status,
			resolution: inv.resolution,
			created: inv.created,
			updated: inv.updated,
			seeded: inv.seeded,
			createsCommitted: inv.seeded ? 1 : (this.createsByRef.get(inv.referenceId) ?? 0),
			processCommitted: this.processByInvoice.get(inv.id) ?? 0,
		}));
		return {
			summary,
			invoices,
			calls: this.calls.map((c) => ({ ...c, fault: c.fault ? { ...c.fault } : null })),
			callbacks: this.callbacks.map((c) => ({ ...c })),
		};
	}
}
