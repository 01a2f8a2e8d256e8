import { sql, type Kysely } from 'kysely';

/**
 * When the mirror last ended a pass attempt, well or not: the sweep nudges a source silent for long.
 * Nudges are spaced by the outbox's own rows (indexed by source here), no longer by a column on the
 * source that a pass writing a page holds locked: a webhook call must not wait for that.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // `if (not) exists`: a development database may have run an early draft of 0009 that had the first.
  await sql`alter table m3ter_source add column if not exists dt_last_pass_ended timestamptz, drop column if exists dt_last_nudged`.execute(db);
  await sql`create index outbox_source on outbox (source_id, id) where source_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists outbox_source`.execute(db);
  await db.schema.alterTable('m3ter_source').dropColumn('dt_last_pass_ended').addColumn('dt_last_nudged', 'timestamptz').execute();
}
