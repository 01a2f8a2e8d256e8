import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { connectDatabase, type Db } from '../../db/connect';
import { migrateToLatest } from '../../db/migrate';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { startMailSink, type MailSink } from '../../mail/sink';
import { resolveTemporalCli } from '../../stack/temporalCli';
import { startTemporalDevServer, type RunningTemporal } from '../../stack/temporalServer';
import { CredentialCipher } from '../../secrets/credentialCipher';
import { freePort } from './freePort';
import { spawnWorkerProcess, type WorkerProcess } from './workerProcess';
import { startPostgresProcess, type PostgresProcess } from './postgresProcess';

/**
 * A whole deployment owned by one chaos test, so it can be hurt: its own PostgreSQL and Temporal
 * server (restartable on the same files and ports), the NetSuite emulator, and worker processes
 * that can be SIGKILLed and replaced.
 */
export interface ChaosStack {
  db: Db;
  /** The stack's PostgreSQL, for a second database on it (the m3ter side of the mirror's tests). */
  databaseUrl: string;
  temporal: Client;
  emulator: RunningEmulator;
  cipher: CredentialCipher;
  taskQueue: string;
  tmpDir: string;
  workers: WorkerProcess[];
  /** A service process (`npm start`, SERVICE_ROLE=all unless `env` says otherwise). */
  startWorker(env?: Record<string, string>): Promise<WorkerProcess>;
  killWorker(worker: WorkerProcess): Promise<void>;
  restartPostgres(): Promise<void>;
  restartTemporal(): Promise<void>;
  /** Stops the Temporal server (its database file stays); startTemporal brings it back on the same port. */
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosStack(): Promise<ChaosStack> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-'));
  const pgPort = await freePort();
  let pg: PostgresProcess = await startPostgresProcess(tmpDir, pgPort);
  const db = connectDatabase(pg.url, { max: 10 });
  await migrateToLatest(db);

  const cliPath = resolveTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH });
  if (!cliPath) throw new Error('chaos tests need the temporal CLI (npm run setup)');
  const temporalOptions = { cliPath, dataDir: tmpDir, port: await freePort(), uiPort: await freePort(), namespace: 'default' };
  let temporalServer: RunningTemporal = await startTemporalDevServer(temporalOptions);
  const connection = await Connection.connect({ address: temporalServer.address });
  const temporal = new Client({ connection, namespace: 'default' });

  const emulator = await startEmulator({ seed: 42 });
  const sink: MailSink = await startMailSink({ port: 0, dir: path.join(tmpDir, 'mail') });
  const key = crypto.randomBytes(32);
  const taskQueue = `chaos-${crypto.randomUUID()}`;
  const env = {
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporalServer.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    CREDENTIALS_ENCRYPTION_KEY: key.toString('base64'),
    NETSUITE_URL_TEMPLATE: `${emulator.url}/{account}`,
    SMTP_URL: sink.url,
    DATA_DIR: tmpDir,
    NETSUITE_RETRY_BASE_MS: '100',
    NETSUITE_RETRY_MAX_MS: '2000',
    NETSUITE_MAX_ATTEMPTS: '30',
  };
  const workers: WorkerProcess[] = [];
  const stack: ChaosStack = {
    db,
    databaseUrl: pg.url,
    temporal,
    emulator,
    cipher: new CredentialCipher(key),
    taskQueue,
    tmpDir,
    workers,
    async startWorker(extra = {}) {
      const worker = spawnWorkerProcess({ ...env, ...extra });
      workers.push(worker);
      await worker.ready;
      return worker;
    },
    async killWorker(worker) {
      await worker.kill();
      workers.splice(workers.indexOf(worker), 1);
    },
    async restartPostgres() {
      await pg.stop();
      pg = await startPostgresProcess(tmpDir, pgPort);
    },
    async restartTemporal() {
      await temporalServer.stop();
      temporalServer = await startTemporalDevServer(temporalOptions);
    },
    async stopTemporal() {
      await temporalServer.stop();
    },
    async startTemporal() {
      temporalServer = await startTemporalDevServer(temporalOptions);
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await connection.close();
      await emulator.close();
      await sink.stop();
      await db.destroy();
      await temporalServer.stop();
      await pg.stop();
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
  return stack;
}
