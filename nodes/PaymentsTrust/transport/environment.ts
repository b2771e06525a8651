/**
 * The credential's Test/Live logic lives in nodes/shared/environment.ts, shared with the Trigger.
 * This re-export only keeps the import of runPayoutOperation.ts working until that file imports the
 * shared module itself.
 */
export { environmentName } from '../../shared/environment';
