import { createHash } from 'crypto';
import http from 'http';
import https from 'https';
import type { SandboxContext } from './context';
import { nowSeconds } from './context';
import { serviceByCode } from './catalogue';
import { stableId } from './ids';
import { currencyDecimals } from './money';
import { privateInvoice } from './serialize';
import { Invoice } from './store';

/**
 * Status callbacks, as the platform sends them: on every status change, POST the invoice exactly as
 * `GET /api/payout-invoices/{id}` shows it at that moment, signed with
 * X-Signature = base64(SHA-1(secret + rawBody + secret)) over the raw digest bytes.
 *
 * Only HTTP 200 counts as delivered; anything else, a connection error or a timeout is retried after
 * `callbackRetryDelaysMs` (last value repeating) up to `callbackMaxAttempts` attempts. Each status change is its own
 * delivery with its own retries, so a retried `processing` callback can arrive after the final one, as it can on
 * the platform (receivers de-duplicate on id + status and order by `updated`). A retry re-sends the same bytes.
 *
 * As on the platform, each callback is signed with the secret key of the invoice's mode (test or live), so one
 * callback URL receives both. With `callbackBatchMs` set, changes of one invoice closer together than that are sent
 * as one callback with the newest status ("we will batch callbacks … very close together"). Final callbacks of a
 * split payout carry its parts as `attributes.payouts`.
 */

export function signCallback(secretKey: string, rawBody: string | Buffer): string {
	return createHash('sha1')
		.update(
			Buffer.concat([
				Buffer.from(secretKey),
				Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody),
				Buffer.from(secretKey),
			]),
		)
		.digest('base64');
}

const FINAL = new Set([
	'processed',
	'partially_processed',
	'process_failed',
	'expired',
	'terminated',
	'cancel_failed',
	'partially_canceled',
	'canceled',
]);

/**
 * The parts of a split payout (split_mode and an amount above the service's maximum), on its final callbacks only:
 * equal parts of at most the service maximum (at most 100 parts), each ending as the invoice did.
 */
function splitParts(invoice: Invoice): Record<string, unknown>[] | undefined {
	if (!invoice.options.split_mode || !FINAL.has(invoice.status)) return undefined;
	const service = serviceByCode(invoice.service);
	if (!service || invoice.amount <= service.amountMax) return undefined;
	const count = Math.min(100, Math.ceil(invoice.amount / service.amountMax));
	const unit = 10 ** currencyDecimals(invoice.currency);
	const total = Math.round(invoice.amount * unit);
	const base = Math.floor(total / count);
	return Array.from({ length: count }, (_, i) => ({
		id: stableId('cpo', `${invoice.id}-${i + 1}`),
		amount: (i === count - 1 ? total - base * (count - 1) : base) / unit,
		currency: invoice.currency,
		status: invoice.status,
		resolution: invoice.resolution,
		test_mode: invoice.testMode,
	}));
}

interface Delivery {
	invoice: Invoice;
	invoiceStatus: string;
	testMode: boolean;
	url: string;
	body: string;
	signature: string;
	generation: number;
}

interface AttemptResult {
	httpStatus: number | null;
	error: string | null;
}

export class CallbackDispatcher {
	private generation = 0;
	private inFlight = new Set<http.ClientRequest>();
	/** Invoices with a batched callback waiting to go: it will carry the status the invoice has when it goes. */
	private batching = new Set<string>();

	constructor(private readonly ctx: SandboxContext) {}

	/** Called after every status change of an invoice that has a callback_url. */
	notify(invoice: Invoice): void {
		if (!invoice.callbackUrl) return;
		const batchMs = this.ctx.config.callbackBatchMs;
		this.ctx.ledger.callbackStarted();
		if (batchMs <= 0) {
			this.dispatch(invoice);
			return;
		}
		if (this.batching.has(invoice.id)) {
			// Folded into the callback already waiting: it counts as finished at once.
			this.ctx.ledger.callbackFinished();
			return;
		}
		this.batching.add(invoice.id);
		const generation = this.generation;
		this.ctx.timers.after(batchMs, () => {
			this.batching.delete(invoice.id);
			if (generation === this.generation) this.dispatch(invoice);
		});
	}

	private dispatch(invoice: Invoice): void {
		const data = privateInvoice(invoice, true, this.ctx.privatePrefix);
		const parts = splitParts(invoice);
		if (parts) data.attributes.payouts = parts;
		const body = JSON.stringify({ data });
		const secret = invoice.testMode
			? this.ctx.options.testSecretKey
			: this.ctx.options.liveSecretKey;
		const delivery: Delivery = {
			invoice,
			invoiceStatus: invoice.status,
			testMode: invoice.testMode,
			url: invoice.callbackUrl!,
			body,
			signature: signCallback(secret, body),
			generation: this.generation,
		};
		void this.attempt(delivery, 1);
	}

	/** Forget every delivery (reset/close): in-flight requests are aborted, scheduled retries never run. */
	cancelAll(): void {
		this.generation++;
		this.batching.clear();
		for (const req of this.inFlight) req.destroy();
		this.inFlight.clear();
	}

	private async attempt(d: Delivery, attempt: number): Promise<void> {
		const result = await this.send(d);
		if (d.generation !== this.generation) return;
		const delivered = result.httpStatus === 200;
		d.invoice.callbackLogs.push({
			attempt,
			invoice_status: d.invoiceStatus,
			url: d.url,
			http_status: result.httpStatus,
			error: result.error,
			created: nowSeconds(),
		});
		this.ctx.ledger.recordCallback({
			invoiceId: d.invoice.id,
			invoiceStatus: d.invoiceStatus,
			testMode: d.testMode,
			url: d.url,
			attempt,
			httpStatus: result.httpStatus,
			delivered,
			error: result.error,
			at: new Date().toISOString(),
		});
		const { callbackMaxAttempts, callbackRetryDelaysMs } = this.ctx.config;
		if (delivered || attempt >= callbackMaxAttempts) {
			this.ctx.ledger.callbackFinished();
			return;
		}
		const delay = callbackRetryDelaysMs[Math.min(attempt - 1, callbackRetryDelaysMs.length - 1)];
		this.ctx.timers.after(delay, () => void this.attempt(d, attempt + 1));
	}

	private send(d: Delivery): Promise<AttemptResult> {
		return new Promise((resolve) => {
			let settled = false;
			const finish = (r: AttemptResult) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				this.inFlight.delete(req);
				resolve(r);
			};
			let url: URL;
			try {
				url = new URL(d.url);
			} catch {
				resolve({ httpStatus: null, error: 'invalid callback URL' });
				return;
			}
			const transport = url.protocol === 'https:' ? https : http;
			// agent: false = one connection per attempt, closed afterwards: no pooled sockets outlive the sandbox.
			const req = transport.request(url, {
				method: 'POST',
				agent: false,
				headers: {
					'Content-Type': 'application/json',
					'Content-Length': Buffer.byteLength(d.body),
					'X-Signature': d.signature,
					'User-Agent': 'PaymentsTrust-Sandbox-Callback/1.0',
				},
			});
			const timeoutMs = this.ctx.config.callbackTimeoutMs;
			const timer = setTimeout(() => {
				req.destroy();
				finish({ httpStatus: null, error: `timeout after ${timeoutMs} ms` });
			}, timeoutMs);
			timer.unref();
			this.inFlight.add(req);
			req.on('response', (res) => {
				res.resume();
				res.on('end', () => finish({ httpStatus: res.statusCode ?? null, error: null }));
				res.on('error', (err) =>
					finish({ httpStatus: res.statusCode ?? null, error: err.message }),
				);
			});
			req.on('error', (err: NodeJS.ErrnoException) =>
				finish({ httpStatus: null, error: err.code ?? err.message }),
			);
			req.end(d.body);
		});
	}
}
