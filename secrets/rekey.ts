import type { Db } from '../db/connect';
import { CredentialDecryptionError, type CredentialCipher } from './credentialCipher';

/** Every column that holds a secret encrypted with the credentials key. */
const ENCRYPTED_COLUMNS = [
  { table: 'netsuiteCredential', column: 'privateKeyEncrypted' },
  { table: 'm3terSource', column: 'apiSecretEncrypted' },
] as const;

/**
 * Re-encrypts every stored secret (NetSuite private keys, m3ter service-user secrets) with the
 * cipher's current key (step two of a key rotation). Each row is updated only if unchanged since it
 * was read, so it is safe while the service runs.
 */
export async function reencryptCredentials(db: Db, cipher: CredentialCipher): Promise<{ reencrypted: number; total: number; unreadable: string[] }> {
  let reencrypted = 0;
  let total = 0;
  // A row no configured key can read is reported, not fatal: the others still get rotated.
  const unreadable: string[] = [];
  for (const { table, column } of ENCRYPTED_COLUMNS) {
    const rows = (await db.selectFrom(table).select(['id', column]).execute()) as { id: string; [key: string]: string }[];
    total += rows.length;
    for (const row of rows) {
      const stored = row[column]!;
      if (!cipher.needsReencryption(stored)) continue;
      let plaintext: string;
      try {
        plaintext = cipher.decrypt(stored);
      } catch (error) {
        if (!(error instanceof CredentialDecryptionError)) throw error;
        unreadable.push(row.id);
        continue;
      }
      const result = await db
        .updateTable(table)
        .set({ [column]: cipher.encrypt(plaintext) })
        .where('id', '=', row.id)
        .where(column, '=', stored)
        .executeTakeFirst();
      reencrypted += Number(result.numUpdatedRows);
    }
  }
  return { reencrypted, total, unreadable };
}
