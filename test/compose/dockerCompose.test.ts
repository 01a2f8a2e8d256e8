import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { envSchema, loadEnv } from '../../config/env';
import { projectDir } from '../../stack/projectDir';
import { resolveTemporalCli } from '../../stack/temporalCli';
import { SEARCH_ATTRIBUTES } from '../../temporal/contract';

const run = promisify(execFile);
const root = projectDir();
const KEY = crypto.randomBytes(32).toString('base64');

function hasGo(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Skipped only where the Go toolchain is missing: the checks are compose-go (the loader of
// `docker compose`) and BuildKit's Dockerfile and .dockerignore parsers, all Go libraries.
const goAvailable = hasGo();
const maybe = goAvailable ? it : it.skip;

interface Service {
  build?: { context: string; dockerfile?: string; dockerfile_inline?: string };
  image?: string;
  ports?: Array<{ target: number; published?: string }>;
  container_name?: string;
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  command?: string[] | null;
}
interface Command { instruction: string; text: string; user?: string; from?: string; sources?: string[]; dest?: string; args?: string[] }
interface Stage { name: string; base: string; commands: Command[] }
interface Report { services: Record<string, Service>; dockerfiles: Record<string, { stages: Stage[]; warnings: string[]; ignored: Record<string, boolean> }> }

// Paths probed against .dockerignore: local state and build output must stay out of the image's build
// context (.data holds the embedded database and the generated credentials key), sources must go in.
const KEEP_OUT = ['.data/credentials.key', '.data/postgres/PG_VERSION', 'node_modules/pg/package.json', 'dist/worker/main.js', '.git/HEAD', '.tools/temporal/bin/temporal', '.env'];
const KEEP_IN = ['package.json', 'package-lock.json', 'tsconfig.json', 'worker/main.ts', 'migrations/index.ts', 'console/index.html'];

// Settings that only steer the embedded stack `npm start` makes on a bare machine; in compose the
// real PostgreSQL and Temporal are configured instead, and DATA_DIR comes from the image.
const EMBEDDED_ONLY = ['DATA_DIR', 'EMBEDDED_POSTGRES_PORT', 'TEMPORAL_CLI_PATH', 'TEMPORAL_DEV_PORT', 'TEMPORAL_UI_PORT', 'MAIL_SINK_PORT'];

let binary: string;
let report: Report;

async function check(env: NodeJS.ProcessEnv): Promise<Report> {
  const { stdout } = await run(binary, [path.join(root, 'docker-compose.yml'), ...KEEP_OUT, ...KEEP_IN], { env: { ...process.env, ...env }, cwd: root });
  return JSON.parse(stdout) as Report;
}

beforeAll(async () => {
  if (!goAvailable) return;
  binary = path.join(root, '.tools', 'compose-check');
  await run('go', ['build', '-o', binary, '.'], { cwd: __dirname, timeout: 600_000 });
  report = await check({ CREDENTIALS_ENCRYPTION_KEY: KEY });
}, 600_000);

describe('docker-compose.yml', () => {
  maybe('loads with compose-go (what `docker compose config` uses) and refuses to start without the encryption key, saying how to make one', async () => {
    expect(Object.keys(report.services).sort()).toEqual(['api', 'postgres', 'temporal', 'temporal-admin-tools', 'temporal-setup', 'temporal-ui', 'worker']);
    const refused = await check({ CREDENTIALS_ENCRYPTION_KEY: '' }).catch((error: { stdout: string }) => error);
    expect((refused as { stdout: string }).stdout).toContain('openssl rand -base64 32');
  });

  maybe('builds worker and api from ./Dockerfile: multi-stage, production dependencies only, runs as a non-root user', () => {
    const dockerfilePath = path.join(root, 'Dockerfile');
    for (const name of ['worker', 'api']) {
      const build = report.services[name]!.build!;
      expect([name, build.dockerfile_inline, path.resolve(build.context, build.dockerfile ?? 'Dockerfile')]).toEqual([name, undefined, dockerfilePath]);
    }
    const dockerfile = report.dockerfiles[dockerfilePath]!;
    expect(dockerfile.warnings).toEqual([]);
    const { stages } = dockerfile;
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const final = stages[stages.length - 1]!;
    const user = final.commands.filter((c) => c.instruction === 'USER').pop()?.user;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);

    // Every stage runs on the current Node LTS (24; 20 reached its end of life on 2026-04-30), and
    // package.json's engines admits it.
    const engines = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node as string;
    const oldestMajor = Number(/^>=(\d+)/.exec(engines)?.[1]);
    for (const stage of stages.filter((s) => !stages.some((other) => other.name === s.base))) {
      const major = Number(/^node:(\d+)[.-]/.exec(stage.base)?.[1]);
      expect([stage.name, major]).toEqual([stage.name, 24]);
      expect(major).toBeGreaterThanOrEqual(oldestMajor);
    }

    // The final stage is built from other stages' output, not by compiling or installing itself.
    const copies = final.commands.filter((c) => c.instruction === 'COPY');
    const copiedFrom = (dest: string) => copies.find((c) => path.posix.normalize(c.dest!) === dest);
    const modules = copiedFrom('node_modules');
    const modulesStage = stages.find((s) => s.name === modules?.from);
    const install = modulesStage?.commands.find((c) => c.instruction === 'RUN' && /npm ci/.test(c.text));
    expect(install?.text).toMatch(/--omit=dev/);
    expect(copiedFrom('dist')?.from).toBe(stages.find((s) => s.commands.some((c) => /\btsc\b/.test(c.text)))?.name);
    expect(final.commands.filter((c) => c.instruction === 'RUN').map((c) => c.text).join('\n')).not.toMatch(/npm (ci|install)|tsc/);

    // What the service reads at runtime: package.json (projectDir() finds the app by it), and the
    // console's static files when the project has them.
    expect(copies.some((c) => !c.from && c.sources!.includes('package.json'))).toBe(true);
    if (fs.existsSync(path.join(root, 'console'))) expect(copiedFrom('console')?.sources).toEqual(['console']);
    const cmd = final.commands.filter((c) => c.instruction === 'CMD').pop()!;
    // The container runs the service as `npm start` does: the same node flags and malloc setting.
    const start = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start as string;
    const nodeFlags = /\bnode ((?:--\S+ )*)dist\/worker\/main\.js/.exec(start)![1]!.trim().split(' ').filter(Boolean);
    expect(cmd.args).toEqual(['node', ...nodeFlags, 'dist/worker/main.js']);
    if (/MALLOC_ARENA_MAX=2/.test(start)) expect(final.commands.find((c) => c.instruction === 'ENV' && /MALLOC_ARENA_MAX=2/.test(c.text))).toBeDefined();
    expect(fs.existsSync(path.join(root, 'worker', 'main.ts'))).toBe(true);
  });

  maybe('.dockerignore keeps local state, secrets and build output out of the build context, and the sources in', () => {
    const { ignored } = report.dockerfiles[path.join(root, 'Dockerfile')]!;
    expect(KEEP_OUT.filter((p) => !ignored[p])).toEqual([]);
    expect(KEEP_IN.filter((p) => ignored[p])).toEqual([]);
  });

  maybe('the worker scales with --scale worker=3 (no host port, no container name); the API is published on 8080', () => {
    const { worker, api } = report.services;
    expect([worker!.ports ?? [], worker!.container_name]).toEqual([[], undefined]);
    expect(api!.ports!.map((p) => [p.target, p.published])).toEqual([[8080, '8080']]);
    expect([worker!.environment!.SERVICE_ROLE, api!.environment!.SERVICE_ROLE]).toEqual(['worker', 'api']);
    for (const name of ['postgres', 'temporal', 'worker', 'api']) expect([name, report.services[name]!.healthcheck?.test?.length]).toEqual([name, expect.any(Number)]);
    for (const service of [worker!, api!]) {
      expect(service.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, 'temporal-setup': { condition: 'service_completed_successfully' } });
    }
    // Listening on the container's interfaces (the service's default is loopback), /metrics on its own port, which nothing publishes.
    for (const service of [worker!, api!]) expect([service.environment!.HOST, service.environment!.METRICS_HOST, service.environment!.METRICS_PORT]).toEqual(['0.0.0.0', '0.0.0.0', '9464']);
    // More than the dev server's single history shard, so a burst's history work runs in parallel.
    expect(Number(report.services.temporal!.environment!.NUM_HISTORY_SHARDS)).toBeGreaterThanOrEqual(4);
  });

  maybe('gives worker and api every setting `npm start` reads, with values the service accepts', () => {
    const expected = Object.keys(envSchema.shape).filter((name) => !EMBEDDED_ONLY.includes(name)).sort();
    for (const name of ['worker', 'api']) {
      const environment = report.services[name]!.environment!;
      expect([name, expected.filter((variable) => !(variable in environment))]).toEqual([name, []]);
      const env = loadEnv(Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v ?? ''])));
      expect([env.SERVICE_ROLE, env.CREDENTIALS_ENCRYPTION_KEY, env.PORT]).toEqual([name, KEY, 8080]);
      expect(env.TEMPORAL_NAMESPACE).toBe(report.services['temporal-setup']!.environment!.TEMPORAL_NAMESPACE);
    }
  });

  maybe('temporal-setup registers the search attributes of stack/searchAttributes.ts', () => {
    const setup = report.services['temporal-setup']!;
    const registered = Object.fromEntries(setup.environment!.SEARCH_ATTRIBUTES!.split(/\s+/).map((pair) => pair.split('=')));
    expect(registered).toEqual(SEARCH_ATTRIBUTES);
    expect(setup.command!.join('\n')).toContain('$SEARCH_ATTRIBUTES');
  });

  // The script is run as written in the compose file, with the official CLI, against the tests' real
  // Temporal server, in a namespace of its own; only the server's address differs from compose.
  const cli = resolveTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, install: false });
  (goAvailable && cli ? it : it.skip)("temporal-setup's script creates the namespace and its search attributes on a real Temporal server; a re-run succeeds and changes nothing", async () => {
    const setup = report.services['temporal-setup']!;
    const namespace = `compose-${crypto.randomBytes(4).toString('hex')}`;
    const env = { ...process.env, ...setup.environment, TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: namespace, PATH: `${path.dirname(cli!)}${path.delimiter}${process.env.PATH}` };
    const first = await run('/bin/sh', ['-c', setup.command![0]!], { env, timeout: 150_000 });
    expect(first.stdout).toContain(`namespace ${namespace} ready`);

    const connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTES)));
      const described = await connection.workflowService.describeNamespace({ namespace });
      expect(Number(String(described.config?.workflowExecutionRetentionTtl?.seconds))).toBe(30 * 24 * 3600);
    } finally {
      await connection.close();
    }
    const again = await run('/bin/sh', ['-c', setup.command![0]!], { env, timeout: 150_000 });
    expect(again.stdout).toContain(`namespace ${namespace} ready`);
    expect(again.stdout).not.toContain('Search attributes have been added');
  }, 180_000);
});
