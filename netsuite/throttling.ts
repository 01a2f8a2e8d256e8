/**
 * How NetSuite calls are retried when NetSuite is throttled or away: growing, jittered delays from
 * `baseDelayMs` doubling up to `maxDelayMs`, and the run gives up after `maxAttempts` (the settings
 * NETSUITE_RETRY_BASE_MS, NETSUITE_RETRY_MAX_MS, NETSUITE_MAX_ATTEMPTS). The one retry budget of a send.
 */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

/** The pause before attempt `attempt + 1`: jittered ±50 % so many workers don't retry in lockstep. */
export function retryDelayMs(attempt: number, retry: RetryPolicy): number {
  const exponential = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + Math.random()));
}
