import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface WorkerProcess {
  readonly pid: number;
  /** Resolves once the service logged "service ready". */
  ready: Promise<void>;
  /** Its HTTP address (API, /health, /ready), known once ready. */
  url(): string;
  /** SIGKILL: no drain, no cleanup, as when a machine dies. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful shutdown of `npm start`. */
  stop(): Promise<void>;
  output(): string;
}

/**
 * Runs `worker/main.ts` (what `npm start` runs) as its own process from the TypeScript sources, so a
 * test can kill it like a crashed machine and start another.
 */
export function spawnWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, ['-r', path.join(__dirname, 'registerTs.js'), path.join(__dirname, '..', '..', 'worker', 'main.ts')], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let url = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-200_000);
      const ready = /\{[^\n]*"msg":"service ready"[^\n]*\}/.exec(output);
      if (ready) {
        url = (JSON.parse(ready[0]) as { url: string }).url;
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker process exited (${code}) before it was ready:\n${output.slice(-3000)}`)));
  });
  ready.catch(() => undefined);
  return {
    pid: child.pid ?? -1,
    ready,
    output: () => output,
    url: () => url,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
