import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/connect';
import { listen, type Listener } from '../db/listen';
import { nudgeMirror, signalBillSync, signalConfigEnabled, startBillSync, stopMirror, terminateConfigWorkflows } from '../temporal/client';
import { claimDue, HANDOFF_CHANNEL, markDelivered, markFailed, type BillEventPayload, type ConfigEnabledPayload, type Delivery, type DueHandoff, type FailedDelivery } from './outbox';
import { sweepStranded, type SweepSettings } from './sweep';

export interface RelaySettings {
  /** Signals in flight at once, per process. */
  concurrency: number;
  /** Rows claimed (and locked) per transaction. */
  batchSize: number;
  /** How often to look for due rows when no NOTIFY woke the relay (missed while reconnecting, or a retry coming due). */
  idlePollMs: number;
  /** One delivery's deadline. */
  callTimeoutMs: number;
  /**
   * After this long a pass starts no more deliveries and commits what it delivered; the rest stay due
   * for the next pass. The pass holds its transaction open while Temporal answers, and PostgreSQL ends
   * a transaction idle for 120 s (below), which would undo every delivery of the pass: a slow Temporal
   * (each call 2.4 s, under callTimeoutMs) would then deliver the same batch again and again.
   */
  passBudgetMs: number;
  /** Back-off of a failed row, and of the whole relay while Temporal is unreachable: doubles from base to max. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** The longest a failed row waits for its next try, however often it failed. */
  rowRetryMaxMs: number;
}

export const DEFAULT_RELAY_SETTINGS: RelaySettings = {
  // Starts beyond what the server does at once only queue inside it, ahead of the workflow tasks that
  // keep NetSuite busy: with 8 a month end's burst took 2–4 % longer on the dev server and 7 % more
  // CPU a bill on the production-like one (README, Benchmarks). Every process relays, so N processes
  // have 2N in flight.
  concurrency: 2,
  batchSize: 100,
  idlePollMs: 2_000,
  callTimeoutMs: 10_000,
  passBudgetMs: 60_000,
  retryBaseMs: 1_000,
  retryMaxMs: 15_000,
  rowRetryMaxMs: 300_000,
};

export interface SweepSchedule extends SweepSettings {
  intervalMs: number;
  retentionDays: number;
}

export const DEFAULT_SWEEP: SweepSchedule = { intervalMs: 60_000, graceMs: 120_000, staleRunMs: 30 * 60_000, lookbackDays: 30, limit: 1_000, retentionDays: 7 };

export interface RelayMetrics {
  handoffsDelivered(count: number): void;
  handoffsFailed(count: number): void;
}

export interface RelayDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** The failure counter's threshold, for a counter that a re-enable starts. */
  failureThreshold: number;
  logger: Logger;
  /** Given, a dedicated connection LISTENs for new rows and the relay delivers them at once; else it polls. */
  databaseUrl?: string;
  settings?: Partial<RelaySettings>;
  /** The safety net's schedule; false: this process does not sweep. */
  sweep?: Partial<SweepSchedule> | false;
  metrics?: RelayMetrics;
}

export interface RelayPass {
  claimed: number;
  delivered: number;
  failed: number;
  /** Temporal could not be reached: the pass stopped early. */
  unavailable: boolean;
}

export interface Relay {
  /** Look for due rows now. */
  wake(): void;
  /** Finishes the pass in progress and stops. */
  stop(): Promise<void>;
}

/**
 * Delivers outbox rows to Temporal in a loop: claims due rows (locked, so no two processes deliver the
 * same row at once; a dead process's locks go with its connection), signals each workflow with bounded
 * concurrency, and marks each row delivered, or failed with a back-off. Delivery is at least once: a
 * process that dies after signalling and before its commit leaves the row to be signalled again, which
 * the workflow id per (config, bill) and the invoice upsert make harmless. While Temporal is away the
 * relay backs off and the rows wait; nothing is dropped. It also runs the sweep (handoff/sweep.ts).
 */
export function startRelay(deps: RelayDeps): Relay {
  const settings = { ...DEFAULT_RELAY_SETTINGS, ...deps.settings };
  const sweep = deps.sweep === false ? undefined : { ...DEFAULT_SWEEP, ...deps.sweep };
  const logger = deps.logger.child({ component: 'outbox-relay' });
  let stopped = false;
  let woken = false;
  let wakeUp: (() => void) | undefined;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const listener: Listener | undefined = deps.databaseUrl ? listen(deps.databaseUrl, HANDOFF_CHANNEL, wake) : undefined;
  /** Waits `ms`, or less when woken (a NOTIFY, wake()) if `wakeable`; stop() always ends it. */
  const pause = (ms: number, wakeable = true) =>
    new Promise<void>((resolve) => {
      if ((wakeable && woken) || stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        stopWaiting = undefined;
        resolve();
      }
      if (wakeable) wakeUp = done;
      stopWaiting = done;
    });
  let stopWaiting: (() => void) | undefined;

  let nextSweep = Date.now() + (sweep?.intervalMs ?? 0);
  const loop = (async () => {
    let backoffMs = 0;
    let wasUnavailable = false;
    while (!stopped) {
      woken = false;
      let pass: RelayPass;
      try {
        pass = await relayPass(deps, settings);
      } catch (error) {
        // PostgreSQL away: nothing was marked, everything claimed is due again.
        logger.warn({ err: error }, 'outbox relay pass failed; retrying');
        pass = { claimed: 0, delivered: 0, failed: 0, unavailable: true };
      }
      if (pass.delivered) deps.metrics?.handoffsDelivered(pass.delivered);
      if (pass.failed) deps.metrics?.handoffsFailed(pass.failed);
      if (pass.unavailable) {
        if (!wasUnavailable) logger.warn('Temporal or PostgreSQL unreachable: hand-offs wait in the outbox and are delivered when it is back');
        wasUnavailable = true;
        backoffMs = Math.min(settings.retryMaxMs, backoffMs ? backoffMs * 2 : settings.retryBaseMs);
        // New rows can't help while Temporal is away: only the back-off (or stop) ends this pause.
        await pause(backoffMs * (0.5 + Math.random() / 2), false);
        continue;
      }
      if (wasUnavailable) logger.info('outbox relay delivering again');
      wasUnavailable = false;
      backoffMs = 0;
      if (sweep && Date.now() >= nextSweep) {
        nextSweep = Date.now() + sweep.intervalMs;
        await runSweep(deps.db, sweep, logger);
      }
      // More are due: a full batch, or one the pass's budget cut short.
      if (pass.claimed === settings.batchSize || pass.delivered + pass.failed < pass.claimed) continue;
      await pause(Math.min(settings.idlePollMs, sweep ? Math.max(0, nextSweep - Date.now()) : Infinity));
    }
  })();

  return {
    wake,
    async stop() {
      stopped = true;
      stopWaiting?.();
      await loop;
      await listener?.close();
    },
  };
}

async function runSweep(db: Db, sweep: SweepSchedule, logger: Logger): Promise<void> {
  try {
    const stranded = await sweepStranded(db, sweep);
    if (stranded.length > 0) logger.warn({ handoffs: stranded.length, bills: stranded.slice(0, 20).map((h) => h.billId) }, 'sweep found bills no sync answered; handed them over again');
  } catch (error) {
    logger.warn({ err: error }, 'outbox sweep failed; it runs again next interval');
  }
}

/**
 * One pass: claim due rows, deliver them, record the results — in one transaction, which holds the
 * rows' locks while they are delivered. Stops starting deliveries once Temporal proves unreachable;
 * rows not tried stay due. Exported for the CLI and tests, which deliver what is due and stop.
 */
export async function relayPass(deps: Pick<RelayDeps, 'db' | 'temporal' | 'taskQueue' | 'failureThreshold'>, settings: RelaySettings = DEFAULT_RELAY_SETTINGS): Promise<RelayPass> {
  return deps.db.transaction().execute(async (tx) => {
    // A process that hangs (rather than dies) must not keep its rows forever.
    await sql`set local idle_in_transaction_session_timeout = '120s'`.execute(tx);
    const rows = await claimDue(tx, settings.batchSize);
    if (rows.length === 0) return { claimed: 0, delivered: 0, failed: 0, unavailable: false };
    const delivered: Delivery[] = [];
    const failed: FailedDelivery[] = [];
    let unavailable = false;
    let next = 0;
    const budgetEnds = Date.now() + settings.passBudgetMs;
    const lane = async () => {
      // The first row is always tried, so every pass moves the outbox on however slow Temporal is.
      while (next < rows.length && !unavailable && (next === 0 || Date.now() < budgetEnds)) {
        const row = rows[next++]!;
        try {
          // A deadline, not an abort: the client's own retries settle before the call returns, so
          // none is left to fire on a connection closed after stop().
          delivered.push(await deps.temporal.withDeadline(Date.now() + settings.callTimeoutMs, () => deliver(deps, row)));
        } catch (error) {
          if (isUnreachable(error)) unavailable = true;
          failed.push({ id: row.id, error: describe(error), retryInMs: unavailable ? 0 : rowRetryMs(row.attempts, settings) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, rows.length) }, lane));
    await markDelivered(tx, delivered);
    await markFailed(tx, failed);
    return { claimed: rows.length, delivered: delivered.length, failed: failed.length, unavailable };
  });
}

/** Sends one row to its workflow. */
async function deliver(deps: Pick<RelayDeps, 'temporal' | 'taskQueue' | 'failureThreshold'>, row: DueHandoff): Promise<Delivery> {
  const gone = { id: row.id, runId: null, note: `integration config ${row.configId} no longer exists: nothing to deliver` };
  switch (row.kind) {
    case 'billEvent': {
      if (!row.configId || !row.configExists || !row.billId) return gone;
      const payload = row.payload as unknown as BillEventPayload;
      const target = { organizationId: row.organizationId, configId: row.configId, billId: row.billId, accountId: payload.accountId };
      const event = { kind: payload.trigger, handoffId: row.id, ...(payload.parentIntegrationRunId ? { parentIntegrationRunId: payload.parentIntegrationRunId } : {}) };
      // Most events (a month end's approvals) find no sync running: start one. A sync with a run
      // not ended (waiting for approval, retrying) is signalled, as is one the start finds running.
      const started = row.syncLive ? undefined : await startBillSync(deps.temporal, deps.taskQueue, target, event);
      const { runId } = started ?? (await signalBillSync(deps.temporal, deps.taskQueue, target, event));
      return { id: row.id, runId };
    }
    case 'configEnabled': {
      if (!row.configId || !row.configExists) return gone;
      const { at } = row.payload as unknown as ConfigEnabledPayload;
      const { runId } = await signalConfigEnabled(deps.temporal, deps.taskQueue, { organizationId: row.organizationId, configId: row.configId, threshold: deps.failureThreshold }, at);
      return { id: row.id, runId };
    }
    case 'configDeleted':
      if (row.configId) await terminateConfigWorkflows(deps.temporal, row.configId);
      return { id: row.id, runId: null };
    case 'sourceNudge': {
      // A nudge for a source disconnected since is harmless: the pass it starts finds the source gone and ends the mirror.
      if (!row.sourceId) return { id: row.id, runId: null, note: 'no source named' };
      const { runId } = await nudgeMirror(deps.temporal, deps.taskQueue, { organizationId: row.organizationId, sourceId: row.sourceId });
      return { id: row.id, runId };
    }
    case 'sourceDisconnected':
      if (row.sourceId) await stopMirror(deps.temporal, row.sourceId);
      return { id: row.id, runId: null };
  }
}

function rowRetryMs(attempts: number, settings: RelaySettings): number {
  return Math.min(settings.rowRetryMaxMs, settings.retryBaseMs * 2 ** attempts) * (0.5 + Math.random() / 2);
}

/** gRPC statuses that say "the server isn't there (or is overloaded) right now", not "this request is wrong". */
const UNREACHABLE_CODES = new Set([1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */]);

function isUnreachable(error: unknown): boolean {
  for (let cause = error; cause && typeof cause === 'object'; cause = (cause as { cause?: unknown }).cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'number' && UNREACHABLE_CODES.has(code)) return true;
    if ((cause as { name?: unknown }).name === 'TransportError') return true;
  }
  return false;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${message}${cause}`;
}
