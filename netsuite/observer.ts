/**
 * What the NetSuite client reports about each request, for metrics. The client knows nothing about
 * Prometheus; observability/metrics.ts implements this.
 */
export interface NetSuiteObserver {
  /** A request got a slot and is about to go out. */
  started(account: string): void;
  /** It ended: with NetSuite's status code, or `error` when no answer came. */
  finished(account: string, operation: NetSuiteOperation, outcome: number | 'error', seconds: number): void;
  /** No slot of the account's concurrency limit freed up in time: retried later, like a 429. */
  slotWaitTimedOut(account: string): void;
}

export type NetSuiteOperation = 'token' | 'upsertInvoice' | 'getInvoice' | 'suiteql' | 'getCustomer';
