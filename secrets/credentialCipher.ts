import crypto from 'node:crypto';

export class CredentialDecryptionError extends Error {
  constructor(reason: string) {
    super(`A stored NetSuite credential cannot be decrypted (${reason}): CREDENTIALS_ENCRYPTION_KEY (or DATA_DIR/credentials.key) is not the key it was saved with. Restore that key (or list it in CREDENTIALS_ENCRYPTION_KEY_PREVIOUS while rotating), or create the credential again.`);
    this.name = 'CredentialDecryptionError';
  }
}

function keyIdOf(key: Buffer): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * AES-256-GCM for secrets at rest. The stored form names the key it was made with
 * (`v1.<keyId>.<iv>.<tag>.<ciphertext>`), so a wrong key is reported as such rather than as garbage,
 * and during a key rotation old ciphertexts are read with the previous key while new ones use the
 * current key (see `needsReencryption` and `npm run -s cli -- credentials rekey`).
 */
export class CredentialCipher {
  readonly keyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly key: Buffer,
    previousKeys: readonly Buffer[] = [],
  ) {
    this.keyId = keyIdOf(key);
    for (const k of [key, ...previousKeys]) this.keys.set(keyIdOf(k), k);
  }

  encrypt(plaintext: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.keyId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join('.');
  }

  decrypt(stored: string): string {
    const [version, keyId, iv, tag, ciphertext] = stored.split('.');
    if (version !== 'v1' || !keyId || !iv || !tag || ciphertext === undefined) throw new CredentialDecryptionError('unknown format');
    const key = this.keys.get(keyId);
    if (!key) throw new CredentialDecryptionError(`made with key ${keyId}, current key is ${this.keyId}`);
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new CredentialDecryptionError('authentication tag mismatch');
    }
  }

  /** True when the value was made with a previous key and should be re-encrypted with the current one. */
  needsReencryption(stored: string): boolean {
    return stored.split('.')[1] !== this.keyId;
  }
}
