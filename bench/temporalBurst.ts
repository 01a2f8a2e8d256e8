import fs from 'node:fs';
import crypto from 'node:crypto';
import { handOffBillEvents } from '../handoff/outbox';
import { histogram, labelValues, persistenceCallsBetween, scrape, total, type HistogramSummary, type Sample } from './metrics';
import { freePort } from '../stack/freePort';
import { collectOutcome, sampleNetSuiteUse, waitForRuns, type BurstOutcome } from './outcome';
import { sampleCpuBy5s, sampleProcess, threadBreakdown, threadCpuSeconds, watchProcess } from './processStats';
import { seedBurst, settleDatabase, type SeededBurst } from './seed';
import { stackCpuBetween, type BenchStack } from './stack';
import { startBenchWorker, type BenchWorker } from './workerProcess';

export interface BurstSettings {
  bills: number;
  latencyMs: number;
  concurrency: number;
  cpuProfDir?: string;
  /** Worker processes on the task queue (1 unless --workers): CPU and counts are their sums, RSS the largest. */
  workers?: number;
  /** The approvals find a sync waiting for each bill (its calculation handed over before the burst). */
  waiting?: boolean;
}

/** Where a burst's time went, from the SDK's metrics (worker side) and the server's. */
export interface TimeBreakdown {
  workflowTaskScheduleToStart: HistogramSummary;
  workflowTaskExecution: HistogramSummary;
  activityScheduleToStart: HistogramSummary;
  activityExecution: Record<string, HistogramSummary>;
  /** Mean share of the worker's slots busy during the burst, sampled each second. */
  slotsBusy: Record<string, { mean: number; max: number; size: number }>;
  /** Largest V8 heap of the worker's main thread seen in the burst (the service's /metrics), MB. */
  peakHeapUsedMb: number;
  peakHeapTotalMb: number;
  /** How late the worker's event loop ran callbacks (prom-client's figures, sampled each second), ms. */
  eventLoopLagMeanMs: number;
  eventLoopLagP99MaxMs: number;
  stickyCacheMisses: number;
  /** Workflows evicted from the worker's cache (replayed from history when they next run). */
  cacheEvictions: number;
  server?: { persistence: Record<string, HistogramSummary>; requests: Record<string, HistogramSummary>; shardLock: HistogramSummary; shardIo: HistogramSummary };
}

export interface TemporalBurstResult extends BurstOutcome {
  /** The one `POST /bills/approve` call with all N ids, as a client sees it. */
  approvalCallMs: number;
  /** From the call until the outbox relay had started (or signalled) every bill's sync. */
  allSyncsStartedMs: number;
  allClosedMs?: number;
  workerCpuSeconds: number;
  workerPeakRssMb: number;
  workerLifetimePeakRssMb: number;
  /** The worker's CPU seconds by kind of thread. */
  workerThreads: Record<string, number>;
  /** Cores each part used per 5 s from the approval (worker, server, PostgreSQL). */
  cpuBy5s: Record<string, number[]>;
  /** CPU seconds of the other parts during the burst: where a 2-core machine's time went. */
  serverCpuSeconds?: number;
  postgresCpuSeconds: number;
  /** What the burst cost Temporal, counted: per bill these are the figures the cost target is about. */
  counts: { workflowTasks: number; activities: number; localActivities: number; persistenceCalls?: number };
  breakdown: TimeBreakdown;
}

/**
 * The month-end burst through the real service: N bills approved at once (one signalWithStart each,
 * as the API's approve does), a worker process syncing them through Temporal into the emulator.
 */
export async function runTemporalBurst(stack: BenchStack, settings: BurstSettings): Promise<TemporalBurstResult> {
  const burst = await seedBurst(stack, settings);
  const taskQueue = `bench-${crypto.randomUUID()}`;
  const workers: BenchWorker[] = [];
  for (let i = 0; i < (settings.workers ?? 1); i++) workers.push(await startBenchWorker({ env: stack.workerEnv, taskQueue, metricsPort: await freePort(), cpuProfDir: settings.cpuProfDir }));
  const worker = workers[0]!;
  try {
    if (settings.waiting) await syncsWaiting(stack, burst);
    // The worker's totals before the window (the waiting syncs' tasks, with --waiting): counted out.
    const workerBefore = (await Promise.all(workers.map((w) => scrape(w.metricsUrl)))).flat();
    const serverBefore = stack.serverMetricsUrl ? await scrape(stack.serverMetricsUrl) : undefined;
    // Slots, heap and event-loop lag are the first worker's; CPU, threads and counts are summed over all.
    const slots = sampleSlots(worker.metricsUrl, worker.serviceMetricsUrl);
    const watches = workers.map((w) => watchProcess(w.pid));
    const cpuBefore = stack.cpuSeconds();
    const threadsBefore = workers.map((w) => threadCpuSeconds(w.pid));
    const physicalMs = (settings.bills * settings.latencyMs) / settings.concurrency;

    const use = sampleNetSuiteUse(stack.emulator.admin, burst.integration.netsuiteAccountId, settings.concurrency);
    const cpuUse = sampleCpuBy5s(() => {
      const { temporalServer, postgres } = stack.cpuSeconds();
      return { worker: sum(workers.map((w) => sampleProcess(w.pid).cpuSeconds)), server: temporalServer ?? Number.NaN, PostgreSQL: postgres };
    });
    const token = await apiToken(worker.serviceUrl, burst);
    const startedAt = Date.now();
    await approveThroughApi(worker.serviceUrl, token, burst);
    const approvalCallMs = Date.now() - startedAt;
    await waitForRuns(stack.db, burst.integration.configId, settings.bills, startedAt + Math.max(600_000, physicalMs * 10));
    const usages = watches.map((w) => w.stop());
    const usage = { cpuSeconds: sum(usages.map((u) => u.cpuSeconds)), peakRssMb: Math.max(...usages.map((u) => u.peakRssMb)), lifetimePeakRssMb: Math.max(...usages.map((u) => u.lifetimePeakRssMb)) };
    const { mean: netsuiteUtilisation, by5s: netsuiteUseBy5s } = use.stop();
    const cpuBy5s = cpuUse.stop();
    const cpuAfter = stack.cpuSeconds();
    const workerThreads: Record<string, number> = {};
    workers.forEach((w, i) => {
      for (const [kind, cpu] of Object.entries(threadBreakdown(w.pid, threadsBefore[i]!, threadCpuSeconds(w.pid)))) workerThreads[kind] = (workerThreads[kind] ?? 0) + cpu;
    });
    const { slotsBusy, peakHeapUsedMb, peakHeapTotalMb, eventLoopLagMeanMs, eventLoopLagP99MaxMs } = slots.stop();
    const allClosedMs = await waitUntilClosed(stack, taskQueue, startedAt);

    const workerMetrics = (await Promise.all(workers.map((w) => scrape(w.metricsUrl)))).flat();
    const since = (name: string) => total(workerMetrics, name) - total(workerBefore, name);
    if (process.env.BENCH_DUMP_METRICS) fs.writeFileSync(process.env.BENCH_DUMP_METRICS, workerMetrics.map((m) => `${m.name} ${JSON.stringify(m.labels)} ${m.value}`).join('\n'));
    const serverAfter = stack.serverMetricsUrl ? await scrape(stack.serverMetricsUrl) : undefined;
    const outcome = await collectOutcome(stack.db, stack.emulator.admin, burst, startedAt);
    const lastDelivered = await stack.db.selectFrom('outbox').select((eb) => eb.fn.max('dtDelivered').as('at')).where('configId', '=', burst.integration.configId).executeTakeFirst();
    return {
      ...outcome,
      netsuiteUtilisation,
      netsuiteUseBy5s,
      cpuBy5s,
      approvalCallMs,
      allSyncsStartedMs: lastDelivered?.at ? new Date(lastDelivered.at).getTime() - startedAt : Number.NaN,
      allClosedMs,
      workerCpuSeconds: usage.cpuSeconds,
      workerPeakRssMb: usage.peakRssMb,
      workerLifetimePeakRssMb: usage.lifetimePeakRssMb,
      workerThreads,
      ...stackCpuBetween(cpuBefore, cpuAfter),
      counts: {
        // The burst's window only (the failure counter's tasks included).
        workflowTasks: since('temporal_workflow_task_execution_latency_count'),
        activities: since('temporal_activity_execution_latency_count'),
        localActivities: since('temporal_local_activity_execution_latency_count'),
        persistenceCalls: persistenceCallsBetween(serverBefore, serverAfter),
      },
      breakdown: {
        workflowTaskScheduleToStart: histogram(workerMetrics, 'temporal_workflow_task_schedule_to_start_latency', {}, workerBefore),
        workflowTaskExecution: histogram(workerMetrics, 'temporal_workflow_task_execution_latency', {}, workerBefore),
        activityScheduleToStart: histogram(workerMetrics, 'temporal_activity_schedule_to_start_latency', {}, workerBefore),
        activityExecution: Object.fromEntries(
          labelValues(workerMetrics, 'temporal_activity_execution_latency_count', 'activity_type').map((type) => [type, histogram(workerMetrics, 'temporal_activity_execution_latency', { activity_type: type }, workerBefore)]),
        ),
        slotsBusy,
        peakHeapUsedMb,
        peakHeapTotalMb,
        eventLoopLagMeanMs,
        eventLoopLagP99MaxMs,
        stickyCacheMisses: since('temporal_sticky_cache_miss_total'),
        cacheEvictions: since('temporal_sticky_cache_total_forced_eviction_total'),
        server: serverBefore && serverAfter ? serverBreakdown(serverBefore, serverAfter) : undefined,
      },
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/**
 * The usual month end: each bill's calculation was handed over when it was stored, and its sync waits
 * (durably, in the worker's cache) for the approval. Done before the burst's window, then the
 * database settled as after seeding (settleDatabase).
 */
async function syncsWaiting(stack: BenchStack, burst: SeededBurst): Promise<void> {
  await stack.db.transaction().execute((tx) => handOffBillEvents(tx, { organizationId: burst.integration.orgId, billIds: burst.billIds, trigger: 'calculated', origin: 'bench' }));
  const deadline = Date.now() + 600_000;
  for (;;) {
    const waiting = await stack.db.selectFrom('integrationRun').select((eb) => eb.fn.countAll<string>().as('n')).where('configId', '=', burst.integration.configId).where('status', '=', 'WAITING').executeTakeFirst();
    if (Number(waiting?.n ?? 0) >= burst.billIds.length) break;
    if (Date.now() > deadline) throw new Error(`only ${waiting?.n ?? 0} of ${burst.billIds.length} syncs waiting for approval after 10 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await settleDatabase(stack.db);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

async function apiToken(serviceUrl: string, burst: SeededBurst): Promise<string> {
  const basic = Buffer.from(`${burst.integration.apiKey}:${burst.integration.apiSecret}`).toString('base64');
  const response = await fetch(`${serviceUrl}/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' });
  if (!response.ok) throw new Error(`POST /oauth/token answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** What a billing team's month end does: every bill approved in one call (m3ter takes up to 1,000 ids a call). */
async function approveThroughApi(serviceUrl: string, token: string, burst: SeededBurst): Promise<void> {
  for (let start = 0; start < burst.billIds.length; start += 1000) {
    const response = await fetch(`${serviceUrl}/organizations/${burst.integration.orgId}/bills/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ billIds: burst.billIds.slice(start, start + 1000) }),
    });
    if (!response.ok) throw new Error(`POST bills/approve answered ${response.status}: ${await response.text()}`);
  }
}

/** Every bill-sync workflow of the burst closed (reportOutcome done too); undefined if visibility can't say. */
async function waitUntilClosed(stack: BenchStack, taskQueue: string, startedAt: number): Promise<number | undefined> {
  const deadline = Date.now() + 120_000;
  try {
    for (;;) {
      const { count } = await stack.temporal.workflow.count(`TaskQueue = '${taskQueue}' AND WorkflowType = 'billSync' AND ExecutionStatus = 'Running'`);
      if (count === 0) return Date.now() - startedAt;
      if (Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch {
    return undefined;
  }
}

/** Samples the worker's used/available task slots each second, per slot kind, and its heap. */
function sampleSlots(metricsUrl: string, serviceMetricsUrl: string) {
  const seen: Record<string, { sum: number; max: number; samples: number; size: number }> = {};
  let peakHeapUsedMb = 0;
  let peakHeapTotalMb = 0;
  const lag = { sum: 0, samples: 0, p99Max: 0 };
  const timer = setInterval(() => {
    scrape(serviceMetricsUrl)
      .then((samples) => {
        peakHeapUsedMb = Math.max(peakHeapUsedMb, total(samples, 'nodejs_heap_size_used_bytes') / 2 ** 20);
        peakHeapTotalMb = Math.max(peakHeapTotalMb, total(samples, 'nodejs_heap_size_total_bytes') / 2 ** 20);
        lag.sum += total(samples, 'nodejs_eventloop_lag_mean_seconds') * 1000;
        lag.samples++;
        lag.p99Max = Math.max(lag.p99Max, total(samples, 'nodejs_eventloop_lag_p99_seconds') * 1000);
      })
      .catch(() => undefined);
    scrape(metricsUrl)
      .then((samples) => {
        for (const kind of labelValues(samples, 'temporal_worker_task_slots_used', 'worker_type')) {
          const used = total(samples, 'temporal_worker_task_slots_used', { worker_type: kind });
          const size = used + total(samples, 'temporal_worker_task_slots_available', { worker_type: kind });
          const entry = (seen[kind] ??= { sum: 0, max: 0, samples: 0, size });
          entry.sum += used;
          entry.max = Math.max(entry.max, used);
          entry.samples++;
          entry.size = size;
        }
      })
      .catch(() => undefined);
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      const slotsBusy = Object.fromEntries(Object.entries(seen).map(([kind, s]) => [kind, { mean: s.sum / Math.max(1, s.samples), max: s.max, size: s.size }]));
      return { slotsBusy, peakHeapUsedMb, peakHeapTotalMb, eventLoopLagMeanMs: lag.sum / Math.max(1, lag.samples), eventLoopLagP99MaxMs: lag.p99Max };
    },
  };
}

/** The server's own latencies per operation during the burst (long polls left out: they wait by design). */
function serverBreakdown(before: Sample[], after: Sample[]): NonNullable<TimeBreakdown['server']> {
  const byOperation = (name: string, filter: Record<string, string> = {}) =>
    Object.fromEntries(
      labelValues(after, `${name}_count`, 'operation')
        .filter((op) => !op.startsWith('Poll'))
        .map((op) => [op, histogram(after, name, { ...filter, operation: op }, before)] as const)
        .filter(([, h]) => h.count > 0),
    );
  return {
    persistence: byOperation('persistence_latency'),
    requests: byOperation('service_latency', { service_name: 'frontend' }),
    // A shard serialises the writes of its workflows: waits here mean one shard is not enough.
    shardLock: histogram(after, 'dd_shard_lock_latency', {}, before),
    shardIo: histogram(after, 'dd_shard_io_semaphore_latency', {}, before),
  };
}
