import type { Env } from '../config/env';
import { CredentialCipher } from './credentialCipher';
import { decodePreviousKeys, loadEncryptionKey } from './encryptionKey';

/** The credentials cipher of this deployment: the current key plus any previous ones still being rotated out. */
export function cipherFromEnv(env: Env): { cipher: CredentialCipher; key: Buffer } {
  const key = loadEncryptionKey({ configured: env.CREDENTIALS_ENCRYPTION_KEY, dataDir: env.dataDir });
  return { cipher: new CredentialCipher(key, decodePreviousKeys(env.CREDENTIALS_ENCRYPTION_KEY_PREVIOUS)), key };
}
