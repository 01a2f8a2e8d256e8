import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../activities';
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
    // The SDK sizes its workflow cache from the heap limit (about 2,300 on a default 4 GB heap); a bound
    // of our own keeps it when NODE_OPTIONS caps the heap, and a month-end burst's open syncs fit in it.
    maxCachedWorkflows: 1_000,
    // Workers drain in-flight activities on SIGTERM before exiting.
    shutdownGraceTime: '30 seconds',
  });
}
