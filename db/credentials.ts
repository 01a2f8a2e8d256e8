import crypto from 'node:crypto';
import { z } from 'zod';
import { parseAccountId } from '../domain/accountId';
import { inspectPrivateKey } from '../netsuite/privateKey';
import type { CredentialCipher } from '../secrets/credentialCipher';
import type { Db } from './connect';
import type { CredentialRow } from './schema';

/** The four fields of the guide's credential form; `privateKeyPem` is the decoded PEM text. */
export const credentialInputSchema = z.object({
  name: z.string().optional(),
  accountId: z.string().min(1, 'accountId is required: your NetSuite account id, e.g. 1234567 or 1234567_SB1'),
  certificateId: z.string().min(1, 'certificateId is required: the Certificate ID shown on the M2M Setup page after uploading public.pem'),
  clientId: z.string().min(1, 'clientId is required: the Client ID shown once when the integration record was saved'),
  privateKeyPem: z.string().min(1, 'privateKey is required'),
});
export type CredentialInput = z.input<typeof credentialInputSchema>;

/** What may be shown about a credential: everything except the key, which never leaves the database. */
export interface CredentialView {
  id: string;
  name: string | null;
  accountId: string;
  certificateId: string;
  clientId: string;
  keyFingerprint: string;
  keyType: string;
  version: number;
  dtCreated: Date;
}

export async function createCredential(db: Db, cipher: CredentialCipher, organizationId: string, input: CredentialInput): Promise<CredentialView> {
  const parsed = credentialInputSchema.parse(input);
  const account = parseAccountId(parsed.accountId);
  const key = inspectPrivateKey(parsed.privateKeyPem);
  const row = await db
    .insertInto('netsuiteCredential')
    .values({
      id: crypto.randomUUID(),
      organizationId,
      name: parsed.name ?? null,
      accountId: account.account,
      certificateId: parsed.certificateId.trim(),
      clientId: parsed.clientId.trim(),
      privateKeyEncrypted: cipher.encrypt(parsed.privateKeyPem),
      keyFingerprint: key.fingerprint,
      keyType: key.keyType,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCredentialView(row);
}

export function toCredentialView(row: CredentialRow): CredentialView {
  return {
    id: row.id,
    name: row.name,
    accountId: row.accountId,
    certificateId: row.certificateId,
    clientId: row.clientId,
    keyFingerprint: row.keyFingerprint,
    keyType: row.keyType,
    version: row.version,
    dtCreated: row.dtCreated,
  };
}

export async function getCredentialRow(db: Db, organizationId: string, id: string): Promise<CredentialRow | undefined> {
  return db.selectFrom('netsuiteCredential').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
}
