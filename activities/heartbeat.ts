import { Context } from '@temporalio/activity';

/**
 * Heartbeats while a NetSuite call is in flight, so when a worker dies mid-call Temporal notices
 * within the heartbeat timeout and retries elsewhere, instead of waiting out the whole
 * start-to-close timeout.
 */
export async function withHeartbeat<T>(fn: () => Promise<T>, everyMs = 2_000): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
