import { sql, type Kysely } from 'kysely';

/**
 * NetSuite allows a fixed number of concurrent requests per account, shared by every integration.
 * Each in-flight request of ours holds one numbered slot here; a slot whose lease expired (its worker
 * died) is free again. Credentials say how many slots their account may use.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('netsuite_lease')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('netsuite_lease_pk', ['account_id', 'slot'])
    .execute();
  await db.schema
    .alterTable('netsuite_credential')
    .addColumn('concurrency_limit', 'integer', (c) => c.notNull().defaultTo(5).check(sql`concurrency_limit between 1 and 1000`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('netsuite_credential').dropColumn('concurrency_limit').execute();
  await db.schema.dropTable('netsuite_lease').ifExists().execute();
}
