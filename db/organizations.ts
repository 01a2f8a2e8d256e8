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

/** The organization an API key belongs to, or undefined when the key or secret is wrong. */
export async function authenticateApiKey(db: Db, apiKey: string, apiSecret: string): Promise<string | undefined> {
  const row = await db.selectFrom('apiKey').select(['organizationId', 'secretHash']).where('id', '=', apiKey).executeTakeFirst();
  if (!row) return undefined;
  return (await verifyApiSecret(apiSecret, row.secretHash)) ? row.organizationId : undefined;
}

export async function getOrganization(db: Db, orgId: string) {
  return db.selectFrom('organization').selectAll().where('id', '=', orgId).executeTakeFirst();
}
