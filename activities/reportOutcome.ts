import { latestSuccessAfter, markSuccessReported } from '../db/failureMarks';
import { getRunEvent } from '../db/events';
import { getRun } from '../db/runs';
import type { ActivityDeps } from './deps';
import { runFailure } from './failure';
import { reportToFailureCounter } from '../temporal/client';
import type { IntegrationFailuresInput, OutcomeReport } from '../temporal/contract';

const MAX_REASON = 500;

/**
 * Tells the config's consecutive-failure workflow how a run ended (signalWithStart: it starts on the
 * first report). Sending twice is harmless: the counter counts each run once. An error carries the
 * latest success completed after it, if any: that success may have finished without seeing the error
 * and so not told the counter (db/failureMarks.ts).
 */
export function makeReportOutcome(deps: ActivityDeps) {
  return async function reportOutcome({ runId }: { runId: string }): Promise<void> {
    const run = await getRun(deps.db, runId);
    if (!run?.dtCompleted) throw runFailure('unexpected', `run ${runId} has not finished`);
    const at = run.dtCompleted.getTime();
    let report: OutcomeReport;
    if (run.status === 'COMPLETE') {
      report = { kind: 'success', runId, at };
    } else {
      const event = await getRunEvent(deps.db, runId);
      if (!event) return;
      const resetBy = await latestSuccessAfter(deps.db, run.configId, run.dtCompleted);
      report = { kind: 'error', runId, at, eventId: event.id, eventName: event.eventName, reason: event.reason.slice(0, MAX_REASON), billId: run.entityId, ...(resetBy ? { resetBy: { runId: resetBy.runId, at: resetBy.at.getTime() } } : {}) };
    }
    const input: IntegrationFailuresInput = { organizationId: run.organizationId, configId: run.configId, threshold: deps.failureThreshold };
    await reportToFailureCounter(deps.temporal, deps.taskQueue, input, report);
    if (report.kind === 'success') await markSuccessReported(deps.db, run.configId, run.dtCompleted);
  };
}
