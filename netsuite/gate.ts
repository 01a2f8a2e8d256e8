/**
 * Admission to NetSuite for one request on one account: resolves when a slot is held and returns its
 * release. The NetSuite client asks it before every request, so the account's concurrency limit holds
 * across every worker, not just within one process.
 */
export type ConcurrencyGate = (accountId: string) => Promise<() => Promise<void>>;

export class ConcurrencySlotTimeoutError extends Error {
  constructor(accountId: string, waitedMs: number) {
    super(`no free NetSuite request slot for account ${accountId} after ${waitedMs} ms: every slot of its concurrency limit is busy`);
    this.name = 'ConcurrencySlotTimeoutError';
  }
}
