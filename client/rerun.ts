import { WorkflowIdReusePolicy } from '@temporalio/common';
import { getBill } from '../db/bills';
import { getConfig } from '../db/configs';
import { getRunInOrg } from '../db/runs';
import { billSyncWorkflowId } from '../domain/externalId';
import type { BillSyncInput } from '../workflows/billSync';
import type { BillEvent, SyncTrigger } from '../workflows/signals';
import { billEventSignal } from '../workflows/signals';
import { billSyncSearchAttributes } from '../workflows/searchAttributes';
import type { TriggerDeps } from './triggers';

/** A run that exists but can't be re-run any more: its bill or its integration is gone. */
export class RerunNotPossibleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RerunNotPossibleError';
  }
}

/**
 * Syncs a run's (config, bill) once more, recording the new run as a child of this one: the same
 * signalWithStart on the (config, bill) workflow id as a bill event (see notifyBillEvent), with trigger
 * 'rerun' and `parentIntegrationRunId`. The bill is sent as it is now; the invoice externalId is the
 * same, so NetSuite's invoice is updated, never duplicated. Undefined when the organization has no
 * such run.
 *
 * If a sync of that (config, bill) is still running (waiting for approval, say), the signal joins it
 * and its next run is the re-run, but without the parent link: the workflow takes that only from its
 * start input.
 */
export async function rerunIntegrationRun(deps: TriggerDeps, organizationId: string, runId: string): Promise<{ workflowId: string; runId: string } | undefined> {
  const run = await getRunInOrg(deps.db, organizationId, runId);
  if (!run) return undefined;
  const bill = await getBill(deps.db, organizationId, run.entityId);
  if (!bill) throw new RerunNotPossibleError(`bill ${run.entityId} of run ${run.id} no longer exists: there is nothing to send again`);
  const config = await getConfig(deps.db, organizationId, run.configId);
  if (!config) throw new RerunNotPossibleError(`integration config ${run.configId} of run ${run.id} no longer exists`);

  const workflowId = billSyncWorkflowId(config.id, bill.id);
  const trigger: SyncTrigger = 'rerun';
  const input: BillSyncInput = { organizationId, configId: config.id, billId: bill.id, trigger, parentIntegrationRunId: run.id };
  // A sync already running for this bill hears the re-run (and its parent) as a signal.
  const event: BillEvent = { kind: 'rerun', parentIntegrationRunId: run.id };
  await deps.temporal.workflow.signalWithStart('billSync', {
    taskQueue: deps.taskQueue,
    workflowId,
    args: [input],
    signal: billEventSignal,
    signalArgs: [event],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: billSyncSearchAttributes({ organizationId, configId: config.id, billId: bill.id, accountId: bill.accountId }),
    staticSummary: `Re-run of ${run.id}: bill ${bill.id} → NetSuite (${config.name})`,
  });
  return { workflowId, runId: run.id };
}
