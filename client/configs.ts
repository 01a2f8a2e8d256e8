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
