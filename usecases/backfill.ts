import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { listBills, type BillWithAccountCode } from '../db/bills';
import { getConfig } from '../db/configs';
import type { Db } from '../db/connect';
import { getRun, listRuns } from '../db/runs';
import type { IntegrationConfigRow, RunStatus } from '../db/schema';
import { billDateRange, billPeriodSchema, type BillPeriod } from '../domain/billPeriod';
import { BILL_ENTITY_TYPE, NETSUITE_DESTINATION } from '../domain/configData';
import type { FilterOutcome } from '../domain/filters';
import { UNSENT_STATUSES } from '../domain/runStatus';
import { handOffBillEvents, waitForDelivery } from '../handoff/outbox';
import { previewBill } from './preview';
import { billSyncStatusQuery, billSyncWorkflowId, type BillSyncStatus, type BillSyncWorkflow } from '../temporal/contract';

/** The backfill hands its manual runs over through the outbox and waits for them in Temporal. */
export interface BackfillDeps {
  db: Db;
  temporal: Client;
}

/** The backfill can't start: the config is unknown, not a NetSuite bill integration, or disabled. */
export class BackfillNotPossibleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillNotPossibleError';
  }
}

/** What became of one bill: its run's status, or how its workflow ended when it recorded none. */
export type BackfillStatus = RunStatus | 'WORKFLOW_FAILED';

export interface BillBackfillOutcome {
  billId: string;
  billDate: string;
  workflowId: string;
  runId?: string;
  status: BackfillStatus;
  reason?: string;
}

export interface BackfillProgress {
  done: number;
  total: number;
  byStatus: Partial<Record<BackfillStatus | FilterOutcome | 'ERROR', number>>;
}

export interface BackfillSummary {
  organizationId: string;
  configId: string;
  configName: string;
  period: BillPeriod & { by: 'billDate' };
  dryRun: boolean;
  billsFound: number;
  /** A real backfill: the runs by status. */
  runsByStatus?: Partial<Record<BackfillStatus, number>>;
  /** A dry run: what a sync of each bill would do now (SEND, or why not). */
  wouldBe?: Partial<Record<FilterOutcome | 'ERROR', number>>;
  /** Bills whose run ended unsent (UNSENT_STATUSES: refused, given up on, held back by a disabled config) or whose workflow ended without a run, with why. */
  failures: BillBackfillOutcome[];
  /** Bills left WAITING: the config sends only approved bills; their syncs send them on approval. */
  waitingForApproval: { billIds: string[]; note?: string };
  /** A dry run: every bill with its verdict. */
  bills?: Array<{ billId: string; billDate: string; billStatus: string; accountId: string; wouldBe: FilterOutcome | 'ERROR'; reason?: string }>;
  wallTimeSeconds: number;
}

export interface BackfillRequest {
  organizationId: string;
  configId: string;
  /** Both days included; validated here, so a CLI or API caller gets the field named. */
  period: { from: string; to: string };
  /** Syncs in flight at once (default 10); NetSuite's own per-account limit still applies inside. */
  concurrency?: number;
  onProgress?(progress: BackfillProgress): void;
  /** How often an in-flight sync is checked for having stopped to wait for approval. */
  pollIntervalMs?: number;
}

const FAILED: readonly BackfillStatus[] = [...UNSENT_STATUSES, 'WORKFLOW_FAILED'];
const PAGE = 500;

/**
 * (Re)syncs every bill of a period (by bill date) for one integration config: for each bill a hand-off
 * with trigger 'manual' through the outbox, like any bill event, so a sync already running for the
 * bill hears it and NetSuite's invoice (upserted by its externalId) is updated, never duplicated. Waits for every sync: until it ends, or until it stops to wait for an
 * approval the config requires — that bill is reported WAITING instead of holding the backfill up.
 */
export async function backfill(deps: BackfillDeps, request: BackfillRequest): Promise<BackfillSummary> {
  const { started, config, bills, base, progress } = await prepare(deps.db, request, false);
  const pollIntervalMs = request.pollIntervalMs ?? 500;
  const outcomes = await inPool(bills, base.concurrency, async (bill) => {
    const outcome = await syncBill(deps, config, bill, pollIntervalMs);
    progress(outcome.status);
    return outcome;
  });
  const waiting = outcomes.filter((o) => o.status === 'WAITING').map((o) => o.billId);
  return {
    ...base.summary,
    dryRun: false,
    runsByStatus: tally(outcomes.map((o) => o.status)),
    failures: outcomes.filter((o) => FAILED.includes(o.status)),
    waitingForApproval: { billIds: waiting, ...(waiting.length ? { note: waitingNote(waiting.length, false) } : {}) },
    wallTimeSeconds: seconds(started),
  };
}

/**
 * The dry run of a backfill: the bills of the period and what a sync of each would do now (the same
 * filters and invoice building as `preview`), starting and recording nothing.
 */
export async function planBackfill(db: Db, request: BackfillRequest): Promise<BackfillSummary> {
  const { started, config, bills, base, progress } = await prepare(db, request, true);
  const planned = await inPool(bills, base.concurrency, async (bill) => {
    const preview = await previewBill(db, request.organizationId, config.id, bill.id);
    const reason = preview.error ?? preview.filters.find((check) => !check.passed)?.reason;
    progress(preview.outcome);
    return { billId: bill.id, billDate: bill.billDate, billStatus: bill.status, accountId: bill.accountId, wouldBe: preview.outcome, ...(reason ? { reason } : {}) };
  });
  const waiting = planned.filter((b) => b.wouldBe === 'WAIT').map((b) => b.billId);
  return {
    ...base.summary,
    dryRun: true,
    wouldBe: tally(planned.map((b) => b.wouldBe)),
    failures: [],
    waitingForApproval: { billIds: waiting, ...(waiting.length ? { note: waitingNote(waiting.length, true) } : {}) },
    bills: planned,
    wallTimeSeconds: seconds(started),
  };
}

/** Checks the request, finds the config and the bills, and starts the progress count. */
async function prepare(db: Db, request: BackfillRequest, dryRun: boolean) {
  const started = performance.now();
  const period = billPeriodSchema.parse(request.period);
  const concurrency = request.concurrency ?? 10;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new BackfillNotPossibleError(`--concurrency: must be a whole number of at least 1, not ${concurrency}`);
  const config = await backfillConfig(db, request, dryRun);
  const bills = await billsOfPeriod(db, request.organizationId, period);

  const counts: BackfillProgress = { done: 0, total: bills.length, byStatus: {} };
  request.onProgress?.(counts);
  const progress = (status: keyof BackfillProgress['byStatus']) => {
    counts.done++;
    counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
    request.onProgress?.(counts);
  };
  const summary = {
    organizationId: request.organizationId,
    configId: config.id,
    configName: config.name,
    period: { ...period, by: 'billDate' as const },
    billsFound: bills.length,
  };
  return { started, config, bills, progress, base: { concurrency, summary } };
}

async function backfillConfig(db: Db, request: BackfillRequest, dryRun: boolean): Promise<IntegrationConfigRow> {
  const config = await getConfig(db, request.organizationId, request.configId);
  if (!config) throw new BackfillNotPossibleError(`--config: no integration config ${request.configId} in organization ${request.organizationId}`);
  if (config.destination !== NETSUITE_DESTINATION || config.entityType !== BILL_ENTITY_TYPE) {
    throw new BackfillNotPossibleError(`--config: ${config.id} integrates ${config.entityType} with ${config.destination}; a backfill syncs bills to NetSuite`);
  }
  // Every bill would record a DISABLED run and send nothing; a dry run still shows what would happen.
  if (!config.enabled && !dryRun) {
    throw new BackfillNotPossibleError(`--config: integration config ${config.id} is disabled (${config.disabledReason ?? 'no reason recorded'}); re-enable it first: npm run -s cli -- config enable --config ${config.id}`);
  }
  return config;
}

async function billsOfPeriod(db: Db, organizationId: string, period: BillPeriod): Promise<BillWithAccountCode[]> {
  const range = billDateRange(period);
  const bills: BillWithAccountCode[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await listBills(db, organizationId, { ...range, offset, limit: PAGE });
    bills.push(...page);
    if (page.length < PAGE) return bills;
  }
}

async function syncBill(deps: BackfillDeps, config: IntegrationConfigRow, bill: BillWithAccountCode, pollIntervalMs: number): Promise<BillBackfillOutcome> {
  const organizationId = config.organizationId;
  const workflowId = billSyncWorkflowId(config.id, bill.id);
  const outcome = { billId: bill.id, billDate: bill.billDate, workflowId };
  // A sync already waiting for approval keeps its run: this tells its re-evaluation from the old verdict.
  const [before] = await listRuns(deps.db, organizationId, { billId: bill.id, configId: config.id, limit: 1 });
  const handoffs = await handOffBillEvents(deps.db, { organizationId, billIds: [bill.id], configId: config.id, trigger: 'manual', origin: 'backfill' });
  const [delivered] = await waitForDelivery(deps.db, handoffs);
  const execution = deps.temporal.workflow.getHandle<BillSyncWorkflow>(workflowId, delivered?.deliveredRunId ?? undefined);

  // Whichever comes first ends the other: a waiting sync's result() would long-poll for days.
  const settled = new AbortController();
  const ended: Promise<Settled> = deps.temporal.withAbortSignal(settled.signal, () => execution.result()).then(
    (result) => ({ kind: 'ended', runId: result.runs[result.runs.length - 1] }),
    (error: unknown) => ({ kind: 'failed', reason: error instanceof Error ? [error.message, (error.cause as Error | undefined)?.message].filter(Boolean).join(': ') : String(error) }),
  );
  const waiting = async (): Promise<Settled> => {
    try {
      for (;;) {
        await sleep(pollIntervalMs, undefined, { signal: settled.signal });
        const status: BillSyncStatus | undefined = await execution.query(billSyncStatusQuery).catch(() => undefined);
        if (status?.phase !== 'waitingForApproval' || status.pendingEvents > 0 || !status.currentRunId) continue;
        const run = await getRun(deps.db, status.currentRunId);
        const reevaluated = run && !(before && before.id === run.id && before.version === run.version);
        if (run?.status === 'WAITING' && reevaluated) return { kind: 'waiting', runId: run.id };
      }
    } catch (error) {
      if (settled.signal.aborted) return ended;
      throw error;
    }
  };
  const first = await Promise.race([ended, waiting()]);
  settled.abort();

  if (first.kind === 'failed') return { ...outcome, status: 'WORKFLOW_FAILED', reason: first.reason };
  const run = first.runId ? await getRun(deps.db, first.runId) : undefined;
  if (!run) return { ...outcome, status: 'WORKFLOW_FAILED', reason: 'the sync ended without recording a run' };
  return { ...outcome, runId: run.id, status: run.status, ...(run.status !== 'COMPLETE' && run.error ? { reason: run.error } : {}) };
}

/** How one bill's sync settled: its workflow ended (with its last run), failed, or waits for approval. */
type Settled = { kind: 'ended'; runId?: string } | { kind: 'failed'; reason: string } | { kind: 'waiting'; runId: string };

/** Runs `work` over `items` with at most `concurrency` at a time, keeping the items' order in the result. */
async function inPool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

function tally<K extends string>(keys: K[]): Partial<Record<K, number>> {
  const counts: Partial<Record<K, number>> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

function waitingNote(count: number, dryRun: boolean): string {
  const bills = count === 1 ? '1 bill is' : `${count} bills are`;
  return dryRun
    ? `${bills} not approved and this config sends only approved bills: a backfill would leave their syncs WAITING`
    : `${bills} not approved and this config sends only approved bills: their syncs are WAITING and send each bill when it is approved`;
}

function seconds(since: number): number {
  return Math.round(performance.now() - since) / 1000;
}
