import type { Kysely } from 'kysely';

/**
 * When a config last had an error that counts towards disabling it, and the latest success its
 * failure counter was told of. A success needs telling only when an error may still be counted
 * (the first is later than the second): at month end thousands of successes in a row then cost the
 * counter nothing, where each used to signal it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('integration_config')
    .addColumn('dt_last_counted_error', 'timestamptz')
    .addColumn('dt_last_success_reported', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integration_config').dropColumn('dt_last_counted_error').dropColumn('dt_last_success_reported').execute();
}
