import fs from 'node:fs';

/**
 * DATA_DIR and what the service keeps in it (the credentials key, both databases, notification
 * emails) are the service user's alone. A folder is made 0700; an existing one loses every permission
 * of others and the group's read and write (a group may keep passing through: the embedded PostgreSQL
 * needs that when the service runs as root). Only the folder itself: never a parent.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = fs.statSync(dir).mode & 0o777;
  if ((mode & 0o067) !== 0) fs.chmodSync(dir, mode & 0o710);
}

/** A file of ours that an earlier version left readable by others (e.g. temporal.db at 0644) becomes 0600. */
export function ensurePrivateFile(file: string): void {
  let mode: number;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((mode & 0o077) !== 0) fs.chmodSync(file, mode & 0o700);
}

/**
 * Runs `spawnChild`, which must start its child process synchronously, under umask 077: the child
 * inherits it, so every file it creates (a server's database, its journals) is its user's alone.
 */
export function withPrivateUmask<T>(spawnChild: () => T): T {
  const previous = process.umask(0o077);
  try {
    return spawnChild();
  } finally {
    process.umask(previous);
  }
}
