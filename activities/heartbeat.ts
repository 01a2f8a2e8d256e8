import { Context } from '@temporalio/activity';

/**
 * Heartbeats while a NetSuite call is in flight, so when a worker dies mid-call Temporal notices
 * within the heartbeat timeout and retries elsewhere, instead of waiting out the whole
 * start-to-close timeout. The timeout runs from the activity's start, so the first beat can wait
 * `everyMs`: a call that ends sooner (most do) costs the server no heartbeat at all.
 */
export async function withHeartbeat<T>(fn: () => Promise<T>, everyMs = 2_000): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
