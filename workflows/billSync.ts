import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import type { BillSyncActivities, RunOutcome } from '../activities';
import { billEventSignal, billSyncSearchAttributes, billSyncStatusQuery, rerunSignal, SEARCH_KEYS, type BillSyncInput, type BillSyncResult, type BillSyncStatus, type SyncTrigger } from '../temporal/contract';

const dbRetry = { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 };
const db = proxyActivities<BillSyncActivities>({ startToCloseTimeout: '15 seconds', retry: dbRetry });
// The same short database steps run inside the workflow task, without a round trip through the server
// each; only their results are recorded (as markers).
const localDb = proxyLocalActivities<BillSyncActivities>({ startToCloseTimeout: '15 seconds', retry: dbRetry });

// NetSuite calls choose their own next delay (growing, jittered) and stop retrying themselves after
// the worker's configured number of attempts; the policy here only backs that up.
const netsuite = proxyActivities<BillSyncActivities>({
  startToCloseTimeout: '3 minutes',
  // They heartbeat while a call is in flight: a dead worker's call is retried within seconds.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2, maximumAttempts: 50 },
});

/**
 * Sends one bill to NetSuite for one integration config. Everything in its history is an id or a
 * status; the bill, the invoice body and all credentials stay in the database and the worker.
 * A bill event that arrives during a sync is not lost: the loop syncs the newest version once more.
 */
export async function billSync(input: BillSyncInput): Promise<BillSyncResult> {
  const { workflowId, runId: workflowRunId } = workflowInfo();
  const pending: SyncTrigger[] = [input.trigger];
  const status: BillSyncStatus = { phase: 'idle', pendingEvents: 0, completedRuns: [] };
  let parentIntegrationRunId = input.parentIntegrationRunId;
  setHandler(billEventSignal, ({ kind, parentIntegrationRunId: parent }) => {
    pending.push(kind);
    if (parent) parentIntegrationRunId = parent;
  });
  setHandler(rerunSignal, (request) => {
    pending.push('rerun');
    if (request?.parentIntegrationRunId) parentIntegrationRunId = request.parentIntegrationRunId;
  });
  setHandler(billSyncStatusQuery, () => ({ ...status, pendingEvents: pending.length }));
  // Histories from before the SyncStatus attribute replay without these upserts (see README "Versioning").
  const upsert = patched('sync-status-search-attribute') ? upsertSearchAttributes : () => undefined;
  // Histories from before it replay the first shape: an activity per step, an upsert per change. Since,
  // a bill costs two workflow tasks and one activity: the database steps are local activities, the
  // send fetches its own token, and the attribute changes of one workflow task go out as one upsert.
  const lean = patched('local-database-steps');
  const steps = lean ? localDb : db;
  const unsent = new Map<string, SearchAttributePair>();
  const tags = lean ? (pairs: SearchAttributePair[]) => pairs.forEach((pair) => unsent.set(pair.key.name, pair)) : upsert;
  /** Called before every wait on the server, so the UI's attributes are current whenever it can look. */
  const sendTags = () => {
    if (unsent.size === 0) return;
    upsert([...unsent.values()]);
    unsent.clear();
  };
  tags(billSyncSearchAttributes(input));

  let waitingRunId: string | undefined;
  let lastSent: { version: number; status: string } | undefined;
  while (pending.length > 0) {
    // Several events arriving together need one sync of the latest bill, not one each.
    const trigger: SyncTrigger = pending.includes('rerun') ? 'rerun' : pending.includes('approved') ? 'approved' : (pending[pending.length - 1] ?? input.trigger);
    // A re-run or manual run is asked for on purpose and always sends.
    const requested = pending.some((t) => t === 'rerun' || t === 'manual');
    pending.length = 0;
    // An event that arrived while the same bill version was being sent adds nothing: skip the echo.
    if (lastSent && !waitingRunId && !requested) {
      const state = await steps.billState({ organizationId: input.organizationId, billId: input.billId });
      if (state && state.version === lastSent.version && state.status === lastSent.status) continue;
    }
    const runId = waitingRunId ?? uuid4();
    waitingRunId = undefined;
    status.currentRunId = runId;
    tags([{ key: SEARCH_KEYS.syncStatus, value: 'STARTED' }]);
    setCurrentDetails(`Run ${runId} (${trigger}): started`);

    await steps.startRun({ runId, organizationId: input.organizationId, configId: input.configId, billId: input.billId, trigger, workflowId, workflowRunId, parentIntegrationRunId });
    parentIntegrationRunId = undefined;

    status.phase = 'filtering';
    const verdict = await steps.evaluateFilters({ runId });
    if (verdict.accountId) tags([{ key: SEARCH_KEYS.accountId, value: verdict.accountId }]);
    if (verdict.outcome === 'WAIT') {
      status.phase = 'waitingForApproval';
      await steps.finishRun({ runId, status: 'WAITING', reason: verdict.reason });
      tags([{ key: SEARCH_KEYS.syncStatus, value: 'WAITING' }]);
      sendTags();
      setCurrentDetails(`Run ${runId}: waiting for approval (${verdict.reason})`);
      // Durable: the workflow sleeps here for as long as the bill stays unapproved.
      await condition(() => pending.length > 0);
      waitingRunId = runId;
      continue;
    }
    if (verdict.outcome !== 'SEND') {
      const stopped: RunOutcome =
        verdict.outcome === 'DISABLED'
          ? { runId, status: 'DISABLED', reason: verdict.reason }
          : verdict.outcome === 'SKIP'
            ? { runId, status: 'SKIPPED', reason: verdict.reason }
            : { runId, status: 'ERROR', reason: verdict.reason, failure: 'NotConnected' };
      await finish(stopped);
      status.completedRuns.push(runId);
      continue;
    }

    status.phase = 'building';
    const built = await steps.buildInvoice({ runId });
    if (!built.ok) {
      await finish({ runId, status: 'ERROR', reason: built.reason, failure: built.code });
      status.completedRuns.push(runId);
      continue;
    }

    let outcome: RunOutcome;
    try {
      if (!lean) {
        status.phase = 'authenticating';
        await netsuite.authenticate({ runId });
      }
      status.phase = 'posting';
      sendTags();
      const posted = await netsuite.postInvoice({ runId });
      outcome = { runId, status: 'COMPLETE', netsuiteId: posted.netsuiteId, url: posted.url };
      lastSent = { version: verdict.billVersion, status: verdict.billStatus };
    } catch (error) {
      outcome = failedOutcome(runId, error);
    }
    status.phase = 'recording';
    await finish(outcome);
    status.completedRuns.push(runId);
  }
  status.phase = 'idle';
  status.currentRunId = undefined;
  sendTags();
  return { runs: status.completedRuns };

  /** Records the run's end and, for successes and error events, tells the config's failure counter. */
  async function finish(outcome: RunOutcome): Promise<void> {
    const { counts } = await steps.finishRun(outcome);
    tags([{ key: SEARCH_KEYS.syncStatus, value: outcome.status }]);
    setCurrentDetails(describe(outcome));
    if (counts) await steps.reportOutcome({ runId: outcome.runId });
  }
}

/** The line the Temporal UI shows as the sync's current details. */
function describe(outcome: RunOutcome): string {
  if (outcome.status === 'COMPLETE') return `Run ${outcome.runId}: COMPLETE, NetSuite invoice ${outcome.netsuiteId}${outcome.url ? ` (${outcome.url})` : ''}`;
  return `Run ${outcome.runId}: ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}`;
}

function failedOutcome(runId: string, error: unknown): RunOutcome {
  if (!(error instanceof ActivityFailure)) throw error;
  const cause = error.cause;
  const type = cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : 'Error';
  const reason = cause?.message ?? error.message;
  return { runId, status: type === 'NetSuiteAuthError' ? 'AUTH_FAILED' : 'ERROR', reason, failure: type };
}
