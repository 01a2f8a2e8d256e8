import { WorkflowIdReusePolicy } from '@temporalio/common';
import { enableConfig as enableInDb } from '../db/configs';
import type { IntegrationFailuresInput } from '../workflows/integrationFailures';
import { configEnabledSignal, failureWorkflowId } from '../workflows/failureSignals';
import type { TriggerDeps } from './triggers';

/**
 * Re-enables a config and restarts its successive-error count from zero (the counter ignores any
 * error that completed before this moment).
 */
export async function enableAndReset(deps: TriggerDeps & { failureThreshold: number }, organizationId: string, configId: string) {
  const config = await enableInDb(deps.db, organizationId, configId);
  if (!config) return undefined;
  const input: IntegrationFailuresInput = { organizationId, configId, threshold: deps.failureThreshold };
  await deps.temporal.workflow.signalWithStart('integrationFailures', {
    taskQueue: deps.taskQueue,
    workflowId: failureWorkflowId(configId),
    args: [input],
    signal: configEnabledSignal,
    signalArgs: [{ at: config.dtLastModified.getTime() }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  return config;
}

/**
 * After a config is deleted its workflows have nothing left to work on: the syncs still running for
 * it (say, waiting for approval) and its failure counter are terminated, with the reason in history.
 */
export async function stopConfigWorkflows(deps: Pick<TriggerDeps, 'temporal'>, configId: string): Promise<number> {
  const reason = `integration config ${configId} was deleted`;
  let stopped = 0;
  const running = deps.temporal.workflow.list({ query: `IntegrationConfigId = "${configId}" AND ExecutionStatus = "Running"` });
  for await (const execution of running) {
    await deps.temporal.workflow.getHandle(execution.workflowId, execution.runId).terminate(reason).catch(() => undefined);
    stopped++;
  }
  await deps.temporal.workflow
    .getHandle(failureWorkflowId(configId))
    .terminate(reason)
    .then(() => stopped++)
    .catch(() => undefined); // never started, or already closed
  return stopped;
}
