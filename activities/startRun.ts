import { getBill } from '../db/bills';
import { recordRunStart } from '../db/runs';
import { BILL_ENTITY_TYPE, NETSUITE_DESTINATION } from '../domain/configData';
import type { ActivityDeps } from './deps';
import { type SyncTrigger } from '../temporal/contract';

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

/** The bill's version and approval, so the workflow can tell whether anything changed since its last send. */
export function makeBillState({ db }: ActivityDeps) {
  return async function billState({ organizationId, billId }: { organizationId: string; billId: string }): Promise<{ version: number; status: string } | null> {
    const bill = await getBill(db, organizationId, billId);
    return bill ? { version: bill.version, status: bill.status } : null;
  };
}

/** Records a STARTED run pinned to the bill's current version. */
export function makeStartRun({ db }: ActivityDeps) {
  return async function startRun(input: StartRunInput): Promise<void> {
    const bill = await getBill(db, input.organizationId, input.billId);
    await recordRunStart(db, {
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
