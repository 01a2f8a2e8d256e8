import { sql, type Kysely } from 'kysely';

/**
 * The outbox rows (hand-offs) each run answers. The relay delivers at least once; a hand-off delivered
 * again (its relay died between signalling and recording it) is recognised by its id and starts no
 * second run, so a repeat can't add a run, an error event or a count towards auto-disable.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integration_run').addColumn('handoff_ids', sql`bigint[]`, (c) => c.notNull().defaultTo(sql`'{}'::bigint[]`)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integration_run').dropColumn('handoff_ids').execute();
}
