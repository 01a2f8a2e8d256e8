import os from 'node:os';
import type { DirectResult } from './direct';
import type { FloorResult } from './floor';
import type { HistogramSummary } from './metrics';
import type { BurstOutcome } from './outcome';
import type { BurstSettings, TemporalBurstResult } from './temporalBurst';

/** One measured figure against its target. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  target: string;
  ok: boolean;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

export function printFigures(figures: Figure[]): void {
  const width = Math.max(...figures.map((r) => r.name.length));
  for (const r of figures) out(`${r.ok ? 'ok  ' : 'MISS'}  ${r.name.padEnd(width)}  ${String(r.value).padStart(12)} ${r.unit.padEnd(6)} target ${r.target}`);
}

/** The machine's load, printed with every end-to-end figure: on a shared machine they move with it. */
export function loadLine(): string {
  const [one, five, fifteen] = os.loadavg().map((n) => n.toFixed(2));
  return `load average ${one}, ${five}, ${fifteen} on ${os.cpus().length} cores`;
}

export function physicalLimitMs(settings: BurstSettings): number {
  return (settings.bills * settings.latencyMs) / settings.concurrency;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const row of rows) out(`  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ')}`);
}

export function printBurst(settings: BurstSettings, temporal: TemporalBurstResult, direct: DirectResult | undefined, loadBefore: string, floor?: FloorResult): void {
  const physical = physicalLimitMs(settings);
  out();
  out(`Month-end burst: N = ${settings.bills} approved bills, NetSuite latency L = ${settings.latencyMs} ms, concurrency limit C = ${settings.concurrency}${(settings.workers ?? 1) > 1 ? `, ${settings.workers} worker processes (CPU summed, RSS the largest)` : ''}${settings.waiting ? ', a sync waiting for each approval' : ''}`);
  out(`  (before: ${loadBefore}; after: ${loadLine()} — other work on the machine moves these figures)`);
  const rows: string[][] = [['', 'Temporal', direct ? `without Temporal (${direct.concurrency} in flight)` : '']];
  const both = (label: string, f: (r: TemporalBurstResult | DirectResult) => string) => rows.push([label, f(temporal), direct ? f(direct) : '']);
  both('wall time, first approval → last run COMPLETE', (r) => s(r.wallMs));
  rows.push(['physical limit N·L/C', s(physical), direct ? s(physical) : '']);
  both('ratio wall / N·L/C', (r) => `${(r.wallMs / physical).toFixed(3)}×`);
  both('bills/s', (r) => (settings.bills / (r.wallMs / 1000)).toFixed(1));
  both('429s seen (emulator)', (r) => String(r.throttled));
  both('runs not COMPLETE (429s or anything else turned into errors)', (r) => String(r.failedRuns));
  both('error events raised', (r) => String(r.errorEvents));
  both('duplicate invoices (externalId with > 1 invoice)', (r) => String(r.duplicates));
  both('bills without an invoice', (r) => String(r.missing));
  both('extra invoice writes (re-sent upserts)', (r) => String(r.extraWrites));
  both('peak NetSuite concurrency (emulator)', (r) => String(r.peakConcurrency));
  both('NetSuite kept busy (mean requests in flight / C)', (r) => (r.netsuiteUtilisation === undefined || Number.isNaN(r.netsuiteUtilisation) ? '?' : `${(r.netsuiteUtilisation * 100).toFixed(1)} %`));
  both('CPU seconds of the worker process', (r) => ('workerCpuSeconds' in r ? r.workerCpuSeconds : r.cpuSeconds).toFixed(1));
  for (const [kind, cpu] of Object.entries(temporal.workerThreads).sort(([, a], [, b]) => b - a)) rows.push([`  of which ${kind}`, cpu.toFixed(1), '']);
  rows.push(['CPU seconds of the Temporal server', temporal.serverCpuSeconds === undefined ? '?' : temporal.serverCpuSeconds.toFixed(1), '']);
  both('CPU seconds of PostgreSQL', (r) => r.postgresCpuSeconds.toFixed(1));
  both('peak RSS in the burst, MB', (r) => ('workerPeakRssMb' in r ? r.workerPeakRssMb : r.peakRssMb).toFixed(0));
  rows.push(['peak RSS since the worker started (bundling included), MB', temporal.workerLifetimePeakRssMb.toFixed(0), '']);
  rows.push(['POST bills/approve with all N ids answered after', `${temporal.approvalCallMs} ms`, '']);
  rows.push(['every sync started (outbox delivered) after', s(temporal.allSyncsStartedMs), '']);
  rows.push(['every billSync workflow closed after', temporal.allClosedMs === undefined ? '?' : s(temporal.allClosedMs), '']);
  if (direct) rows.push(['overhead ratio, Temporal wall / direct wall', `${(temporal.wallMs / direct.wallMs).toFixed(3)}×`, '']);
  table(rows);
  const profile = (r: BurstOutcome) => (r.netsuiteUseBy5s ?? []).map((u) => (Number.isNaN(u) ? '?' : (u * 100).toFixed(0))).join(' ');
  out(`  NetSuite kept busy by 5 s from the approval, %: Temporal ${profile(temporal)}`);
  if (direct) out(`${' '.repeat(50)}without Temporal ${profile(direct)}`);
  for (const [part, cores] of Object.entries(temporal.cpuBy5s)) out(`  ${`cores used by 5 s, ${part}:`.padEnd(48)} ${cores.map((c) => (Number.isNaN(c) ? '?' : c.toFixed(1))).join(' ')}`);
  if (direct) printPerBill(settings, temporal, direct, floor);
  printBreakdown(temporal);
}

/** CPU the Temporal path spent on everything (worker, server, PostgreSQL) against the direct pipeline's. */
export function cpuRatio(temporal: TemporalBurstResult, direct: DirectResult): number {
  return (temporal.workerCpuSeconds + (temporal.serverCpuSeconds ?? 0) + temporal.postgresCpuSeconds) / (direct.cpuSeconds + direct.postgresCpuSeconds);
}

/**
 * What one synced bill cost each part, on both paths, and the ratio the cost target is about; with
 * --floor, what an empty workflow costs beside them, and so the least that ratio can be.
 */
function printPerBill(settings: BurstSettings, temporal: TemporalBurstResult, direct: DirectResult, floor?: FloorResult): void {
  const per = (seconds: number | undefined, n = settings.bills) => (seconds === undefined ? '?' : `${((seconds * 1000) / n).toFixed(1)} ms`);
  const count = (x: number | undefined, n = settings.bills) => (x === undefined ? '?' : (x / n).toFixed(2));
  const all = (r: { cpu: number; server?: number; pg: number }) => r.cpu + (r.server ?? 0) + r.pg;
  const empty = (cell: (f: FloorResult) => string) => (floor ? [cell(floor)] : []);
  out('  Per synced bill:');
  table([
    ['', 'Temporal', 'without Temporal', ...empty(() => 'empty workflow (--floor)')],
    ['worker CPU', per(temporal.workerCpuSeconds), per(direct.cpuSeconds), ...empty((f) => per(f.workerCpuSeconds, f.workflows))],
    ['Temporal server CPU', per(temporal.serverCpuSeconds), '—', ...empty((f) => per(f.serverCpuSeconds, f.workflows))],
    ['PostgreSQL CPU', per(temporal.postgresCpuSeconds), per(direct.postgresCpuSeconds), ...empty((f) => per(f.postgresCpuSeconds, f.workflows))],
    ['all CPU', per(all({ cpu: temporal.workerCpuSeconds, server: temporal.serverCpuSeconds, pg: temporal.postgresCpuSeconds })), per(all({ cpu: direct.cpuSeconds, pg: direct.postgresCpuSeconds })), ...empty((f) => per(all({ cpu: f.workerCpuSeconds, server: f.serverCpuSeconds, pg: f.postgresCpuSeconds }), f.workflows))],
    ['server persistence calls', count(temporal.counts.persistenceCalls), '—', ...empty((f) => count(f.persistenceCalls, f.workflows))],
    ['workflow tasks', count(temporal.counts.workflowTasks), '—', ...empty(() => '—')],
    ['activities (scheduled by the server / local)', `${count(temporal.counts.activities)} / ${count(temporal.counts.localActivities)}`, '—', ...empty(() => '—')],
    ['CPU ratio, Temporal / without', `${cpuRatio(temporal, direct).toFixed(2)}×`, '', ...empty((f) => `least possible ${floorRatio(f, direct, settings.bills).toFixed(2)}×`)],
  ]);
}

/** The least the CPU ratio can be: the direct pipeline's work plus an empty workflow per bill, over the direct pipeline's. */
function floorRatio(floor: FloorResult, direct: DirectResult, bills: number): number {
  const directPerBill = (direct.cpuSeconds + direct.postgresCpuSeconds) / bills;
  const floorPerWorkflow = (floor.workerCpuSeconds + (floor.serverCpuSeconds ?? 0) + floor.postgresCpuSeconds) / floor.workflows;
  return (directPerBill + floorPerWorkflow) / directPerBill;
}

// Both the SDK (as the service configures it) and the server report durations in seconds.
const h = (x: HistogramSummary) => (x.count === 0 ? '—' : `${x.count} × mean ${(x.mean * 1000).toFixed(1)} ms (p95 ≤ ${x.p95 * 1000} ms)`);

function printBreakdown(result: TemporalBurstResult): void {
  const b = result.breakdown;
  out('  Where the time goes (Temporal SDK metrics of the worker; the server\'s own metrics):');
  const rows: string[][] = [
    ['workflow task schedule-to-start', h(b.workflowTaskScheduleToStart)],
    ['workflow task execution', h(b.workflowTaskExecution)],
    ['activity schedule-to-start', h(b.activityScheduleToStart)],
    ...Object.entries(b.activityExecution).map(([type, x]) => [`activity ${type}`, h(x)]),
    ...Object.entries(b.slotsBusy).map(([kind, x]) => [`${kind} slots busy (of ${x.size})`, `mean ${x.mean.toFixed(1)}, max ${x.max}`]),
    ['worker event-loop delay, mean / worst p99', `${b.eventLoopLagMeanMs.toFixed(1)} / ${b.eventLoopLagP99MaxMs.toFixed(0)} ms`],
    ['worker main-thread V8 heap, peak used / total', `${b.peakHeapUsedMb.toFixed(0)} / ${b.peakHeapTotalMb.toFixed(0)} MB`],
    ['sticky cache misses / forced evictions', `${b.stickyCacheMisses} / ${b.cacheEvictions}`],
  ];
  if (b.server) {
    // Ranked by the time they took in all; the server reports seconds.
    const top = (all: Record<string, HistogramSummary>) => Object.entries(all).sort(([, x], [, y]) => y.count * y.mean - x.count * x.mean).slice(0, 5);
    for (const [op, x] of top(b.server.requests)) rows.push([`server frontend ${op}`, h(x)]);
    for (const [op, x] of top(b.server.persistence)) rows.push([`server persistence ${op}`, h(x)]);
    rows.push(['server shard lock waits', h(b.server.shardLock)], ['server shard IO semaphore waits', h(b.server.shardIo)]);
  }
  table(rows);
}

export function printScaling(settings: Omit<BurstSettings, 'bills'>, rows: Array<{ bills: number; result: TemporalBurstResult }>): void {
  out();
  out(`Scaling, L = ${settings.latencyMs} ms, C = ${settings.concurrency} (${loadLine()}):`);
  table([
    ['N', 'wall', 'N·L/C', 'ratio', 'bills/s', '429s', 'not COMPLETE', 'duplicates', 'worker CPU s', 'peak RSS MB'],
    ...rows.map(({ bills, result }) => {
      const physical = physicalLimitMs({ ...settings, bills });
      return [
        bills.toLocaleString('en'),
        s(result.wallMs),
        s(physical),
        `${(result.wallMs / physical).toFixed(3)}×`,
        (bills / (result.wallMs / 1000)).toFixed(1),
        String(result.throttled),
        String(result.failedRuns),
        String(result.duplicates),
        result.workerCpuSeconds.toFixed(1),
        result.workerPeakRssMb.toFixed(0),
      ];
    }),
  ]);
}

/** The issue's target at N = 1,000, L = 200 ms, C = 5, as figures with ok/MISS. */
export function burstFigures(settings: BurstSettings, result: TemporalBurstResult, direct?: DirectResult): Figure[] {
  const ratio = result.wallMs / physicalLimitMs(settings);
  const cpu = direct ? cpuRatio(result, direct) : undefined;
  return [
    ...(cpu === undefined ? [] : [{ name: 'CPU per bill, Temporal path / direct (worker + server + PostgreSQL)', value: Number(cpu.toFixed(2)), unit: '×', target: '≤ 3×', ok: cpu <= 3 }]),
    { name: `burst wall / N·L/C (N=${settings.bills}, L=${settings.latencyMs} ms, C=${settings.concurrency})`, value: Number(ratio.toFixed(3)), unit: '×', target: '≤ 1.15×', ok: ratio <= 1.15 },
    { name: 'runs not COMPLETE (429s turned into errors)', value: result.failedRuns, unit: '', target: '0', ok: result.failedRuns === 0 },
    { name: 'duplicate invoices', value: result.duplicates, unit: '', target: '0', ok: result.duplicates === 0 && result.missing === 0 },
    { name: 'worker peak RSS', value: Number(result.workerLifetimePeakRssMb.toFixed(0)), unit: 'MB', target: '< 300 MB', ok: result.workerLifetimePeakRssMb < 300 },
  ];
}
