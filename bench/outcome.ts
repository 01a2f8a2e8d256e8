import type { Db } from '../db/connect';
import type { AdminClient } from '../emulator/adminClient';
import type { SeededBurst } from './seed';
import { TERMINAL_STATUSES } from '../domain/runStatus';

/** What one burst left behind, read from our database and from NetSuite (the emulator). */
export interface BurstOutcome {
  /** First approval to the last run's COMPLETE (its dtCompleted). */
  wallMs: number;
  statuses: Record<string, number>;
  /** Runs that ended in anything but COMPLETE. */
  failedRuns: number;
  errorEvents: number;
  /** Requests the emulator refused with 429 because the account's concurrency limit was reached. */
  throttled: number;
  peakConcurrency: number;
  invoices: number;
  /** externalIds with more than one invoice: what exactly-once forbids. */
  duplicates: number;
  /** Bills with no invoice at all. */
  missing: number;
  /** Invoice writes beyond one per bill (harmless re-sends of the same upsert). */
  extraWrites: number;
  netsuiteRequests: number;
  /** NetSuite requests in flight, averaged over the burst (sampled every 100 ms), divided by C. */
  netsuiteUtilisation?: number;
  /** The same for each 5 s from the approval: when in the burst NetSuite sat idle. */
  netsuiteUseBy5s?: number[];
}

/**
 * Samples the emulator's requests in flight on the burst's account every 100 ms: how much of
 * NetSuite's limit the service kept busy, which N·L/C assumes is all of it, overall and by 5 s.
 */
export function sampleNetSuiteUse(emulator: AdminClient, netsuiteAccountId: string, limit: number): { stop(): { mean: number; by5s: number[] } } {
  const startedAt = Date.now();
  const buckets: Array<{ sum: number; samples: number }> = [];
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const stats = await emulator.getStats(netsuiteAccountId).catch(() => undefined);
      if (stats && !stopped) {
        const bucket = (buckets[Math.floor((Date.now() - startedAt) / 5_000)] ??= { sum: 0, samples: 0 });
        bucket.sum += stats.inFlight;
        bucket.samples++;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop() {
      stopped = true;
      const filled = Array.from(buckets, (b) => b ?? { sum: 0, samples: 0 });
      const total = filled.reduce((t, b) => ({ sum: t.sum + b.sum, samples: t.samples + b.samples }), { sum: 0, samples: 0 });
      return { mean: total.samples === 0 ? NaN : total.sum / total.samples / limit, by5s: filled.map((b) => (b.samples === 0 ? NaN : b.sum / b.samples / limit)) };
    },
  };
}

/** Polls the runs until every bill's run has ended (any terminal status), or the deadline passes. */
export async function waitForRuns(db: Db, configId: string, bills: number, deadlineMs: number): Promise<void> {
  for (;;) {
    const row = await db
      .selectFrom('integrationRun')
      .select((eb) => eb.fn.count<string>('entityId').distinct().as('done'))
      .where('configId', '=', configId)
      .where('status', 'in', TERMINAL_STATUSES)
      .executeTakeFirstOrThrow();
    if (Number(row.done) >= bills) return;
    if (Date.now() > deadlineMs) throw new Error(`only ${row.done} of ${bills} bills finished before the deadline`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function collectOutcome(db: Db, emulator: AdminClient, burst: SeededBurst, startedAt: number): Promise<BurstOutcome> {
  const { configId, netsuiteAccountId } = burst.integration;
  const runs = await db.selectFrom('integrationRun').select(['status', 'dtCompleted']).where('configId', '=', configId).execute();
  const statuses: Record<string, number> = {};
  let lastCompleted = startedAt;
  for (const run of runs) {
    statuses[run.status] = (statuses[run.status] ?? 0) + 1;
    if (run.status === 'COMPLETE' && run.dtCompleted) lastCompleted = Math.max(lastCompleted, run.dtCompleted.getTime());
  }
  const events = await db.selectFrom('integrationEvent').select((eb) => eb.fn.countAll<string>().as('n')).where('configId', '=', configId).executeTakeFirstOrThrow();
  const stats = await emulator.getStats(netsuiteAccountId);
  const invoices = await emulator.listInvoices(netsuiteAccountId);
  const perExternalId = new Map<string, number>();
  for (const invoice of invoices) perExternalId.set(invoice.externalId ?? invoice.id, (perExternalId.get(invoice.externalId ?? invoice.id) ?? 0) + 1);
  return {
    wallMs: lastCompleted - startedAt,
    statuses,
    failedRuns: runs.filter((r) => r.status !== 'COMPLETE').length,
    errorEvents: Number(events.n),
    throttled: stats.rejectedByConcurrency + (stats.faultsInjected.error429 ?? 0),
    peakConcurrency: stats.peakConcurrency,
    invoices: invoices.length,
    duplicates: [...perExternalId.values()].filter((n) => n > 1).length,
    missing: burst.billIds.length - perExternalId.size,
    extraWrites: invoices.reduce((sum, i) => sum + i.writes, 0) - perExternalId.size,
    netsuiteRequests: Object.values(stats.requests).reduce((a, b) => a + b, 0),
  };
}
