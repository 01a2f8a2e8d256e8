import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
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
  /** False once the process has exited, for whatever reason. */
  running(): boolean;
}

/**
 * How `npm start` runs the service: the variables and node flags (its heap budget) of package.json's
 * start script, so a test's process has the memory the real one has.
 */
export function npmStartCommand(): { env: Record<string, string>; nodeFlags: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const match = /&& ((?:[A-Z_]+=\S+ )*)node ((?:--\S+ )*)dist\/worker\/main\.js/.exec(pkg.scripts.start ?? '');
  if (!match) throw new Error(`package.json's start script is not "… && [VAR=value …] node [--flag …] dist/worker/main.js": ${pkg.scripts.start}`);
  const env = Object.fromEntries((match[1] ?? '').split(' ').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
  return { env, nodeFlags: (match[2] ?? '').split(' ').filter(Boolean) };
}

/**
 * Runs `worker/main.ts` (what `npm start` runs) as its own process from the TypeScript sources, so a
 * test can kill it like a crashed machine and start another.
 */
export function spawnWorkerProcess(env: Record<string, string>, options: { nodeFlags?: string[] } = {}): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeFlags ?? []), '-r', path.join(__dirname, 'registerTs.js'), path.join(__dirname, '..', '..', 'worker', 'main.ts')], {
    env: { ...process.env, PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', ...env },
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
    running: () => child.exitCode === null && child.signalCode === null,
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
