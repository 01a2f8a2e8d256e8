import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Tighter limits for every NetSuite request made inside one call: how long to wait for one of the
 * account's slots (netsuite/gate.ts) and how long one request may take (netsuite/client.ts). The bill
 * sync's quick send (activities/sendInvoiceNow.ts) runs inside a workflow task, and a task the worker
 * holds is one no other workflow can use: it gives up early and leaves waiting to the scheduled send.
 * Scoped to the call, so its token fetch and customer lookup are bounded too without a parameter
 * threaded through them.
 */
export interface CallLimits {
  slotWaitMs?: number;
  requestTimeoutMs?: number;
}

const limits = new AsyncLocalStorage<CallLimits>();

export function withCallLimits<T>(callLimits: CallLimits, fn: () => Promise<T>): Promise<T> {
  return limits.run(callLimits, fn);
}

/** The limits of the call this runs in, if any. */
export function currentCallLimits(): CallLimits {
  return limits.getStore() ?? {};
}

/**
 * Runs `fn` free of the caller's limits: for work shared by callers with different limits (one token
 * fetch many sends wait on), which must not fail the patient ones when an impatient one started it.
 */
export function withoutCallLimits<T>(fn: () => Promise<T>): Promise<T> {
  return limits.exit(fn);
}
