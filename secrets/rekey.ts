import type { Db } from '../db/connect';
import { CredentialDecryptionError, type CredentialCipher } from './credentialCipher';

/**
 * Re-encrypts every stored private key with the cipher's current key (step two of a key rotation).
 * Each row is updated only if unchanged since it was read, so it is safe while the service runs.
 */
export async function reencryptCredentials(db: Db, cipher: CredentialCipher): Promise<{ reencrypted: number; total: number; unreadable: string[] }> {
  const rows = await db.selectFrom('netsuiteCredential').select(['id', 'privateKeyEncrypted']).execute();
  let reencrypted = 0;
  // A row no configured key can read is reported, not fatal: the others still get rotated.
  const unreadable: string[] = [];
  for (const row of rows) {
    if (!cipher.needsReencryption(row.privateKeyEncrypted)) continue;
    let plaintext: string;
    try {
      plaintext = cipher.decrypt(row.privateKeyEncrypted);
    } catch (error) {
      if (!(error instanceof CredentialDecryptionError)) throw error;
      unreadable.push(row.id);
      continue;
    }
    const fresh = cipher.encrypt(plaintext);
    const result = await db
      .updateTable('netsuiteCredential')
      .set({ privateKeyEncrypted: fresh })
      .where('id', '=', row.id)
      .where('privateKeyEncrypted', '=', row.privateKeyEncrypted)
      .executeTakeFirst();
    reencrypted += Number(result.numUpdatedRows);
  }
  return { reencrypted, total: rows.length, unreadable };
}
