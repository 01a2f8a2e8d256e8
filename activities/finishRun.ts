import crypto from 'node:crypto';
import { getBill } from '../db/bills';
import { raiseEvent } from '../db/events';
import { markCountedError, successNeedsReport } from '../db/failureMarks';
import { updateRun } from '../db/runs';
import { countsTowardsDisable, eventNameOfFailure, type FailureKind } from '../domain/failure';
import type { RunStatus } from '../domain/runStatus';
import type { ActivityDeps } from './deps';

export interface RunOutcome {
  runId: string;
  status: RunStatus;
  reason?: string;
  /** Set when the run failed: it raises this failure's event and counts towards auto-disable. */
  failure?: FailureKind;
  netsuiteId?: string;
  url?: string;
}

/**
 * Writes a run's final (or WAITING) status with NetSuite's id and URL or the reason it stopped, and
 * raises the integration event of a failed run (once, however often this is retried). Says whether
 * the consecutive-failure workflow must hear of it: every error that counts, and a success only while
 * an error may still be counted (db/failureMarks.ts) — not the thousands of successes of a good month end.
 */
export function makeFinishRun(deps: ActivityDeps) {
  return async function finishRun(outcome: RunOutcome): Promise<{ counts: boolean }> {
    const terminal = outcome.status !== 'WAITING';
    const run = await updateRun(deps.db, outcome.runId, {
      status: outcome.status,
      error: outcome.status === 'COMPLETE' ? null : (outcome.reason ?? null),
      externalId: outcome.netsuiteId ?? null,
      url: outcome.url ?? null,
      dtCompleted: terminal ? deps.now() : null,
    });
    deps.logger.info({ runId: outcome.runId, status: outcome.status, netsuiteId: outcome.netsuiteId, reason: outcome.reason }, 'integration run finished');
    deps.metrics?.runFinished(outcome.status);
    if (outcome.failure) {
      const bill = await getBill(deps.db, run.organizationId, run.entityId);
      const eventName = eventNameOfFailure(outcome.failure);
      await raiseEvent(deps.db, {
        id: crypto.randomUUID(),
        organizationId: run.organizationId,
        eventName,
        configId: run.configId,
        entityId: run.entityId,
        accountId: bill?.accountId ?? null,
        runId: run.id,
        reason: outcome.reason ?? outcome.status,
        details: { status: outcome.status, failure: outcome.failure, billVersion: run.entityVersion, workflowId: run.workflowId },
      });
      deps.metrics?.eventRaised(eventName);
      if (!countsTowardsDisable(outcome.failure)) return { counts: false };
      await markCountedError(deps.db, run.configId, run.dtCompleted ?? deps.now());
      return { counts: true };
    }
    // Read after the run's COMPLETE is committed: see db/failureMarks.ts for why no reset is lost.
    return { counts: outcome.status === 'COMPLETE' && (await successNeedsReport(deps.db, run.configId)) };
  };
}
