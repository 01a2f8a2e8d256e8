import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** A new API key pair; the secret is shown to the user once and only its hash is stored. */
export function generateApiKey(): { apiKey: string; apiSecret: string } {
  return { apiKey: crypto.randomUUID(), apiSecret: crypto.randomBytes(32).toString('base64url') };
}

export async function hashApiSecret(secret: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(secret, salt, 32);
  return `scrypt.${salt.toString('base64')}.${hash.toString('base64')}`;
}

export async function verifyApiSecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('.');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64'), expected.length);
  return crypto.timingSafeEqual(actual, expected);
}
