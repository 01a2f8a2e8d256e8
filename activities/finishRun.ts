import crypto from 'node:crypto';
import { getBill } from '../db/bills';
import { raiseEvent } from '../db/events';
import { updateRun } from '../db/runs';
import type { RunStatus } from '../db/schema';
import { eventNameForFailure } from '../domain/eventNames';
import type { ActivityDeps } from './deps';

export interface RunOutcome {
  runId: string;
  status: RunStatus;
  reason?: string;
  /** The kind of failure (an error class name or a builder code), for events and reports. */
  failure?: string;
  netsuiteId?: string;
  url?: string;
}

/**
 * Writes a run's final (or WAITING) status with NetSuite's id and URL or the reason it stopped, and
 * raises the integration event of a failed run (once, however often this is retried). Says whether
 * the outcome counts for the consecutive-failure workflow.
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
    if (outcome.status === 'ERROR' || outcome.status === 'AUTH_FAILED') {
      const bill = await getBill(deps.db, run.organizationId, run.entityId);
      const eventName = eventNameForFailure(outcome.status, outcome.failure);
      await raiseEvent(deps.db, {
        id: crypto.randomUUID(),
        organizationId: run.organizationId,
        eventName,
        configId: run.configId,
        entityId: run.entityId,
        accountId: bill?.accountId ?? null,
        runId: run.id,
        reason: outcome.reason ?? outcome.status,
        details: { status: outcome.status, failure: outcome.failure ?? null, billVersion: run.entityVersion, workflowId: run.workflowId },
      });
      deps.metrics?.eventRaised(eventName);
      return { counts: true };
    }
    return { counts: outcome.status === 'COMPLETE' };
  };
}
