import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { connectDatabase, type Db } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { spawnEmulator } from '../demo/emulatorProcess';
import { AdminClient } from '../emulator/adminClient';
import { startMailSink } from '../mail/sink';
import { CredentialCipher } from '../secrets/credentialCipher';
import { startEmbeddedPostgres } from '../stack/postgres';
import { resolveTemporalCli } from '../stack/temporalCli';
import { startTemporalDevServer } from '../stack/temporalServer';
import { startProductionServer } from './productionServer';
import { freePort } from '../stack/freePort';
import { processTreeCpuSeconds } from './processStats';

/**
 * The benchmark's own deployment, in a temporary folder: embedded PostgreSQL, a Temporal dev server
 * (or the server at --temporal-address), the NetSuite emulator as its own process and an SMTP sink.
 * Workers are started per burst as their own processes (./workerProcess).
 */
export interface BenchStack {
  db: Db;
  databaseUrl: string;
  temporal: Client;
  temporalAddress: string;
  /** The Temporal server's Prometheus endpoint, when this stack started the server. */
  serverMetricsUrl?: string;
  emulator: { url: string; admin: AdminClient };
  cipher: CredentialCipher;
  /** Environment of a worker process (the variables `npm start` reads). */
  workerEnv: Record<string, string>;
  tmpDir: string;
  /** CPU seconds used so far by the Temporal server (when started here) and by PostgreSQL. */
  cpuSeconds(): { temporalServer?: number; postgres: number };
  stop(): Promise<void>;
}

/** CPU seconds the Temporal server (when this stack started it) and PostgreSQL used between two readings of cpuSeconds(). */
export function stackCpuBetween(before: ReturnType<BenchStack['cpuSeconds']>, after: ReturnType<BenchStack['cpuSeconds']>): { serverCpuSeconds?: number; postgresCpuSeconds: number } {
  return {
    serverCpuSeconds: after.temporalServer === undefined ? undefined : after.temporalServer - (before.temporalServer ?? 0),
    postgresCpuSeconds: after.postgres - before.postgres,
  };
}

export interface BenchStackOptions {
  temporalAddress?: string;
  devServerConfig?: string[];
  /** Run the real Temporal server on the embedded PostgreSQL with this many history shards instead of the dev server. */
  productionShards?: number;
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
    fs.rmSync(tmpDir, { recursive: true, force: true });
  };
  try {
    const pg = await startEmbeddedPostgres({ dataDir: tmpDir, port: await freePort() });
    stops.push(pg.stop);
    const db = connectDatabase(pg.url);
    stops.push(() => db.destroy());
    await migrateToLatest(db);

    let temporalAddress = options.temporalAddress;
    let serverMetricsUrl: string | undefined;
    let serverPid: number | undefined;
    const cliPath = resolveTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH });
    if (!temporalAddress && options.productionShards) {
      if (!cliPath) throw new Error('the benchmark needs the temporal CLI (to register search attributes): run `npm run setup` or set TEMPORAL_CLI_PATH');
      const server = await startProductionServer({ databaseUrl: pg.url, dataDir: tmpDir, historyShards: options.productionShards, cliPath });
      stops.push(server.stop);
      temporalAddress = server.address;
      serverMetricsUrl = server.metricsUrl;
      serverPid = server.pid;
    } else if (!temporalAddress) {
      if (!cliPath) throw new Error('the benchmark needs the temporal CLI: run `npm run setup` or set TEMPORAL_CLI_PATH');
      // As the embedded stack runs it, headless, with its own metrics for the report.
      const server = await startTemporalDevServer({ cliPath, dataDir: tmpDir, port: await freePort(), namespace: 'default', metricsPort: await freePort(), dynamicConfig: options.devServerConfig });
      stops.push(server.stop);
      temporalAddress = server.address;
      serverMetricsUrl = server.metricsUrl;
      serverPid = server.pid;
    }
    const connection = await Connection.connect({ address: temporalAddress });
    stops.push(() => connection.close());
    const temporal = new Client({ connection, namespace: 'default' });

    const emulator = await spawnEmulator();
    stops.push(emulator.stop);
    const sink = await startMailSink({ port: 0, dir: path.join(tmpDir, 'mail') });
    stops.push(sink.stop);

    const key = crypto.randomBytes(32);
    const workerEnv = {
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      CREDENTIALS_ENCRYPTION_KEY: key.toString('base64'),
      NETSUITE_URL_TEMPLATE: `${emulator.url}/{account}`,
      SMTP_URL: sink.url,
      DATA_DIR: tmpDir,
      PORT: '0',
    };
    return {
      db,
      databaseUrl: pg.url,
      temporal,
      temporalAddress,
      serverMetricsUrl,
      emulator: { url: emulator.url, admin: new AdminClient(emulator.url) },
      cipher: new CredentialCipher(key),
      workerEnv,
      tmpDir,
      cpuSeconds() {
        return { temporalServer: serverPid === undefined ? undefined : processTreeCpuSeconds(serverPid), postgres: processTreeCpuSeconds(pg.pid) };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
