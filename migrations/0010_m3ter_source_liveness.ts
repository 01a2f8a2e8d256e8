import { sql, type Kysely } from 'kysely';

/**
 * When the mirror last ended a pass attempt, well or not: the sweep nudges a source silent for long.
 * Nudges are spaced by the outbox's own rows (indexed by source here), no longer by a column on the
 * source that a pass writing a page holds locked: a webhook call must not wait for that.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('m3ter_source').addColumn('dt_last_pass_ended', 'timestamptz').dropColumn('dt_last_nudged').execute();
  await sql`create index outbox_source on outbox (source_id, id) where source_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists outbox_source`.execute(db);
  await db.schema.alterTable('m3ter_source').dropColumn('dt_last_pass_ended').addColumn('dt_last_nudged', 'timestamptz').execute();
}
