/**
 * Payout services are read in one place, payouts/services.ts. This re-export only keeps the import
 * of runPayoutOperation.ts working until that file imports payouts/services.ts itself.
 */
export { serviceCodesById } from '../../payouts/services';
