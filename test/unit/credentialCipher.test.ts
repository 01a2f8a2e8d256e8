import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CredentialCipher, CredentialDecryptionError } from '../../secrets/credentialCipher';
import { InvalidEncryptionKeyError, loadEncryptionKey } from '../../secrets/encryptionKey';
import { hashApiSecret, verifyApiSecret } from '../../secrets/apiSecret';

describe('credentials at rest', () => {
  it('round-trip through AES-256-GCM and the ciphertext does not contain the key', () => {
    const cipher = new CredentialCipher(crypto.randomBytes(32));
    const secret = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';
    const stored = cipher.encrypt(secret);
    expect(stored).not.toContain('PRIVATE KEY');
    expect(cipher.encrypt(secret)).not.toBe(stored);
    expect(cipher.decrypt(stored)).toBe(secret);
  });

  it('read with another key fail with an error that says which key to restore', () => {
    const stored = new CredentialCipher(crypto.randomBytes(32)).encrypt('x');
    expect(() => new CredentialCipher(crypto.randomBytes(32)).decrypt(stored)).toThrow(CredentialDecryptionError);
    expect(() => new CredentialCipher(crypto.randomBytes(32)).decrypt(stored)).toThrow(/CREDENTIALS_ENCRYPTION_KEY/);
  });

  it('tampered ciphertext is refused', () => {
    const cipher = new CredentialCipher(crypto.randomBytes(32));
    const parts = cipher.encrypt('secret').split('.');
    parts[4] = Buffer.from('tampered').toString('base64');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow(/authentication tag/);
  });
});

describe('the encryption key', () => {
  it('is generated once into DATA_DIR, readable by its owner only, and reused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'key-'));
    const first = loadEncryptionKey({ dataDir: dir });
    expect(fs.statSync(path.join(dir, 'credentials.key')).mode & 0o777).toBe(0o600);
    expect(loadEncryptionKey({ dataDir: dir }).equals(first)).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });

  it('from CREDENTIALS_ENCRYPTION_KEY must be 32 bytes', () => {
    expect(loadEncryptionKey({ dataDir: os.tmpdir(), configured: crypto.randomBytes(32).toString('base64') })).toHaveLength(32);
    expect(() => loadEncryptionKey({ dataDir: os.tmpdir(), configured: 'too-short' })).toThrow(InvalidEncryptionKeyError);
  });
});

describe('API secrets', () => {
  it('are stored as a salted hash that verifies only the right secret', async () => {
    const hash = await hashApiSecret('s3cret');
    expect(hash).not.toContain('s3cret');
    await expect(verifyApiSecret('s3cret', hash)).resolves.toBe(true);
    await expect(verifyApiSecret('wrong', hash)).resolves.toBe(false);
  });
});
