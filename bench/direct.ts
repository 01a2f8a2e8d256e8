import path from 'node:path';
import { startChildScript } from './childScript';
import { collectOutcome, sampleNetSuiteUse, type BurstOutcome } from './outcome';
import { watchProcess } from './processStats';
import { seedBurst } from './seed';
import type { BenchStack } from './stack';
import type { BurstSettings } from './temporalBurst';

export interface DirectResult extends BurstOutcome {
  cpuSeconds: number;
  peakRssMb: number;
  postgresCpuSeconds: number;
  concurrency: number;
}

/**
 * The same burst without Temporal (./directMain as its own process), on a fresh integration and
 * NetSuite account with the same latency and limit: what the pipeline costs by itself.
 */
export async function runDirectBurst(stack: BenchStack, settings: BurstSettings & { directConcurrency: number }): Promise<DirectResult> {
  const burst = await seedBurst(stack, settings);
  const child = startChildScript(path.join(__dirname, 'directMain.js'), { ...process.env, ...stack.workerEnv, LOG_LEVEL: 'info' }, 'the direct pipeline');
  child.write(JSON.stringify({ orgId: burst.integration.orgId, configId: burst.integration.configId, billIds: burst.billIds, concurrency: settings.directConcurrency }));
  await child.nextLine(); // ready
  const use = sampleNetSuiteUse(stack.emulator.admin, burst.integration.netsuiteAccountId, settings.concurrency);
  const watch = watchProcess(child.pid);
  const postgresBefore = stack.cpuSeconds().postgres;
  child.write('go');
  const { startedAt } = JSON.parse(await child.nextLine()) as { startedAt: number };
  const usage = watch.stop();
  const { mean: netsuiteUtilisation, by5s: netsuiteUseBy5s } = use.stop();
  const postgresCpuSeconds = stack.cpuSeconds().postgres - postgresBefore;
  await child.end();
  const outcome = await collectOutcome(stack.db, stack.emulator.admin, burst, startedAt);
  return { ...outcome, netsuiteUtilisation, netsuiteUseBy5s, cpuSeconds: usage.cpuSeconds, peakRssMb: usage.peakRssMb, postgresCpuSeconds, concurrency: settings.directConcurrency };
}
