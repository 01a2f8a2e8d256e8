/**
 * The statuses of an integration run: m3ter's own list (its API's enum, in its order), then our one
 * extension, SKIPPED (a filter says this integration is not for this bill).
 */
export const M3TER_RUN_STATUSES = [
  'WAITING',
  'STARTED',
  'COMPLETE',
  'ERROR',
  'AWAITING_RETRY',
  'AUTH_FAILED',
  'ACCOUNTING_PERIOD_CLOSED',
  'INVOICE_ALREADY_PAID',
  'DISABLED',
  'TIMEOUT_LIMIT_EXCEEDED',
  'RATE_LIMIT_RETRY',
] as const;

export const RUN_STATUSES = [...M3TER_RUN_STATUSES, 'SKIPPED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run that ended: nothing more happens to it (a re-run is a new run). */
export const TERMINAL_STATUSES = ['COMPLETE', 'ERROR', 'AUTH_FAILED', 'ACCOUNTING_PERIOD_CLOSED', 'INVOICE_ALREADY_PAID', 'TIMEOUT_LIMIT_EXCEEDED', 'DISABLED', 'SKIPPED'] as const satisfies readonly RunStatus[];

/**
 * A run that ended without the bill in NetSuite as asked: refused, given up on, or held back by a
 * disabled integration. Not SKIPPED (a filter decided the bill is not for it) and not WAITING.
 */
export const UNSENT_STATUSES = ['ERROR', 'AUTH_FAILED', 'ACCOUNTING_PERIOD_CLOSED', 'INVOICE_ALREADY_PAID', 'TIMEOUT_LIMIT_EXCEEDED', 'DISABLED'] as const satisfies readonly (typeof TERMINAL_STATUSES)[number][];

/** A run a live sync is still working on (it updates the run as it retries). */
export const IN_PROGRESS_STATUSES = ['STARTED', 'RATE_LIMIT_RETRY', 'AWAITING_RETRY'] as const satisfies readonly RunStatus[];

export function isRunStatus(value: string): value is RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(value);
}
