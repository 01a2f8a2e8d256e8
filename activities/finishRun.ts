import { updateRun } from '../db/runs';
import type { RunStatus } from '../db/schema';
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

/** Writes a run's final (or WAITING) status with NetSuite's id and URL or the reason it stopped. */
export function makeFinishRun(deps: ActivityDeps) {
  return async function finishRun(outcome: RunOutcome): Promise<void> {
    const terminal = outcome.status !== 'WAITING';
    await updateRun(deps.db, outcome.runId, {
      status: outcome.status,
      error: outcome.status === 'COMPLETE' ? null : (outcome.reason ?? null),
      externalId: outcome.netsuiteId ?? null,
      url: outcome.url ?? null,
      dtCompleted: terminal ? deps.now() : null,
    });
    deps.logger.info({ runId: outcome.runId, status: outcome.status, netsuiteId: outcome.netsuiteId, reason: outcome.reason }, 'integration run finished');
  };
}
