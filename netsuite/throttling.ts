/**
 * How hard the service pushes a NetSuite account, and how it backs off when NetSuite pushes back:
 * every number of it in one place. The retry budget comes from the environment (NETSUITE_RETRY_BASE_MS,
 * NETSUITE_RETRY_MAX_MS, NETSUITE_MAX_ATTEMPTS); the rest are defaults a deployment rarely changes.
 */

/**
 * Sends retried while NetSuite is throttled or away: delays from `baseDelayMs` doubling to `maxDelayMs`;
 * the run gives up after `maxAttempts` (ERROR), or once its first attempt is `timeLimitMs` old
 * (TIMEOUT_LIMIT_EXCEEDED), whichever comes first.
 */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  timeLimitMs: number;
}

/** The shared concurrency gate (netsuite/gate.ts): one slot per request in flight on an account. */
export interface GateSettings {
  /** Slots of an account none of whose proven credentials says otherwise (NetSuite's standard tier). */
  defaultLimit: number;
  /** A dead worker's slot frees itself after this long: longer than any request we make. */
  leaseMs: number;
  /** A request that waits this long for a slot gives up, and its send is retried like a 429. */
  maxWaitMs: number;
  /** Pauses between two tries of a waiter, doubling from first to max (with NOTIFY, only a safety net). */
  firstPollMs: number;
  maxPollMs: number;
  /** How long an account's limit is remembered before it is read again. */
  limitCacheMs: number;
  /**
   * For this long after a slot is claimed, a request done with it hands it to the next request waiting
   * in the same process rather than freeing it (netsuite/gate.ts). Its lease (leaseMs) outlasts this
   * plus the longest request.
   */
  passWithinMs: number;
}

export interface Throttling {
  retry: RetryPolicy;
  gate: GateSettings;
  /** One NetSuite request's time limit (NetSuite's own is 15 minutes). */
  requestTimeoutMs: number;
}

export const DEFAULT_THROTTLING: Throttling = {
  retry: { baseDelayMs: 2_000, maxDelayMs: 300_000, maxAttempts: 12, timeLimitMs: 30 * 60_000 },
  gate: { defaultLimit: 5, leaseMs: 180_000, maxWaitMs: 60_000, firstPollMs: 20, maxPollMs: 500, limitCacheMs: 10_000, passWithinMs: 1_000 },
  requestTimeoutMs: 60_000,
};

/**
 * The bill sync's quick send (activities/sendInvoiceNow.ts) runs inside a workflow task, which no other
 * workflow can use meanwhile: it waits at most 2 s for a slot (ten NetSuite answers at the default
 * limit) and 8 s for a request (under the task's 10 s timeout), then hands the bill to the scheduled
 * send, which waits as long as the gate (60 s) and a request (60 s) allow.
 */
export const QUICK_SEND_LIMITS = { slotWaitMs: 2_000, requestTimeoutMs: 8_000 } as const;

/** The throttling a deployment runs with: the defaults, with its retry budget from the environment. */
export function throttlingFromEnv(env: { NETSUITE_RETRY_BASE_MS: number; NETSUITE_RETRY_MAX_MS: number; NETSUITE_MAX_ATTEMPTS: number; NETSUITE_RUN_TIME_LIMIT_MINUTES: number }): Throttling {
  return {
    ...DEFAULT_THROTTLING,
    retry: { baseDelayMs: env.NETSUITE_RETRY_BASE_MS, maxDelayMs: env.NETSUITE_RETRY_MAX_MS, maxAttempts: env.NETSUITE_MAX_ATTEMPTS, timeLimitMs: env.NETSUITE_RUN_TIME_LIMIT_MINUTES * 60_000 },
  };
}

/** The pause before attempt `attempt + 1`: jittered ±50 % so many workers don't retry in lockstep. */
export function retryDelayMs(attempt: number, retry: RetryPolicy): number {
  const exponential = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + Math.random()));
}
