import { AsyncLocalStorage } from 'node:async_hooks';

/** Ids that say what a log line is about: the Temporal workflow and run, the bill, the integration. */
export type LogContext = Partial<Record<'workflowId' | 'workflowRunId' | 'activity' | 'attempt' | 'runId' | 'organizationId' | 'configId' | 'billId', string | number>>;

const storage = new AsyncLocalStorage<LogContext>();

/**
 * pino's mixin: every line written while an activity runs carries its ids, including lines from code
 * that knows nothing about Temporal (the NetSuite client, the mailer), without passing loggers around.
 */
export function logContextMixin(): LogContext {
  return storage.getStore() ?? {};
}

export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

const BILL_SYNC_ID = /^bill-sync\/([^/]+)\/([^/]+)$/;
const FAILURE_COUNTER_ID = /^integration-failures\/([^/]+)$/;

/**
 * The ids of one activity call: from Temporal's activity info, from the workflow id (which names the
 * config and bill), and from the activity's input where it carries them.
 */
export function activityLogContext(info: { workflowExecution?: { workflowId: string; runId: string }; activityType: string; attempt: number }, input: unknown): LogContext {
  const context: LogContext = { activity: info.activityType, attempt: info.attempt };
  // Standalone activities have no workflow.
  if (!info.workflowExecution) return withInputIds(context, input);
  const { workflowId, runId: workflowRunId } = info.workflowExecution;
  Object.assign(context, { workflowId, workflowRunId });
  const sync = BILL_SYNC_ID.exec(workflowId);
  if (sync) Object.assign(context, { configId: sync[1], billId: sync[2] });
  const counter = FAILURE_COUNTER_ID.exec(workflowId);
  if (counter) context.configId = counter[1];
  return withInputIds(context, input);
}

function withInputIds(context: LogContext, input: unknown): LogContext {
  if (input && typeof input === 'object') {
    for (const key of ['runId', 'organizationId', 'configId', 'billId'] as const) {
      const value = (input as Record<string, unknown>)[key];
      if (typeof value === 'string') context[key] = value;
    }
  }
  return context;
}
