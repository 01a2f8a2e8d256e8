import type { Kysely } from 'kysely';

/** When the mirror last ended a pass attempt, well or not: the sweep nudges a source silent for long. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('m3ter_source').addColumn('dt_last_pass_ended', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('m3ter_source').dropColumn('dt_last_pass_ended').execute();
}
