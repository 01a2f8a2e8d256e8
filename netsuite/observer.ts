import type { NetSuiteRecordType } from '../domain/externalId';

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

/** Every kind of request the client makes, as the metrics label it (e.g. `upsertInvoice`, `getCustomer`). */
export type NetSuiteOperation = 'token' | 'getCustomer' | 'suiteql' | `${'upsert' | 'get' | 'delete'}${Capitalize<NetSuiteRecordType>}`;
