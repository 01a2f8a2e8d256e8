import crypto from 'node:crypto';
import { z } from 'zod';
import { parseAccountId, type NetSuiteAccountId } from '../domain/accountId';
import { InvalidPrivateKeyError, inspectPrivateKey, type PrivateKeyInfo } from '../netsuite/privateKey';
import type { CredentialCipher } from '../secrets/credentialCipher';
import type { Db } from './connect';
import type { CredentialRow } from './schema';

/** The four fields of the guide's credential form; `privateKeyPem` is the decoded PEM text. */
export const credentialInputSchema = z.object({
  name: z.string().optional(),
  accountId: z.string().min(1, 'accountId is required: your NetSuite account id, e.g. 1234567 or 1234567_SB1'),
  certificateId: z.string().min(1, 'certificateId is required: the Certificate ID shown on the M2M Setup page after uploading m3ter-cert.pem'),
  clientId: z.string().min(1, 'clientId is required: the Client ID shown once when the integration record was saved'),
  privateKeyPem: z.string().min(1, 'privateKey is required'),
  concurrencyLimit: z.number().int().min(1).max(1000).optional(),
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
  concurrencyLimit: number;
  version: number;
  dtCreated: Date;
}

/** `tokenObtained`: NetSuite has just issued a token with exactly these fields (saved with `?verify=true`). */
export async function createCredential(db: Db, cipher: CredentialCipher, organizationId: string, input: CredentialInput, options: { tokenObtained?: boolean } = {}): Promise<CredentialView> {
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
      ...(parsed.concurrencyLimit ? { concurrencyLimit: parsed.concurrencyLimit } : {}),
      ...(options.tokenObtained ? { dtTokenObtained: new Date() } : {}),
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
    concurrencyLimit: row.concurrencyLimit,
    version: row.version,
    dtCreated: row.dtCreated,
  };
}

/**
 * Records that NetSuite issued a token for this credential (the first time only), which makes its
 * concurrency limit count for its account.
 */
export async function markTokenObtained(db: Db, credentialId: string): Promise<void> {
  await db.updateTable('netsuiteCredential').set({ dtTokenObtained: new Date() }).where('id', '=', credentialId).where('dtTokenObtained', 'is', null).execute();
}

export async function getCredentialRow(db: Db, organizationId: string, id: string): Promise<CredentialRow | undefined> {
  return db.selectFrom('netsuiteCredential').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/**
 * The `privateKey` of m3ter's credential body: the base64 of the PEM file (`base64 -i m3ter-key.pem`),
 * or, accepted too, the PEM text itself. Returns the PEM text; never echoes the input in errors.
 */
export function decodePrivateKey(value: string): string {
  const text = value.trim();
  const pem = text.includes('-----BEGIN') ? text : fromBase64(text);
  if (/-----BEGIN CERTIFICATE-----/.test(pem) && !/PRIVATE KEY-----/.test(pem)) {
    throw new InvalidPrivateKeyError('This file is the certificate (m3ter-cert.pem, the half you upload to NetSuite), not the private key.');
  }
  return `${pem.trim()}\n`;
}

function fromBase64(text: string): string {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) throw new InvalidPrivateKeyError('This is neither PEM text nor the base64 of a PEM file (base64 -i m3ter-key.pem).');
  const decoded = Buffer.from(compact, 'base64').toString('utf8');
  if (!decoded.includes('-----BEGIN')) throw new InvalidPrivateKeyError('This decodes from base64, but not to a PEM file (one starting "-----BEGIN PRIVATE KEY-----").');
  return decoded;
}

/** Every check made on save, without storing anything: the account id's form and the key's type and size. */
export function checkCredentialInput(input: CredentialInput): { account: NetSuiteAccountId; key: PrivateKeyInfo; certificateId: string; clientId: string } {
  const parsed = credentialInputSchema.parse(input);
  return { account: parseAccountId(parsed.accountId), key: inspectPrivateKey(parsed.privateKeyPem), certificateId: parsed.certificateId.trim(), clientId: parsed.clientId.trim() };
}

/** One page of an organization's credentials (views: never the key), oldest first; `limit` rows at most. */
export async function listCredentials(db: Db, organizationId: string, query: { offset: number; limit: number }): Promise<CredentialView[]> {
  const rows = await db.selectFrom('netsuiteCredential').selectAll().where('organizationId', '=', organizationId).orderBy('dtCreated').orderBy('id').offset(query.offset).limit(query.limit).execute();
  return rows.map(toCredentialView);
}

export type CredentialDeletion = { deleted: CredentialView } | { inUseBy: Array<{ id: string; name: string }> };

/** Deletes a credential no config uses; otherwise says which configs use it. Undefined when there is none. */
export async function deleteCredential(db: Db, organizationId: string, id: string): Promise<CredentialDeletion | undefined> {
  return db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('netsuiteCredential').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) return undefined;
    const users = await tx.selectFrom('integrationConfig').select(['id', 'name']).where('integrationCredentialsId', '=', id).orderBy('dtCreated').execute();
    if (users.length > 0) return { inUseBy: users };
    await tx.deleteFrom('netsuiteCredential').where('id', '=', id).execute();
    return { deleted: toCredentialView(row) };
  });
}
