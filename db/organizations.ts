import crypto from 'node:crypto';
import { generateApiKey, hashApiSecret, verifyApiSecret } from '../secrets/apiSecret';
import type { Db } from './connect';

/** Creates an organization with its first API key; the secret is returned once and stored hashed. */
export async function createOrganization(db: Db, name: string): Promise<{ orgId: string; apiKey: string; apiSecret: string }> {
  const orgId = crypto.randomUUID();
  const { apiKey, apiSecret } = generateApiKey();
  const secretHash = await hashApiSecret(apiSecret);
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('organization').values({ id: orgId, name }).execute();
    await tx.insertInto('apiKey').values({ id: apiKey, organizationId: orgId, secretHash }).execute();
  });
  return { orgId, apiKey, apiSecret };
}

/**
 * The organization an API key belongs to, or undefined when the key or secret is wrong. An unknown key
 * costs the same scrypt as a wrong secret (checked against a decoy hash), so how long the answer takes
 * doesn't tell whether the key exists.
 */
export async function authenticateApiKey(db: Db, apiKey: string, apiSecret: string): Promise<string | undefined> {
  const row = await db.selectFrom('apiKey').select(['organizationId', 'secretHash']).where('id', '=', apiKey).executeTakeFirst();
  const matches = await verifyApiSecret(apiSecret, row?.secretHash ?? (await decoyHash()));
  return row && matches ? row.organizationId : undefined;
}

let decoy: Promise<string> | undefined;
/** The hash of a secret nobody has, made once per process. */
function decoyHash(): Promise<string> {
  decoy ??= hashApiSecret(crypto.randomBytes(32).toString('base64url'));
  return decoy;
}

export async function getOrganization(db: Db, orgId: string) {
  return db.selectFrom('organization').selectAll().where('id', '=', orgId).executeTakeFirst();
}
