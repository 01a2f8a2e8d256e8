import { getBill } from '../db/bills';
import { startRun as insertRun } from '../db/runs';
import { BILL_ENTITY_TYPE, NETSUITE_DESTINATION } from '../domain/configData';
import type { SyncTrigger } from '../workflows/signals';
import type { ActivityDeps } from './deps';

export interface StartRunInput {
  runId: string;
  organizationId: string;
  configId: string;
  billId: string;
  trigger: SyncTrigger;
  workflowId: string;
  workflowRunId: string;
  parentIntegrationRunId?: string;
}

/** Records a STARTED run pinned to the bill's current version. */
export function makeStartRun({ db }: ActivityDeps) {
  return async function startRun(input: StartRunInput): Promise<void> {
    const bill = await getBill(db, input.organizationId, input.billId);
    await insertRun(db, {
      id: input.runId,
      organizationId: input.organizationId,
      configId: input.configId,
      entityType: BILL_ENTITY_TYPE,
      entityId: input.billId,
      entityVersion: bill?.version ?? null,
      destination: NETSUITE_DESTINATION,
      trigger: input.trigger,
      status: 'STARTED',
      workflowId: input.workflowId,
      workflowRunId: input.workflowRunId,
      parentIntegrationRunId: input.parentIntegrationRunId ?? null,
      decisions: JSON.stringify([]),
    });
  };
}
