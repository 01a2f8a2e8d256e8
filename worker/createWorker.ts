import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../activities';
import { ENV_DEFAULTS } from '../config/env';
import { activityLogInterceptor } from '../observability/activityLogInterceptor';
import { bundleWorkflows } from './workflowBundle';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Tests pass a pre-built bundle so each file bundles once; otherwise the worker bundles at start, in a thread. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  logger?: Logger;
  /** NetSuite calls in flight per worker; NetSuite's own per-account limit is enforced separately. */
  maxConcurrentActivityTaskExecutions?: number;
  /** TEMPORAL_MAX_CACHED_WORKFLOWS; its default otherwise. */
  maxCachedWorkflows?: number;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    // Every log line an activity writes carries its workflow, run, bill and config ids.
    interceptors: { activity: [activityLogInterceptor] },
    workflowBundle: options.workflowBundle ?? (await bundleWorkflows(WORKFLOWS_PATH)),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 20,
    // The SDK sizes its workflow cache from the heap limit (about 2,300 on a default 4 GB heap), but the
    // cached syncs live mostly outside the main heap that limit is about (the workflow thread's heap, the
    // Rust core): a bound of our own, that a month-end burst's open syncs fit in, keeps the memory known.
    maxCachedWorkflows: options.maxCachedWorkflows ?? ENV_DEFAULTS.TEMPORAL_MAX_CACHED_WORKFLOWS,
    // Workers drain in-flight activities on SIGTERM before exiting.
    shutdownGraceTime: '30 seconds',
  });
}
