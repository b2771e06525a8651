/**
 * Callbacks the suite sends itself: a real invoice's callback body (read back from the sandbox), re-addressed
 * to a new invoice id, signed the way PaymentsTrust signs them, or forged.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { SANDBOX_CREDENTIALS } from './sandbox';

/** X-Signature = base64(SHA-1(secret + raw body + secret)). */
export function sign(secret: string, rawBody: string): string {
	return createHash('sha1')
		.update(secret + rawBody + secret)
		.digest('base64');
}

/** Signed as the sandbox signs test-mode callbacks: with the credential's Test Secret Key. */
export function signAsSandbox(rawBody: string): string {
	return sign(SANDBOX_CREDENTIALS.testSecretKey, rawBody);
}

/** Signed with a secret that is not the credential's: a forged callback. */
export function signForged(rawBody: string): string {
	return sign('sk_test_not_the_secret', rawBody);
}

/** `GET /api/payout-invoices/{id}` from the sandbox: the same JSON:API document a callback carries. */
export async function invoiceDocument(
	sandboxUrl: string,
	invoiceId: string,
): Promise<{ data: Record<string, unknown> }> {
	const auth = Buffer.from(
		`${SANDBOX_CREDENTIALS.accountId}:${SANDBOX_CREDENTIALS.apiKey}`,
	).toString('base64');
	const res = await fetch(`${sandboxUrl}/api/payout-invoices/${encodeURIComponent(invoiceId)}`, {
		headers: { authorization: `Basic ${auth}`, accept: 'application/json' },
		signal: AbortSignal.timeout(10_000),
	});
	if (!res.ok) throw new Error(`GET /api/payout-invoices/${invoiceId} answered ${res.status}`);
	return (await res.json()) as { data: Record<string, unknown> };
}

/** A final-status callback body for an invoice id n8n has never seen. */
export function unseenInvoiceBody(
	template: { data: Record<string, unknown> },
	id: string,
	referenceId: string,
): string {
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

export async function postCallback(
	url: string,
	body: string,
	signature: string,
): Promise<{ status: number; text: string }> {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-signature': signature },
		body,
		signal: AbortSignal.timeout(15_000),
	});
	return { status: res.status, text: (await res.text()).slice(0, 300) };
}

/** The statuses after which an invoice never changes again. */
export const FINAL_STATUSES = new Set([
	'processed',
	'partially_processed',
	'process_failed',
	'expired',
	'terminated',
	'cancel_failed',
	'partially_canceled',
	'canceled',
]);

/** The final statuses that mean the recipient was paid (all or part); every other final status is a failure. */
export const PAID_STATUSES = new Set(['processed', 'partially_processed']);

/** The final statuses in which no money moved: the only ones after which a row's next attempt may exist. */
export const NO_MONEY_STATUSES = new Set(['process_failed', 'expired', 'terminated', 'canceled']);

/**
 * What is wrong with the outcome file the callback example wrote for one invoice (`<dir>/<id>.json`), or undefined
 * when it is right: it names its own invoice, carries the invoice's final status (`status`, from the sandbox's
 * ledger or what the suite itself sent; undefined when the invoice has none), and says "paid" exactly for processed
 * and partially processed. A paid invoice written down as failed is the money error.
 */
export function outcomeFileProblem(
	dir: string,
	id: string,
	status: string | undefined,
): string | undefined {
	const file = `${id}.json`;
	if (!existsSync(path.join(dir, file))) return `${file}: no outcome file`;
	let content: Record<string, unknown>;
	try {
		const parsed = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown;
		content = (Array.isArray(parsed) ? parsed[0] : parsed) as Record<string, unknown>;
	} catch (error) {
		return `${file}: not JSON (${(error as Error).message})`;
	}
	if (status === undefined) return `${file}: no such invoice with a final status`;
	const expected = PAID_STATUSES.has(status) ? 'paid' : 'failed';
	if (content.invoiceId !== id || content.status !== status || content.outcome !== expected) {
		return `${file}: says ${JSON.stringify({ invoiceId: content.invoiceId, status: content.status, outcome: content.outcome })}, truth ${status} (${expected})`;
	}
	return undefined;
}

/** `outcomeFileProblem` for every outcome file in `dir`; `truth` maps invoice id → final status. */
export function outcomeFileMismatches(dir: string, truth: Map<string, string>): string[] {
	return readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.map((file) => file.slice(0, -'.json'.length))
		.map((id) => outcomeFileProblem(dir, id, truth.get(id)))
		.filter((problem): problem is string => problem !== undefined);
}
