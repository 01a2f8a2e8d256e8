import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { throttlingFromEnv, type RetryPolicy } from '../netsuite/throttling';
import { deriveTokenKey } from '../api/auth';
import type { ApiDeps } from '../api/deps';
import { buildServer } from '../api/server';
import type { Env } from '../config/env';
import { connectDatabase, type Db } from '../db/connect';
import { backlog } from '../handoff/outbox';
import { startRelay } from '../handoff/relay';
import { migrateToLatest } from '../db/migrate';
import { CredentialCipher } from '../secrets/credentialCipher';
import { cipherFromEnv } from '../secrets/cipherFromEnv';
import { startStack, type Stack } from '../stack';
import { createSmtpMailer } from '../mail/mailer';
import { SyncMetrics, metricsText } from '../observability/metrics';
import { readinessCheck } from '../observability/readiness';
import { connectClient } from '../temporal/client';
import { startMetricsServer, urlBase } from '../observability/metricsServer';
import { freePort } from '../stack/freePort';
import { assembleActivityDeps } from './activityDeps';
import { createWorker } from './createWorker';

export interface RunningService {
  stack: Stack;
  db: Db;
  temporal: Client;
  cipher: CredentialCipher;
  server: FastifyInstance;
  url: string;
  /** GET /metrics, on METRICS_HOST:METRICS_PORT. */
  metricsUrl: string;
  stop(): Promise<void>;
}

/**
 * Everything `npm start` runs: the stack (embedded where unconfigured), migrations, the worker, the
 * outbox relay and the HTTP server. /health (liveness) turns 200 once all of it is up; /ready says
 * whether its dependencies answer now. SERVICE_ROLE splits the two halves so they scale apart:
 * `worker` polls the task queue and serves /health, /ready and /metrics only; `api` serves the API,
 * whose changes reach workflows through the outbox, and polls nothing. Every role relays the outbox
 * and migrates (kysely's lock makes that safe), so either may start first.
 */
export async function startService(env: Env, logger: Logger, options: { retry?: RetryPolicy } = {}): Promise<RunningService> {
  let ready = false;
  const runsWorker = env.SERVICE_ROLE !== 'api';
  const servesApi = env.SERVICE_ROLE !== 'worker';
  const stack = await startStack(env, logger, { mail: runsWorker });
  const db = connectDatabase(stack.databaseUrl);
  const applied = await migrateToLatest(db);
  if (applied.length > 0) logger.info({ applied }, 'database migrated');

  const { cipher, key: encryptionKey } = cipherFromEnv(env);
  const metrics = new SyncMetrics({ tenantLabels: env.METRICS_TENANT_LABELS });
  const temporalMetricsUrl = await installRuntime(logger, env.TEMPORAL_METRICS_PORT);
  const connection = runsWorker ? await NativeConnection.connect({ address: stack.temporalAddress }) : undefined;
  // A worker's client shares its connection; the API role's is lazy, so it starts (and takes
  // approvals) while Temporal is away.
  const temporal = connection ? new Client({ connection, namespace: stack.temporalNamespace }) : connectClient(stack.temporalAddress, stack.temporalNamespace);
  const mailer = createSmtpMailer({ smtpUrl: stack.smtpUrl, from: env.MAIL_FROM });
  const fromEnv = throttlingFromEnv(env);
  const throttling = { ...fromEnv, retry: options.retry ?? fromEnv.retry };
  const { deps, netsuite, gate } = assembleActivityDeps({
    db,
    databaseUrl: stack.databaseUrl,
    netsuiteUrlTemplate: env.NETSUITE_URL_TEMPLATE,
    netsuiteUiUrlTemplate: env.NETSUITE_UI_URL_TEMPLATE,
    throttling,
    cipher,
    logger,
    temporal,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    mailer,
    failureThreshold: env.FAILURE_THRESHOLD,
    metrics,
    m3terAllowedBaseUrls: env.M3TER_ALLOWED_BASE_URLS,
  });
  const worker = connection ? await createWorker({
    connection,
    namespace: stack.temporalNamespace,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    deps,
    maxCachedWorkflows: env.TEMPORAL_MAX_CACHED_WORKFLOWS,
  }) : undefined;
  const running = worker?.run();
  // A worker that stopped on its own can't do anything useful: exit, so the supervisor restarts us.
  running?.catch((error) => {
    logger.fatal({ err: error }, 'worker stopped with an error; exiting');
    process.exit(1);
  });

  // Every role relays the outbox: whichever processes hold the database deliver what it holds.
  const relay = startRelay({
    db,
    temporal,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    failureThreshold: env.FAILURE_THRESHOLD,
    logger,
    databaseUrl: stack.databaseUrl,
    metrics,
    settings: { concurrency: env.OUTBOX_RELAY_CONCURRENCY },
    sweep: {
      intervalMs: env.OUTBOX_SWEEP_INTERVAL_SECONDS * 1000,
      graceMs: env.OUTBOX_SWEEP_GRACE_SECONDS * 1000,
      lookbackDays: env.OUTBOX_SWEEP_LOOKBACK_DAYS,
      retentionDays: env.OUTBOX_RETENTION_DAYS,
    },
  });
  metrics.watchOutbox(() => backlog(db));

  const api: ApiDeps = { db, cipher, tokenKey: deriveTokenKey(encryptionKey), tokenTtlSeconds: 3600, netsuite, logger, m3terAllowedBaseUrls: env.M3TER_ALLOWED_BASE_URLS };
  const server = await buildServer({ isReady: () => ready, readiness: readinessCheck({ db, temporal, needsTemporal: !servesApi }), api: servesApi ? () => api : undefined, logger });
  await server.listen({ port: env.PORT, host: env.HOST });
  const address = server.server.address();
  const url = urlBase(env.HOST, typeof address === 'object' && address ? address.port : env.PORT);
  const metricsServer = await startMetricsServer({ host: env.METRICS_HOST, port: env.METRICS_PORT, text: () => metricsText(metrics, temporalMetricsUrl) });
  ready = true;
  logger.info({ role: env.SERVICE_ROLE, url, metricsUrl: metricsServer.url, temporal: stack.temporalAddress, ui: stack.temporalUiUrl, taskQueue: env.TEMPORAL_TASK_QUEUE }, 'service ready');

  return {
    stack,
    db,
    temporal,
    cipher,
    server,
    url,
    metricsUrl: metricsServer.url,
    async stop() {
      ready = false;
      await server.close();
      await relay.stop();
      await metricsServer.close();
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running?.catch(() => undefined);
      if (!connection) await temporal.connection.close();
      await connection?.close();
      mailer.close();
      await gate.close();
      await db.destroy();
      await stack.stop();
    },
  };
}

/**
 * The SDK logs through our pino logger (and its redaction), warnings and up, instead of the console,
 * and exports Temporal's runtime metrics on loopback for /metrics to pass on. Returns that exporter's
 * URL, or undefined when the runtime was installed already (a second service in one process, as in
 * tests), which keeps the first installation.
 */
async function installRuntime(logger: Logger, metricsPort: number): Promise<string | undefined> {
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
  const bindAddress = `127.0.0.1:${metricsPort || (await freePort())}`;
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => logger[levels[entry.level]]({ component: 'temporal', ...entry.meta }, entry.message)),
      telemetryOptions: { metrics: { prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true } } },
    });
    return `http://${bindAddress}/metrics`;
  } catch {
    return undefined;
  }
}
