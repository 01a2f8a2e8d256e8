import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../activities';
import { activityLogInterceptor } from '../observability/activityLogInterceptor';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Tests pass a pre-built bundle so each file bundles once; otherwise the worker bundles at start. */
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
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 20,
    // Workers drain in-flight activities on SIGTERM before exiting.
    shutdownGraceTime: '30 seconds',
  });
}
