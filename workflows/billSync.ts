import { ActivityFailure, ApplicationFailure, TemporalFailure, condition, proxyActivities, proxyLocalActivities, setCurrentDetails, setHandler, upsertSearchAttributes, uuid4, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import type { BillSyncActivities, RunOutcome } from '../activities';
import { failureKindOf, runStatusOfFailure } from '../domain/failure';
import { stoppedRun } from '../domain/filters';
import { coalesceTriggers, type SyncTrigger } from '../domain/syncTrigger';
import { billEventSignal, billSyncSearchAttributes, billSyncStatusQuery, rerunSignal, SEARCH_KEYS, type BillSyncInput, type BillSyncResult, type BillSyncStatus } from '../temporal/contract';

// The database steps are short: they run inside the workflow task as local activities, without a
// round trip through the server each (only their results are recorded), retried while PostgreSQL is away.
const steps = proxyLocalActivities<BillSyncActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

// The quick send: one try inside the workflow task, so a bill NetSuite takes at once costs one task
// (activities/sendInvoiceNow.ts). Anything but a final refusal sends the bill the scheduled way below.
const quick = proxyLocalActivities<BillSyncActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 1 },
});

/**
 * Invoices larger than this skip the quick send: NetSuite takes longer over them, and a send that
 * outlasts the workflow task's timeout is better waited for by a heartbeating activity.
 */
const QUICK_SEND_MAX_LINES = 1_000;

// The scheduled send, for bills that have to wait: it heartbeats while NetSuite answers, so a dead
// worker's call is retried within seconds; it chooses its own delays and gives up by itself after the
// configured attempts (netsuite/throttling.ts), so no attempt limit here: a worker that crashes
// mid-call, however often, does not fail the run.
const netsuite = proxyActivities<BillSyncActivities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2 },
});

/**
 * Sends one bill to NetSuite for one integration config. Everything in its history is an id or a
 * status; the bill, the invoice body and all credentials stay in the database and the worker.
 * A bill event that arrives during a sync is not lost: the loop syncs the newest version once more.
 */
export async function billSync(input: BillSyncInput): Promise<BillSyncResult> {
  const inbox = new Inbox(input);
  const tags = new Tags();
  const status: BillSyncStatus = { phase: 'idle', pendingEvents: 0, completedRuns: [] };
  setHandler(billSyncStatusQuery, () => ({ ...status, pendingEvents: inbox.size }));
  // Syncs started from the UI's form carry no attributes: the sync sets its own.
  tags.set(...billSyncSearchAttributes(input));

  let waitingRunId: string | undefined;
  let lastSynced: { version: number; status: string } | undefined;
  for (let next = inbox.take(); next; next = inbox.take()) {
    // An event that arrived while the same bill version was being synced adds nothing: skip the echo.
    // Whatever that run's end — sent, refused, filtered out — the same version would end the same way,
    // and finance would get the same error twice; a re-run (requested) is how to ask again.
    if (lastSynced && !waitingRunId && !next.requested) {
      const bill = await steps.billState({ organizationId: input.organizationId, billId: input.billId });
      if (bill && bill.version === lastSynced.version && bill.status === lastSynced.status) continue;
    }
    const runId = waitingRunId ?? uuid4();
    const { workflowId, runId: workflowRunId } = workflowInfo();
    status.phase = 'preparing';
    const prepared = await steps.prepareRun({ runId, organizationId: input.organizationId, configId: input.configId, billId: input.billId, trigger: next.trigger, workflowId, workflowRunId, parentIntegrationRunId: next.parentIntegrationRunId, handoffIds: next.handoffIds, unidentified: next.unidentified, resumesWaitingRun: waitingRunId !== undefined });
    if (!prepared.started) {
      // Hand-offs delivered twice: a run answers them already. A waiting run goes on waiting.
      if (waitingRunId) {
        status.phase = 'waitingForApproval';
        await inbox.arrival();
      }
      continue;
    }
    waitingRunId = undefined;
    status.currentRunId = runId;
    setCurrentDetails(`Run ${runId} (${next.trigger}): started`);
    const { verdict } = prepared;
    tags.set({ key: SEARCH_KEYS.accountId, value: verdict.accountId });
    if ('ended' in prepared) {
      // This task is being done again and the run ended the first time (see prepareRun): show its end
      // and tell the counter as the lost task would have, then take what came in since as a new run
      // — unless it only echoes the version that run ended on.
      lastSynced = { version: verdict.billVersion, status: verdict.billStatus };
      await finished(prepared.ended, prepared.counts);
      inbox.putBack(next);
      continue;
    }
    if (!('built' in prepared)) {
      const { outcome } = prepared.verdict;
      if (outcome === 'WAIT') {
        await finish({ runId, status: 'WAITING', reason: verdict.reason });
        status.phase = 'waitingForApproval';
        // Durable: the workflow sleeps here for as long as the bill stays unapproved.
        tags.flush();
        await inbox.arrival();
        waitingRunId = runId;
        continue;
      }
      lastSynced = { version: verdict.billVersion, status: verdict.billStatus };
      await finish({ runId, ...stoppedRun(outcome), reason: verdict.reason });
      continue;
    }
    lastSynced = { version: verdict.billVersion, status: verdict.billStatus };
    const { built } = prepared;
    if (!built.ok) {
      await finish({ runId, status: runStatusOfFailure(built.failure), failure: built.failure, reason: built.reason });
      continue;
    }

    status.phase = 'posting';
    if (built.lineCount <= QUICK_SEND_MAX_LINES) {
      try {
        const sent = await quick.sendInvoiceNow({ runId });
        await finished({ runId, status: 'COMPLETE', netsuiteId: sent.netsuiteId, url: sent.url }, sent.counts);
        continue;
      } catch (error) {
        if (isFinal(error)) {
          await finish(failedRun(runId, error));
          continue;
        }
      }
    }
    tags.set({ key: SEARCH_KEYS.syncStatus, value: 'STARTED' });
    tags.flush();
    try {
      const posted = await netsuite.postInvoice({ runId });
      await finish({ runId, status: 'COMPLETE', netsuiteId: posted.netsuiteId, url: posted.url });
    } catch (error) {
      await finish(failedRun(runId, error));
    }
  }
  status.phase = 'idle';
  status.currentRunId = undefined;
  tags.flush();
  return { runs: status.completedRuns };

  /** Records how the run ended (or that it waits), then finished(). */
  async function finish(outcome: RunOutcome): Promise<void> {
    status.phase = 'recording';
    const { counts } = await steps.finishRun(outcome);
    await finished(outcome, counts);
  }

  /** Shows a recorded outcome and, where it can change the count, tells the failure counter. */
  async function finished(outcome: RunOutcome, counts: boolean): Promise<void> {
    tags.set({ key: SEARCH_KEYS.syncStatus, value: outcome.status });
    setCurrentDetails(describe(outcome));
    if (counts) await steps.reportOutcome({ runId: outcome.runId });
    if (outcome.status !== 'WAITING') status.completedRuns.push(outcome.runId);
  }
}

/**
 * What the sync is asked to do: its start input and every event and re-run signalled since, in order,
 * each with the hand-off (outbox row) that carried it, if any.
 */
class Inbox {
  private readonly pending: Array<{ trigger: SyncTrigger; handoffId?: string }> = [];
  private parentIntegrationRunId: string | undefined;

  constructor(input: BillSyncInput) {
    this.add(input.trigger, input.parentIntegrationRunId, input.handoffId);
    setHandler(billEventSignal, ({ kind, parentIntegrationRunId, handoffId }) => this.add(kind, parentIntegrationRunId, handoffId));
    setHandler(rerunSignal, (request) => this.add('rerun', request?.parentIntegrationRunId));
  }

  get size(): number {
    return this.pending.length;
  }

  /**
   * Everything asked for so far, as one run (see coalesceTriggers), with the hand-offs it answers and
   * whether anything came without one (the UI's Start Workflow or rerun signal); undefined when nothing is.
   */
  take(): { trigger: SyncTrigger; requested: boolean; parentIntegrationRunId?: string; handoffIds: string[]; unidentified: boolean } | undefined {
    const next = coalesceTriggers(this.pending.map((p) => p.trigger));
    if (!next) return undefined;
    const handoffIds = [...new Set(this.pending.flatMap((p) => (p.handoffId ? [p.handoffId] : [])))];
    const unidentified = this.pending.some((p) => !p.handoffId);
    const parentIntegrationRunId = this.parentIntegrationRunId;
    this.pending.length = 0;
    this.parentIntegrationRunId = undefined;
    return { ...next, handoffIds, unidentified, ...(parentIntegrationRunId ? { parentIntegrationRunId } : {}) };
  }

  /** Returns what take() gave, unanswered, to be taken again (with anything that arrived since). */
  putBack(taken: { trigger: SyncTrigger; requested: boolean; parentIntegrationRunId?: string; handoffIds: string[]; unidentified: boolean }): void {
    const items: Array<{ trigger: SyncTrigger; handoffId?: string }> = taken.handoffIds.map((handoffId) => ({ trigger: taken.trigger, handoffId }));
    if (taken.unidentified || items.length === 0) items.push({ trigger: taken.trigger });
    // Asked for by someone (a manual run under an approval's label): still asked for when taken again.
    if (taken.requested && taken.trigger !== 'rerun' && taken.trigger !== 'manual') items.push({ trigger: 'manual' });
    this.pending.unshift(...items);
    this.parentIntegrationRunId ??= taken.parentIntegrationRunId;
  }

  /** Resolves when something new is asked for. */
  arrival(): Promise<void> {
    return condition(() => this.pending.length > 0);
  }

  private add(trigger: SyncTrigger, parentIntegrationRunId: string | undefined, handoffId?: string): void {
    this.pending.push({ trigger, ...(handoffId ? { handoffId } : {}) });
    if (parentIntegrationRunId) this.parentIntegrationRunId = parentIntegrationRunId;
  }
}

/**
 * The search attributes the UI filters by, changed as the sync goes and sent as one upsert before each
 * wait on the server, so they are current whenever anyone can look and cost one command a workflow task.
 */
class Tags {
  private readonly unsent = new Map<string, SearchAttributePair>();

  set(...pairs: SearchAttributePair[]): void {
    for (const pair of pairs) this.unsent.set(pair.key.name, pair);
  }

  flush(): void {
    if (this.unsent.size === 0) return;
    upsertSearchAttributes([...this.unsent.values()]);
    this.unsent.clear();
  }
}

/**
 * The line the Temporal UI shows as the sync's current details. Ids, statuses and our failure kinds
 * only: the UI renders it, and reasons can hold a tenant's text (account codes, filters) — the run's
 * reason is in the database, for the API, the console and the CLI.
 */
function describe(outcome: RunOutcome): string {
  if (outcome.status === 'COMPLETE') return `Run ${outcome.runId}: COMPLETE, NetSuite record ${outcome.netsuiteId}`;
  return `Run ${outcome.runId}: ${outcome.status}${outcome.failure ? ` (${outcome.failure})` : ''}`;
}

/**
 * What an activity's failure says. A scheduled activity's arrives wrapped in an ActivityFailure, a local
 * one's as the ApplicationFailure itself (or a TimeoutFailure); anything else is a bug in this code.
 */
function causeOf(error: unknown): TemporalFailure {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (!(cause instanceof TemporalFailure)) throw error;
  return cause;
}

/** A quick send that failed for good (a refusal), rather than one the scheduled send should retry. */
function isFinal(error: unknown): boolean {
  const cause = causeOf(error);
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
}

/** A send that ended in a failure: its kind, read from the activity's ApplicationFailure type. */
function failedRun(runId: string, error: unknown): RunOutcome {
  const cause = causeOf(error);
  const failure = failureKindOf(cause instanceof ApplicationFailure ? cause.type : undefined);
  return { runId, status: runStatusOfFailure(failure), reason: cause.message, failure };
}
