import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
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
  const child = spawn(process.execPath, [path.join(__dirname, 'directMain.js')], {
    env: { ...process.env, ...stack.workerEnv, LOG_LEVEL: 'info' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-5_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = readline.createInterface({ input: child.stdout! });
  const nextLine = () =>
    Promise.race([
      new Promise<string>((resolve) => lines.once('line', resolve)),
      exited.then((code) => {
        throw new Error(`the direct pipeline exited (${code}): ${errors.slice(-2000)}`);
      }),
    ]);
  child.stdin!.write(`${JSON.stringify({ orgId: burst.integration.orgId, configId: burst.integration.configId, billIds: burst.billIds, concurrency: settings.directConcurrency })}\n`);
  await nextLine(); // ready
  const use = sampleNetSuiteUse(stack.emulator.admin, burst.integration.netsuiteAccountId, settings.concurrency);
  const watch = watchProcess(child.pid!);
  const postgresBefore = stack.cpuSeconds().postgres;
  child.stdin!.write('go\n');
  const { startedAt } = JSON.parse(await nextLine()) as { startedAt: number };
  const usage = watch.stop();
  const { mean: netsuiteUtilisation, by5s: netsuiteUseBy5s } = use.stop();
  const postgresCpuSeconds = stack.cpuSeconds().postgres - postgresBefore;
  child.stdin!.end();
  await exited;
  const outcome = await collectOutcome(stack.db, stack.emulator.admin, burst, startedAt);
  return { ...outcome, netsuiteUtilisation, netsuiteUseBy5s, cpuSeconds: usage.cpuSeconds, peakRssMb: usage.peakRssMb, postgresCpuSeconds, concurrency: settings.directConcurrency };
}
