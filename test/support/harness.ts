import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DEFAULT_THROTTLING, type RetryPolicy } from '../../netsuite/throttling';
import { createLogger } from '../../config/logger';
import { connectDatabase, type Db } from '../../db/connect';
import type { Handoff } from '../../handoff/outbox';
import { startRelay, type Relay, type RelayDeps } from '../../handoff/relay';
import { waitForSyncs } from '../../handoff/syncs';
import type { BillSyncResult } from '../../temporal/contract';
import { migrateToLatest } from '../../db/migrate';
import { CredentialCipher } from '../../secrets/credentialCipher';
import { createSmtpMailer } from '../../mail/mailer';
import { readSinkMessages, startMailSink, type MailSink, type ReceivedMail } from '../../mail/sink';
import { createTestDatabase } from './database';
import { assembleActivityDeps } from '../../worker/activityDeps';
import { createWorker, WORKFLOWS_PATH } from '../../worker/createWorker';
import { startEmulator, type RunningEmulator } from '../../emulator/server';

/** Fast, still growing retries: tests exercise the same code paths without waiting minutes. */
export const TEST_RETRY: RetryPolicy = { baseDelayMs: 50, maxDelayMs: 500, maxAttempts: 10, timeLimitMs: 120_000 };

export interface Harness {
  db: Db;
  databaseUrl: string;
  temporal: Client;
  temporalAddress: string;
  taskQueue: string;
  emulator: RunningEmulator;
  urlTemplate: string;
  cipher: CredentialCipher;
  /** The cipher's key, base64, for processes (the CLI) that must read the same credentials. */
  encryptionKey: string;
  /** Every log line the worker wrote, for secret scans. */
  logLines: string[];
  tmpDir: string;
  /** Every email the harness's real SMTP server received. */
  readMail(): Promise<ReceivedMail[]>;
  mailSink: MailSink;
  /** Stops the worker (waiting for it to drain), runs `between`, and starts a fresh one. */
  restartWorker(between?: () => Promise<void>): Promise<void>;
  /** The environment of a service process (`npm start`) working in this harness's world on `taskQueue`. */
  serviceEnv(taskQueue: string): Record<string, string>;
  /**
   * Stops this file's outbox relay, for tests whose service processes (on their own task queue) must
   * be the ones that deliver the hand-offs; resumeRelay starts it again.
   */
  pauseRelay(): Promise<void>;
  resumeRelay(): void;
  /** Waits until these hand-offs are delivered and the syncs they reached have finished. */
  settle(handoffs: readonly Handoff[]): Promise<BillSyncResult[]>;
  /**
   * The same for every hand-off a bill (of one config, if given), or a config, ever had — for changes
   * made through the HTTP API, which returns none. A bill's sync for a config without a credential
   * waits for one: name the config to wait for.
   */
  settleBill(billId: string, configId?: string): Promise<BillSyncResult[]>;
  settleConfig(configId: string): Promise<BillSyncResult[]>;
  close(): Promise<void>;
}

/**
 * One test file's world on the shared real stack: its own database (migrated), its own task queue
 * and worker, its own NetSuite emulator. Workflows are bundled once per file, as the SDK's own tests do.
 */
export async function createHarness(options: { retry?: RetryPolicy; tokenTtlSeconds?: number; failureThreshold?: number; relay?: Pick<RelayDeps, 'settings' | 'sweep'> } = {}): Promise<Harness> {
  const databaseUrl = await createTestDatabase();
  const name = new URL(databaseUrl).pathname.slice(1);
  const db = connectDatabase(databaseUrl);
  await migrateToLatest(db);

  const emulator = await startEmulator({ tokenTtlSeconds: options.tokenTtlSeconds });
  const urlTemplate = `${emulator.url}/{account}`;
  const key = crypto.randomBytes(32);
  const cipher = new CredentialCipher(key);
  const logLines: string[] = [];
  installRuntimeLogger(logLines);
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _encoding, callback) {
        logLines.push(String(chunk));
        callback();
      },
    }),
  });

  const address = required('TEST_TEMPORAL_ADDRESS');
  const namespace = process.env.TEST_TEMPORAL_NAMESPACE ?? 'default';
  const taskQueue = `test-${name}`;
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-'));
  const mailDir = path.join(tmpDir, 'mail');
  const sink = await startMailSink({ port: 0, dir: mailDir });
  const mailer = createSmtpMailer({ smtpUrl: sink.url, from: 'sync@test.example' });
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const temporal = new Client({ connection: clientConnection, namespace });
  const bundle = await workflowBundle();
  // As the service assembles them; the gate polls (no LISTEN connection per test file), requests time out sooner.
  const { deps } = assembleActivityDeps({
    db,
    netsuiteUrlTemplate: urlTemplate,
    // The emulator serves NetSuite's record pages too, on its own host.
    netsuiteUiUrlTemplate: urlTemplate,
    throttling: { ...DEFAULT_THROTTLING, retry: options.retry ?? TEST_RETRY, requestTimeoutMs: 10_000 },
    cipher,
    logger,
    temporal,
    taskQueue,
    mailer,
    failureThreshold: options.failureThreshold ?? 10,
  });
  let worker: Worker = await createWorker({ connection, namespace, taskQueue, workflowBundle: bundle, deps });
  let running = worker.run();
  // As in the service: hand-offs are delivered the moment they are written (LISTEN); no sweep unless a test asks.
  const newRelay = () => startRelay({ db, temporal, taskQueue, failureThreshold: deps.failureThreshold, logger, databaseUrl, sweep: false, ...options.relay });
  let relay: Relay | undefined = newRelay();
  const settle = (handoffs: readonly Handoff[]) => waitForSyncs({ db, temporal }, handoffs);

  return {
    db,
    databaseUrl,
    temporal,
    temporalAddress: address,
    taskQueue,
    emulator,
    urlTemplate,
    cipher,
    encryptionKey: key.toString('base64'),
    logLines,
    tmpDir,
    readMail: () => readSinkMessages(mailDir),
    async pauseRelay() {
      await relay?.stop();
      relay = undefined;
    },
    resumeRelay() {
      relay ??= newRelay();
    },
    settle,
    settleBill: async (billId, configId) => {
      let handoffs = db.selectFrom('outbox').select(['id', 'kind', 'configId', 'billId']).where('billId', '=', billId);
      if (configId) handoffs = handoffs.where('configId', '=', configId);
      return settle(await handoffs.execute());
    },
    settleConfig: async (configId) => settle(await db.selectFrom('outbox').select(['id', 'kind', 'configId', 'billId']).where('configId', '=', configId).execute()),
    mailSink: sink,
    serviceEnv: (queue) => ({
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: queue,
      CREDENTIALS_ENCRYPTION_KEY: key.toString('base64'),
      NETSUITE_URL_TEMPLATE: urlTemplate,
      NETSUITE_UI_URL_TEMPLATE: urlTemplate,
      SMTP_URL: sink.url,
      DATA_DIR: tmpDir,
    }),
    async restartWorker(between) {
      worker.shutdown();
      await running;
      await between?.();
      worker = await createWorker({ connection, namespace, taskQueue, workflowBundle: bundle, deps });
      running = worker.run();
    },
    async close() {
      await relay?.stop();
      worker.shutdown();
      await running;
      mailer.close();
      await sink.stop();
      await connection.close();
      // The client connection is left open: @temporalio/client's gRPC retry interceptor schedules a
      // retry with setTimeout and Connection.close() does not clear it, so a retry pending at close
      // (a call the busy dev server answered UNAVAILABLE or RESOURCE_EXHAUSTED a moment before) fires
      // on the closed channel and throws "Channel has been shut down" outside any test, failing the
      // whole file (seen in CI twice). Left open, such a retry completes; jest's worker ends with it.
      await emulator.close();
      await db.destroy();
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

/**
 * The SDK's own log (activity failures and the like) goes into the same captured lines instead of the
 * console, so secret scans cover it too. The runtime is per process; a later file replaces the sink.
 */
let runtimeSink: string[] = [];
function installRuntimeLogger(lines: string[]): void {
  runtimeSink = lines;
  try {
    Runtime.install({ logger: new DefaultLogger('INFO', (entry) => runtimeSink.push(JSON.stringify({ level: entry.level, msg: entry.message, meta: entry.meta }, (_key, value: unknown) => (isErrorLike(value) ? `${value.name}: ${value.message}` : value)))) });
  } catch {
    // Already installed by an earlier file in this jest worker: the sink swap above is enough.
  }
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
  return bundle;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (its globalSetup starts the stack)`);
  return value;
}

// Errors thrown inside the SDK come from another realm than jest's, so instanceof Error misses them.
function isErrorLike(value: unknown): value is { name: string; message: string } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string' && typeof (value as { stack?: unknown }).stack === 'string';
}
