import type { Kysely } from 'kysely';

/**
 * When a credential first obtained an access token from NetSuite: the proof that whoever saved it holds
 * that NetSuite account (NetSuite accepted its certificate and key). Only such credentials count towards
 * the account's concurrency limit, so another organization can't lower it by naming the account.
 * Existing credentials start unproven and prove themselves with their next token, which a restarted
 * worker fetches on its first sync.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('netsuite_credential').addColumn('dt_token_obtained', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('netsuite_credential').dropColumn('dt_token_obtained').execute();
}
