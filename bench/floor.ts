import crypto from 'node:crypto';
import path from 'node:path';
import { startChildScript } from './childScript';
import { persistenceCallsBetween, scrape } from './metrics';
import { watchProcess } from './processStats';
import { stackCpuBetween, type BenchStack } from './stack';

export interface FloorResult {
  workflows: number;
  wallMs: number;
  workerCpuSeconds: number;
  serverCpuSeconds?: number;
  /** Nothing of the floor's own, but the production-like server keeps its state there. */
  postgresCpuSeconds: number;
  persistenceCalls?: number;
}

/**
 * What one workflow per bill costs before the bill's own work (`npm run bench -- --floor`): N
 * workflows that each run one local activity and complete (./floor/workflows.ts), started 2 at a time
 * as the relay starts syncs, on the same server. The Temporal path can cost no less than this plus
 * the direct pipeline, whatever is done inside the sync.
 */
export async function runFloor(stack: BenchStack, settings: { workflows: number; startsInFlight: number; maxCachedWorkflows: number }): Promise<FloorResult> {
  const child = startChildScript(path.join(__dirname, 'floor', 'main.js'), process.env, "the floor's worker");
  child.write(JSON.stringify({ address: stack.temporalAddress, taskQueue: `floor-${crypto.randomUUID()}`, ...settings }));
  await child.nextLine(); // ready
  const serverBefore = stack.serverMetricsUrl ? await scrape(stack.serverMetricsUrl) : undefined;
  const cpuBefore = stack.cpuSeconds();
  const watch = watchProcess(child.pid);
  const startedAt = Date.now();
  child.write('go');
  const { done } = JSON.parse(await child.nextLine()) as { done: number };
  const usage = watch.stop();
  const cpuAfter = stack.cpuSeconds();
  const serverAfter = stack.serverMetricsUrl ? await scrape(stack.serverMetricsUrl) : undefined;
  await child.end();
  return {
    workflows: settings.workflows,
    wallMs: done - startedAt,
    workerCpuSeconds: usage.cpuSeconds,
    ...stackCpuBetween(cpuBefore, cpuAfter),
    persistenceCalls: persistenceCallsBetween(serverBefore, serverAfter),
  };
}
