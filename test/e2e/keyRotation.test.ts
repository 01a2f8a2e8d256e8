import crypto from 'node:crypto';
import pg from 'pg';
import { createCredential } from '../../db/credentials';
import { createOrganization } from '../../db/organizations';
import { generateKeyPair } from '../../demo/keyPair';
import { CredentialCipher, CredentialDecryptionError } from '../../secrets/credentialCipher';
import { reencryptCredentials } from '../../secrets/rekey';
import { useFileWorld } from '../support/fileWorld';

const { h } = useFileWorld();

describe('private keys at rest', () => {
  it('are stored encrypted: the raw table holds no PEM text', async () => {
    const keyPair = await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' });
    const org = await createOrganization(h.db, 'At rest');
    await createCredential(h.db, h.cipher, org.orgId, { accountId: '1234567', certificateId: 'c', clientId: 'x', privateKeyPem: keyPair.privateKeyPem });
    const raw = new pg.Client({ connectionString: h.databaseUrl });
    await raw.connect();
    try {
      const dump = JSON.stringify((await raw.query('select * from netsuite_credential')).rows);
      expect(dump).not.toContain('PRIVATE KEY');
      for (const line of keyPair.privateKeyPem.split('\n').filter((l) => l && !l.startsWith('-----'))) expect(dump).not.toContain(line);
    } finally {
      await raw.end();
    }
  });

  it('survive rotating CREDENTIALS_ENCRYPTION_KEY: old key listed as previous, rekey, then the old key can go', async () => {
    const keyPair = await generateKeyPair({ dir: `${h.tmpDir}/rotate`, kind: 'ec256' });
    const oldKey = crypto.randomBytes(32);
    const newKey = crypto.randomBytes(32);
    const org = await createOrganization(h.db, 'Rotation');
    const saved = await createCredential(h.db, new CredentialCipher(oldKey), org.orgId, { accountId: '1234567', certificateId: 'c', clientId: 'x', privateKeyPem: keyPair.privateKeyPem });
    const stored = async () => (await h.db.selectFrom('netsuiteCredential').select('privateKeyEncrypted').where('id', '=', saved.id).executeTakeFirstOrThrow()).privateKeyEncrypted;

    // Step 1: deploy with the new key, the old one listed in CREDENTIALS_ENCRYPTION_KEY_PREVIOUS.
    const rotating = new CredentialCipher(newKey, [oldKey]);
    expect(rotating.decrypt(await stored())).toBe(keyPair.privateKeyPem);
    // Step 2: `cli credential rekey` re-encrypts every row with the new key.
    const result = await reencryptCredentials(h.db, rotating);
    expect(result.reencrypted).toBeGreaterThanOrEqual(1);
    // Step 3: drop the previous key; everything still reads.
    const rotated = new CredentialCipher(newKey);
    expect(rotated.decrypt(await stored())).toBe(keyPair.privateKeyPem);
    await expect(stored().then((value) => new CredentialCipher(oldKey).decrypt(value))).rejects.toThrow(CredentialDecryptionError);
  });
});
