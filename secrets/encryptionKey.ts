import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from '../stack/dataDir';

export class InvalidEncryptionKeyError extends Error {
  constructor() {
    super('CREDENTIALS_ENCRYPTION_KEY must be 32 random bytes, base64 or hex encoded (e.g. `openssl rand -base64 32`)');
    this.name = 'InvalidEncryptionKeyError';
  }
}

/**
 * The AES-256 key that protects NetSuite private keys at rest: CREDENTIALS_ENCRYPTION_KEY when set
 * (production, from a secret store), else one generated on first start into DATA_DIR, readable by
 * the service's user only. Losing that file makes stored credentials unreadable, so it is never rotated
 * silently.
 */
export function loadEncryptionKey(options: { configured?: string; dataDir: string }): Buffer {
  if (options.configured) return decodeKey(options.configured);
  const file = path.join(options.dataDir, 'credentials.key');
  ensurePrivateDir(options.dataDir);
  try {
    return decodeKey(fs.readFileSync(file, 'utf8').trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = crypto.randomBytes(32);
  try {
    // 'wx' fails if another process created it meanwhile; then use theirs.
    fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return decodeKey(fs.readFileSync(file, 'utf8').trim());
  }
}

/** CREDENTIALS_ENCRYPTION_KEY_PREVIOUS: comma-separated old keys, readable while rotating. */
export function decodePreviousKeys(text: string | undefined): Buffer[] {
  return (text ?? '').split(',').map((k) => k.trim()).filter(Boolean).map(decodeKey);
}

function decodeKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new InvalidEncryptionKeyError();
  return key;
}
