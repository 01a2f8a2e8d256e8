import type { Db } from '../db/connect';
import { getRun } from '../db/runs';
import type { IntegrationRun } from '../db/schema';
import { runFailure } from './failure';
import { loadSubject, PlanSubjectMissingError, type SyncSubject } from '../usecases/syncPlan';

export interface RunContext extends SyncSubject {
  run: IntegrationRun;
}

/**
 * Loads what one run works on, from the ids in workflow history. The bill is read at the version the
 * run is pinned to, so a recalculation mid-run is sent by the next run, not half-mixed into this one.
 * Something deleted meanwhile is final: retrying cannot bring it back.
 */
export async function loadRunContext(db: Db, runId: string, options: { latestVersion?: boolean } = {}): Promise<RunContext> {
  const run = await getRun(db, runId);
  if (!run) throw runFailure('subjectMissing', `integration run ${runId} does not exist`);
  try {
    const subject = await loadSubject(db, { organizationId: run.organizationId, configId: run.configId, billId: run.entityId, billVersion: options.latestVersion ? null : run.entityVersion });
    return { ...subject, run };
  } catch (error) {
    if (error instanceof PlanSubjectMissingError) throw runFailure('subjectMissing', error.message);
    throw error;
  }
}
