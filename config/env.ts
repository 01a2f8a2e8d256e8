import path from 'node:path';
import { z } from 'zod';

/**
 * Every deployment setting, read once from the environment. Unset infrastructure settings
 * (DATABASE_URL, TEMPORAL_ADDRESS) mean "start the embedded default", so a fresh machine runs
 * the whole service from one command.
 */
export const envSchema = z.object({
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: z.string().url().optional(),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_CLI_PATH: z.string().optional(),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_TASK_QUEUE: z.string().default('netsuite-sync'),
  /** Syncs the worker keeps in memory between their tasks (see worker/createWorker.ts); one evicted is replayed from its history when it next has work. */
  TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).max(100_000).default(1_000),
  NETSUITE_URL_TEMPLATE: z
    .string()
    .refine((v) => v.includes('{account}'), 'must contain the {account} placeholder')
    .default('https://{account}.suitetalk.api.netsuite.com'),
  /** NetSuite's UI pages, which a run links to (`/app/accounting/transactions/custinvc.nl?id=…`). */
  NETSUITE_UI_URL_TEMPLATE: z
    .string()
    .refine((v) => v.includes('{account}'), 'must contain the {account} placeholder')
    .default('https://{account}.app.netsuite.com'),
  CREDENTIALS_ENCRYPTION_KEY: z.string().optional(),
  CREDENTIALS_ENCRYPTION_KEY_PREVIOUS: z.string().optional(),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('m3ter-netsuite-sync <noreply@localhost>'),
  MAIL_SINK_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(10),
  NETSUITE_RETRY_BASE_MS: z.coerce.number().int().min(1).default(2000),
  NETSUITE_RETRY_MAX_MS: z.coerce.number().int().min(1).default(300_000),
  NETSUITE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(12),
  /** A run whose NetSuite retries outlast this (from its first attempt) ends TIMEOUT_LIMIT_EXCEEDED. */
  NETSUITE_RUN_TIME_LIMIT_MINUTES: z.coerce.number().min(0.1).max(24 * 60).default(30),
  /** Outbox relay: starts and signals delivered to Temporal at once per process (see handoff/relay.ts), and the safety-net sweep's schedule. */
  OUTBOX_RELAY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(2),
  OUTBOX_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  OUTBOX_SWEEP_GRACE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(120),
  OUTBOX_SWEEP_LOOKBACK_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  /**
   * The m3ter API base URLs an organization may connect a source to, comma-separated: a tenant chooses
   * the URL, and this keeps it from pointing the service at anything else on its network. An entry
   * ending in `:*` allows any port of its host (`http://127.0.0.1:*` for a local m3ter-compatible API).
   */
  M3TER_ALLOWED_BASE_URLS: z
    .string()
    .default('https://api.m3ter.com')
    .transform((v) => v.split(',').map((u) => u.trim().replace(/\/+$/, '')).filter(Boolean)),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Interface of the HTTP API: loopback for local use; docker-compose.yml and the Dockerfile set 0.0.0.0. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** GET /metrics has its own port, so publishing the API never publishes it; 0 picks a free one. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** `true`: label per-account series with the tenant's NetSuite account id (the operator's choice, off by default). */
  METRICS_TENANT_LABELS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  /** Loopback port of Temporal's runtime metrics exporter, which /metrics passes on; 0 picks a free one. */
  TEMPORAL_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // What this process runs: both halves (npm start), or one of them so each scales on its own
  // (docker-compose.yml runs `worker` replicas and one `api`).
  SERVICE_ROLE: z.enum(['all', 'worker', 'api']).default('all'),
});

export type Env = z.infer<typeof envSchema> & { dataDir: string };

/** Every setting's default, for code that runs without the environment (tests, the benchmark) and must match the service. */
export const ENV_DEFAULTS = envSchema.parse({});

export class InvalidEnvironmentError extends Error {
  constructor(issues: string[]) {
    super(`Invalid environment: ${issues.join('; ')}. Fix these variables (see README "Configuration").`);
    this.name = 'InvalidEnvironmentError';
  }
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Empty strings come from `FOO= npm start`; treat them as unset rather than invalid.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new InvalidEnvironmentError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.DATA_DIR) };
}
