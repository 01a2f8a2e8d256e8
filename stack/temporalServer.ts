import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { SEARCH_ATTRIBUTES, SEARCH_KEYS } from '../temporal/contract';
import { ensurePrivateDir, ensurePrivateFile, withPrivateUmask } from './dataDir';

export interface RunningTemporal {
  readonly address: string;
  readonly namespace: string;
  readonly uiUrl?: string;
  /** The server's own Prometheus metrics, when a metrics port was asked for. */
  readonly metricsUrl?: string;
  readonly pid?: number;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cliPath: string;
  dataDir: string;
  port: number;
  /** The Web UI's port; without one the server runs headless. */
  uiPort?: number;
  namespace: string;
  /** Exposes the server's own metrics (the benchmark reads its latencies there). */
  metricsPort?: number;
  /** `--dynamic-config-value KEY=VALUE` pairs. */
  dynamicConfig?: string[];
  logger?: Logger;
  /** Seconds to wait for the server to answer. */
  readyTimeoutSeconds?: number;
}

/**
 * Dynamic config the embedded server always runs with. The CLI's dev server re-reads its search
 * attributes from SQLite on every read, so that ones added at run time show at once; ours are all
 * registered at start (--search-attribute), and those re-reads were ~30 of the ~42 persistence calls a
 * synced bill cost on the server's one SQLite connection (README, Benchmarks).
 */
export const DEV_SERVER_DYNAMIC_CONFIG = ['system.forceSearchAttributesCacheRefreshOnRead=false'];

export class TemporalStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalStartError';
  }
}

/**
 * Runs `temporal server start-dev` (a real Temporal server on SQLite) with its database file in
 * DATA_DIR, so workflows survive restarts, and the service's search attributes registered.
 */
export async function startTemporalDevServer(options: DevServerOptions): Promise<RunningTemporal> {
  ensurePrivateDir(options.dataDir);
  const dbFile = path.join(options.dataDir, 'temporal.db');
  // Made 0644 by versions before the umask below; the server creates the journals like the database.
  for (const file of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) ensurePrivateFile(file);
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    dbFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.metricsPort ? ['--metrics-port', String(options.metricsPort)] : []),
    '--namespace',
    options.namespace,
    '--log-level',
    'error',
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...[...DEV_SERVER_DYNAMIC_CONFIG, ...(options.dynamicConfig ?? [])].flatMap((pair) => ['--dynamic-config-value', pair]),
  ];
  const child = withPrivateUmask(() => spawn(options.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const address = `127.0.0.1:${options.port}`;
  const ready = waitUntilServing(address, options.namespace, (options.readyTimeoutSeconds ?? 60) * 1000);
  const outcome = await Promise.race([ready.then(() => 'ready' as const), exited.then(() => 'exited' as const)]);
  if (outcome === 'exited') {
    throw new TemporalStartError(
      `temporal dev server exited before serving on ${address} (is the port in use? set TEMPORAL_DEV_PORT): ${output.trim()}`,
    );
  }
  const uiUrl = options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined;
  options.logger?.info({ address, ui: uiUrl }, 'temporal dev server ready');
  return {
    address,
    namespace: options.namespace,
    uiUrl,
    metricsUrl: options.metricsPort ? `http://127.0.0.1:${options.metricsPort}/metrics` : undefined,
    pid: child.pid,
    stop: () => stopChild(child, exited),
  };
}

async function waitUntilServing(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new TemporalStartError(`temporal server at ${address} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Last resort for machines with neither the CLI nor pip: the SDK downloads a dev server itself.
 * That needs the internet, so it is tried only after everything local failed.
 */
export async function startSdkDownloadedServer(options: Omit<DevServerOptions, 'cliPath'>): Promise<RunningTemporal> {
  ensurePrivateDir(options.dataDir);
  const dbFile = path.join(options.dataDir, 'temporal.db');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port: options.port,
      namespace: options.namespace,
      dbFilename: dbFile,
      ui: true,
      uiPort: options.uiPort,
      searchAttributes: Object.values(SEARCH_KEYS),
    },
  });
  // The SDK spawns the server itself, out of reach of our umask: its files are made private once it serves.
  for (const file of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) ensurePrivateFile(file);
  return {
    address: `127.0.0.1:${options.port}`,
    namespace: options.namespace,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    stop: () => env.teardown(),
  };
}
