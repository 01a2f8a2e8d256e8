import type { Kysely } from 'kysely';

/**
 * Which NetSuite record a run built: an invoice, or a credit memo for a negative bill. A send reads it
 * to know the record to write and whether the bill ever was the other kind (then that one is removed
 * first, so never both count in NetSuite).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integration_run').addColumn('record_type', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integration_run').dropColumn('record_type').execute();
}
