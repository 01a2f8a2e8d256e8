import { getBill } from '../db/bills';
import { getConfig } from '../db/configs';
import type { Db } from '../db/connect';
import { getRunInOrg } from '../db/runs';
import { handOffBillEvents, type Handoff } from '../handoff/outbox';
import { billSyncWorkflowId } from '../temporal/contract';

/** A run that exists but can't be re-run any more: its bill or its integration is gone. */
export class RerunNotPossibleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RerunNotPossibleError';
  }
}

/**
 * Syncs a run's (config, bill) once more, recording the new run as a child of this one: a hand-off
 * with trigger 'rerun' and `parentIntegrationRunId`, delivered like every bill event. The bill is sent
 * as it is now; the invoice externalId is the same, so NetSuite's invoice is updated, never duplicated.
 * Undefined when the organization has no such run. A sync still running for that (config, bill) (one
 * waiting for approval, say) hears the re-run as a signal and makes it its next run.
 */
export async function rerunIntegrationRun(db: Db, organizationId: string, runId: string, origin: string): Promise<{ workflowId: string; handoffs: Handoff[] } | undefined> {
  return db.transaction().execute(async (tx) => {
    const run = await getRunInOrg(tx, organizationId, runId);
    if (!run) return undefined;
    const bill = await getBill(tx, organizationId, run.entityId);
    if (!bill) throw new RerunNotPossibleError(`bill ${run.entityId} of run ${run.id} no longer exists: there is nothing to send again`);
    const config = await getConfig(tx, organizationId, run.configId);
    if (!config) throw new RerunNotPossibleError(`integration config ${run.configId} of run ${run.id} no longer exists`);
    const handoffs = await handOffBillEvents(tx, { organizationId, billIds: [bill.id], configId: config.id, trigger: 'rerun', parentIntegrationRunId: run.id, origin });
    return { workflowId: billSyncWorkflowId(config.id, bill.id), handoffs };
  });
}
