import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface BenchWorker {
  pid: number;
  metricsUrl: string;
  /** The service's own /metrics (its counters and Node's heap figures). */
  serviceMetricsUrl: string;
  /** The service's HTTP API. */
  serviceUrl: string;
  /** SIGTERM (the service drains and exits); resolves when the process is gone. */
  stop(): Promise<void>;
}

/**
 * Starts the service (what `npm start` runs, from dist/) as its own process, so its CPU time and
 * memory are the worker's alone. With `cpuProfDir`, node writes a V8 CPU profile there on exit.
 */
export async function startBenchWorker(options: { env: Record<string, string>; taskQueue: string; metricsPort: number; cpuProfDir?: string }): Promise<BenchWorker> {
  const start = startCommand();
  const nodeArgs = [...start.flags, ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [])];
  const child = spawn(process.execPath, [...nodeArgs, path.join(__dirname, '..', 'worker', 'main.js')], {
    // Temporal's runtime metrics (task slots, schedule-to-start latencies) on a port we know.
    env: { ...process.env, ...start.env, ...options.env, TEMPORAL_TASK_QUEUE: options.taskQueue, TEMPORAL_METRICS_PORT: String(options.metricsPort), METRICS_PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ url: string; metricsUrl: string }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      // Keep only a tail: at info level the worker logs a line per finished run.
      output = (output + chunk.toString()).slice(-20_000);
      const ready = /\{[^\n]*"msg":"service ready"[^\n]*\}/.exec(output);
      if (ready) resolve(JSON.parse(ready[0]) as { url: string; metricsUrl: string });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${output.slice(-3000)}`)));
  });
  return {
    pid: child.pid ?? -1,
    metricsUrl: `http://127.0.0.1:${options.metricsPort}/metrics`,
    serviceMetricsUrl: ready.metricsUrl,
    serviceUrl: ready.url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * How `npm start` runs the service (its heap budget and allocator setting), read from package.json so
 * the benchmark's worker is the one users run. BENCH_WORKER_NODE_FLAGS replaces the node flags.
 */
function startCommand(): { env: Record<string, string>; flags: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const match = /&& ((?:[A-Z_]+=\S+ )*)node ((?:--\S+ )*)dist\/worker\/main\.js/.exec(pkg.scripts.start ?? '');
  const env = Object.fromEntries((match?.[1] ?? '').split(' ').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
  const flags = (process.env.BENCH_WORKER_NODE_FLAGS ?? match?.[2] ?? '').split(' ').filter(Boolean);
  return { env, flags };
}
