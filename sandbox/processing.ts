import { SandboxContext, nowSeconds } from './context';
import { PayoutService } from './catalogue';
import { roundMoney } from './money';
import { Invoice } from './store';

/**
 * The status machine of a payout invoice: created → processing (at once, on process or auto_process) → a final
 * status after `processDelayMs`. Every change updates `updated` and triggers a callback.
 *
 * How an invoice ends:
 * - test_usd, as docs/platform.md#the-test-service describes: `test_details_success_rate` (0–100, default 100) is the chance of success;
 *   on success it ends in `test_details_payout_status`/`test_details_payout_resolution` (default processed/ok), on
 *   failure in process_failed with `test_details_payout_resolution` or declined_error.
 * - other services: by the last four digits of the service's first field (card number, IBAN, account, e-mail…),
 *   see MAGIC_ENDINGS; anything else is processed/ok.
 */

export const KNOWN_STATUSES = [
	'created',
	'processing',
	'process_pending',
	'processed',
	'partially_processed',
	'process_error',
	'process_failed',
	'expired',
	'terminated',
	'canceling',
	'cancel_pending',
	'cancel_error',
	'cancel_failed',
	'partially_canceled',
	'canceled',
];

/** Magic last four digits of the first field of a non-test service → final status and resolution. */
export const MAGIC_ENDINGS: Record<string, { status: string; resolution: string }> = {
	'0002': { status: 'process_failed', resolution: 'insufficient_funds' },
	'0003': { status: 'process_failed', resolution: 'invalid_details' },
	'0004': { status: 'process_failed', resolution: 'recipient_not_found' },
	'0005': { status: 'process_failed', resolution: 'limit_violation' },
	// Stays at the gateway: never reaches a final status (tests of polling timeouts).
	'0009': { status: 'process_pending', resolution: 'ok' },
};

/** "Processed", "partially-processed", "process failed" → the API's snake_case status. */
export function normalizeStatus(value: string): string {
	return value
		.trim()
		.toLowerCase()
		.replace(/[\s-]+/g, '_');
}

export function lastFourDigits(value: string): string {
	return value.replace(/\D/g, '').slice(-4);
}

function decideOutcome(
	ctx: SandboxContext,
	inv: Invoice,
	service: PayoutService | undefined,
): { status: string; resolution: string } {
	if (inv.method === 'test') {
		const rateText = inv.fields.test_details_success_rate;
		const rate = rateText === undefined || rateText === '' ? 100 : Number(rateText);
		// Drawn even at 0 or 100 so the stream (and therefore later outcomes) does not depend on the rates used.
		const success = ctx.outcomeRandom() * 100 < rate;
		const wantedStatus = inv.fields.test_details_payout_status;
		const wantedResolution = inv.fields.test_details_payout_resolution;
		if (success) {
			return {
				status: wantedStatus ? normalizeStatus(wantedStatus) : 'processed',
				resolution: wantedResolution ? normalizeStatus(wantedResolution) : 'ok',
			};
		}
		return {
			status: 'process_failed',
			resolution: wantedResolution ? normalizeStatus(wantedResolution) : 'declined_error',
		};
	}
	const first = service?.fields[0]?.key;
	const magic = first ? MAGIC_ENDINGS[lastFourDigits(inv.fields[first] ?? '')] : undefined;
	return magic ?? { status: 'processed', resolution: 'ok' };
}

function changeStatus(ctx: SandboxContext, inv: Invoice, status: string, resolution: string): void {
	inv.status = status;
	inv.resolution = resolution;
	inv.updated = nowSeconds();
	ctx.callbacks.notify(inv);
}

/** Sets the processed_* amounts for a final status. */
function settle(inv: Invoice): void {
	if (inv.status === 'processed') {
		inv.processed = nowSeconds();
		inv.processedAmount = inv.amount;
		inv.processedFee = inv.fee;
		inv.processedWriteoff = inv.writeoff;
	} else if (inv.status === 'partially_processed') {
		inv.processed = nowSeconds();
		inv.processedAmount = roundMoney(inv.amount / 2, inv.currency);
		inv.processedFee = inv.fee;
		inv.processedWriteoff = roundMoney(inv.processedAmount + inv.fee, inv.currency);
	} else if (inv.status !== 'process_pending' && inv.status !== 'processing') {
		// A failed, expired or cancelled payout paid nothing.
		inv.processedAmount = 0;
		inv.processedFee = 0;
		inv.processedWriteoff = 0;
	}
}

/** Moves a `created` invoice to processing now and to its final status after processDelayMs. */
export function startProcessing(
	ctx: SandboxContext,
	inv: Invoice,
	service: PayoutService | undefined,
): void {
	changeStatus(ctx, inv, 'processing', 'ok');
	ctx.timers.after(ctx.config.processDelayMs, () => {
		const { status, resolution } = decideOutcome(ctx, inv, service);
		if (status === 'processing') return;
		const finish = () => {
			inv.status = status;
			settle(inv);
			changeStatus(ctx, inv, status, resolution);
		};
		if (status !== 'process_failed') return finish();
		// As on the platform: a failed attempt is process_error (it would be retried) before process_failed, the
		// final status once the attempt limit is reached.
		changeStatus(ctx, inv, 'process_error', resolution);
		ctx.timers.after(Math.max(1, Math.floor(ctx.config.processDelayMs / 2)), finish);
	});
}
