import type { Account } from './state';

/**
 * NetSuite counts requests in flight per account and refuses the one that would exceed the limit, rather
 * than queueing it. A slot is held for the whole request, injected latency included, so tests can build
 * real overlap.
 */
export function tryAcquireSlot(account: Account): boolean {
  const stats = account.stats;
  if (stats.inFlight >= account.concurrencyLimit) {
    stats.rejectedByConcurrency += 1;
    return false;
  }
  stats.inFlight += 1;
  stats.peakConcurrency = Math.max(stats.peakConcurrency, stats.inFlight);
  return true;
}

export function releaseSlot(account: Account): void {
  account.stats.inFlight = Math.max(0, account.stats.inFlight - 1);
}

export function resetPeak(account: Account): void {
  account.stats.peakConcurrency = account.stats.inFlight;
}
