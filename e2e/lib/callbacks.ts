/**
 * Callbacks the suite sends itself: a real invoice's callback body (read back from the sandbox), re-addressed
 * to a new invoice id, signed the way PaymentsTrust signs them, or forged.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { SANDBOX_CREDENTIALS } from './sandbox';

/** X-Signature = base64(SHA-1(secret + raw body + secret)). */
export function sign(secret: string, rawBody: string): string {
	return createHash('sha1').update(secret + rawBody + secret).digest('base64');
}

/** `GET /api/payout-invoices/{id}` from the sandbox: the same JSON:API document a callback carries. */
export async function invoiceDocument(sandboxUrl: string, invoiceId: string): Promise<{ data: Record<string, unknown> }> {
	const auth = Buffer.from(`${SANDBOX_CREDENTIALS.accountId}:${SANDBOX_CREDENTIALS.apiKey}`).toString('base64');
	const res = await fetch(`${sandboxUrl}/api/payout-invoices/${encodeURIComponent(invoiceId)}`, {
		headers: { authorization: `Basic ${auth}`, accept: 'application/json' },
		signal: AbortSignal.timeout(10_000),
	});
	if (!res.ok) throw new Error(`GET /api/payout-invoices/${invoiceId} answered ${res.status}`);
	return (await res.json()) as { data: Record<string, unknown> };
}

/** A final-status callback body for an invoice id n8n has never seen. */
export function unseenInvoiceBody(template: { data: Record<string, unknown> }, id: string, referenceId: string): string {
	const data = JSON.parse(JSON.stringify(template.data)) as Record<string, unknown>;
	const attributes = { ...(data.attributes as Record<string, unknown>) };
	data.id = id;
	attributes.reference_id = referenceId;
	attributes.status = 'processed';
	attributes.resolution = 'ok';
	if (typeof attributes.updated === 'number') attributes.updated = Math.floor(Date.now() / 1000);
	data.attributes = attributes;
	return JSON.stringify({ data });
}

export async function postCallback(url: string, body: string, signature: string): Promise<{ status: number; text: string }> {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-signature': signature },
		body,
		signal: AbortSignal.timeout(15_000),
	});
	return { status: res.status, text: (await res.text()).slice(0, 300) };
}

const PAID_STATUSES = new Set(['processed', 'partially_processed']);

/**
 * The outcome files the callback example wrote (`<invoice id>.json`), compared with the truth: each file names
 * its own invoice, carries the invoice's final status, and says "paid" exactly for processed and partially
 * processed. `truth` maps invoice id → final status (from the sandbox's ledger, or what the suite itself sent).
 * Returns one line per file that says something else; a paid invoice written down as failed is the money error.
 */
export function outcomeFileMismatches(dir: string, truth: Map<string, string>): string[] {
	const wrong: string[] = [];
	for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
		const id = file.slice(0, -'.json'.length);
		let content: Record<string, unknown>;
		try {
			const parsed = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown;
			content = (Array.isArray(parsed) ? parsed[0] : parsed) as Record<string, unknown>;
		} catch (error) {
			wrong.push(`${file}: not JSON (${(error as Error).message})`);
			continue;
		}
		const status = truth.get(id);
		const expected = status === undefined ? undefined : PAID_STATUSES.has(status) ? 'paid' : 'failed';
		if (status === undefined) wrong.push(`${file}: no such invoice with a final status`);
		else if (content.invoiceId !== id || content.status !== status || content.outcome !== expected) {
			wrong.push(`${file}: says ${JSON.stringify({ invoiceId: content.invoiceId, status: content.status, outcome: content.outcome })}, truth ${status} (${expected})`);
		}
	}
	return wrong;
}
