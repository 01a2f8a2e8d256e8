import { getBill } from '../db/bills';
import { answeredHandoffs, recordRunStart } from '../db/runs';
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
  /** The hand-offs this run answers. */
  handoffIds: string[];
  /** Asked for without a hand-off too (started or signalled from the Temporal UI): the run always goes ahead. */
  unidentified: boolean;
  /** The run is one the sync has been waiting with; otherwise it is new to the workflow. */
  resumesWaitingRun?: boolean;
}

/** The bill's version and approval, so the workflow can tell whether anything changed since its last send. */
export function makeBillState({ db }: ActivityDeps) {
  return async function billState({ organizationId, billId }: { organizationId: string; billId: string }): Promise<{ version: number; status: string } | null> {
    const bill = await getBill(db, organizationId, billId);
    return bill ? { version: bill.version, status: bill.status } : null;
  };
}

/**
 * Records a STARTED run pinned to the bill's current version — unless every hand-off it would answer
 * is answered already: then they were delivered twice (at least once, see handoff/relay.ts), and
 * nothing starts. Answered by this very run counts only when the sync was waiting with it: a new run's
 * id that already answers them is this call's own earlier attempt, whose result was lost (a worker
 * killed, a connection dropped after the commit), and the run must go on — else the bill is never sent.
 */
export function makeStartRun({ db }: ActivityDeps) {
  return async function startRun(input: StartRunInput): Promise<{ started: boolean }> {
    if (!input.unidentified && input.handoffIds.length > 0) {
      const answered = await answeredHandoffs(db, input.configId, input.billId, input.handoffIds, input.resumesWaitingRun ? {} : { exceptRunId: input.runId });
      if (input.handoffIds.every((id) => answered.has(id))) return { started: false };
    }
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
      handoffIds: input.handoffIds,
      decisions: JSON.stringify([]),
    });
    return { started: true };
  };
}
