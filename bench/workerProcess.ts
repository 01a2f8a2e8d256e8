import { spawn } from 'node:child_process';
import path from 'node:path';

export interface BenchWorker {
  pid: number;
  metricsUrl: string;
  /** SIGTERM (the service drains and exits); resolves when the process is gone. */
  stop(): Promise<void>;
}

/**
 * Starts the service (what `npm start` runs, from dist/) as its own process, so its CPU time and
 * memory are the worker's alone. With `cpuProfDir`, node writes a V8 CPU profile there on exit.
 */
export async function startBenchWorker(options: { env: Record<string, string>; taskQueue: string; metricsPort: number; cpuProfDir?: string }): Promise<BenchWorker> {
  const nodeArgs = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(__dirname, 'workerMain.js')], {
    env: {
      ...process.env,
      ...options.env,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      BENCH_WORKER_METRICS_ADDRESS: `127.0.0.1:${options.metricsPort}`,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      // Keep only a tail: at info level the worker logs a line per finished run.
      output = (output + chunk.toString()).slice(-20_000);
      if (output.includes('"service ready"')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${output.slice(-3000)}`)));
  });
  return {
    pid: child.pid ?? -1,
    metricsUrl: `http://127.0.0.1:${options.metricsPort}/metrics`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
