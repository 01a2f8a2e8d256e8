import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * What `npm run bench` measures, from flags (`npm run bench -- --bills 5000`) or the environment
 * (BENCH_BILLS=5000 npm run bench). Flags win.
 */
const optionsSchema = z.object({
  bills: z.coerce.number().int().min(1).max(100_000).default(1_000),
  latencyMs: z.coerce.number().int().min(0).max(60_000).default(200),
  concurrency: z.coerce.number().int().min(1).max(1_000).default(5),
  /** Also run the month-end burst for N = 100, 1,000 and 5,000 (takes a few minutes). */
  scaling: z.boolean().default(false),
  /** Only the pure hot paths, no stack. */
  microOnly: z.boolean().default(false),
  /** Skip the run without Temporal. */
  skipDirect: z.boolean().default(false),
  /** Each bill's calculation is handed over first, so the approvals find N syncs waiting (the usual month end) rather than none. */
  waiting: z.boolean().default(false),
  /** Also run N empty workflows (bench/floor.ts): what one workflow per bill costs before any work, the least the CPU ratio can be. */
  floor: z.boolean().default(false),
  /** An already running Temporal frontend (e.g. bench/temporal/start.sh) instead of a fresh dev server. */
  temporalAddress: z.string().optional(),
  /** Run the real Temporal server (bench/temporal/build.sh) on PostgreSQL with this many history shards; docker-compose.yml uses 8. */
  productionShards: z.coerce.number().int().min(1).max(1024).optional(),
  /** Write a V8 CPU profile of the worker process into this folder (node --cpu-prof). */
  cpuProfDir: z.string().optional(),
  /** Dynamic config of the dev server this bench starts (`KEY=JSON`, as `temporal server start-dev --dynamic-config-value`). */
  devServerConfig: z.array(z.string().regex(/^[\w.]+=.+$/, 'expected KEY=VALUE')).default([]),
  /** Worker processes (`npm start` with SERVICE_ROLE=all) sharing the task queue; the first takes the approval. */
  workers: z.coerce.number().int().min(1).max(8).default(1),
  /** Bills in flight at once in the run without Temporal; the worker's activity slots by default. */
  directConcurrency: z.coerce.number().int().min(1).max(100_000).optional(),
});

export type BenchOptions = z.infer<typeof optionsSchema>;

export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      bills: { type: 'string', short: 'n' },
      'latency-ms': { type: 'string', short: 'l' },
      concurrency: { type: 'string', short: 'c' },
      scaling: { type: 'boolean' },
      'micro-only': { type: 'boolean' },
      'skip-direct': { type: 'boolean' },
      waiting: { type: 'boolean' },
      floor: { type: 'boolean' },
      'temporal-address': { type: 'string' },
      'cpu-prof': { type: 'string' },
      'direct-concurrency': { type: 'string' },
      'dev-server-config': { type: 'string', multiple: true },
      'production-temporal': { type: 'string' },
      workers: { type: 'string' },
    },
  });
  const flag = (name: string): boolean | undefined => (name in env ? env[name] === '1' || env[name] === 'true' : undefined);
  const parsed = optionsSchema.safeParse({
    bills: values.bills ?? env.BENCH_BILLS,
    latencyMs: values['latency-ms'] ?? env.BENCH_LATENCY_MS,
    concurrency: values.concurrency ?? env.BENCH_CONCURRENCY,
    scaling: values.scaling ?? flag('BENCH_SCALING'),
    microOnly: values['micro-only'] ?? flag('BENCH_MICRO_ONLY'),
    skipDirect: values['skip-direct'] ?? flag('BENCH_SKIP_DIRECT'),
    waiting: values.waiting ?? flag('BENCH_WAITING'),
    floor: values.floor ?? flag('BENCH_FLOOR'),
    temporalAddress: values['temporal-address'] ?? env.BENCH_TEMPORAL_ADDRESS,
    cpuProfDir: values['cpu-prof'] ?? env.BENCH_CPU_PROF,
    directConcurrency: values['direct-concurrency'] ?? env.BENCH_DIRECT_CONCURRENCY,
    productionShards: values['production-temporal'] ?? env.BENCH_PRODUCTION_TEMPORAL,
    workers: values.workers ?? env.BENCH_WORKERS,
    devServerConfig: values['dev-server-config'] ?? env.BENCH_DEV_SERVER_CONFIG?.split(' ').filter(Boolean),
  });
  if (!parsed.success) {
    throw new Error(`bench options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')} (flags: --bills N --latency-ms L --concurrency C --scaling)`);
  }
  return parsed.data;
}
