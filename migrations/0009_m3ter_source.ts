import { sql, type Kysely } from 'kysely';

/**
 * An organization's m3ter source (issue 19): the m3ter organization the service mirrors bills,
 * accounts and external mappings from, with the service user's secret encrypted like private keys.
 * Rows the mirror brought carry `source_id` and the m3ter `version`/`dt_last_modified` they were
 * copied at (what the next pass compares), and the pass that last saw them (what tells a row deleted
 * in m3ter from one merely unchanged). Disconnecting sets `source_id` to null: the copies stay, and
 * become local, editable rows.
 *
 * The outbox learns two kinds that concern a source rather than a config: `sourceNudge` (run a mirror
 * pass now, starting the mirror if need be) and `sourceDisconnected` (stop it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('m3ter_source')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().unique().references('organization.id').onDelete('cascade'))
    .addColumn('m3ter_org_id', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('api_key', 'text', (c) => c.notNull())
    .addColumn('api_secret_encrypted', 'text', (c) => c.notNull())
    .addColumn('interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('window_days', 'integer', (c) => c.notNull())
    .addColumn('page_size', 'integer', (c) => c.notNull())
    // m3ter integration config id → local integration config id, for mappings linked to one integration.
    .addColumn('integration_config_links', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // The pass in progress: { pass, phase, nextToken } — committed with each page, so a pass resumes where it stopped.
    .addColumn('cursor', 'jsonb')
    .addColumn('passes_completed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_pass', 'jsonb')
    .addColumn('dt_last_pass_completed', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('dt_last_nudged', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text')
    .addColumn('dt_created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('dt_last_modified', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  for (const table of ['account', 'bill', 'external_mapping']) {
    await db.schema
      .alterTable(table)
      .addColumn('source_id', 'uuid', (c) => c.references('m3ter_source.id').onDelete('set null'))
      .addColumn('source_version', 'integer')
      .addColumn('source_dt_last_modified', 'text')
      .addColumn('source_pass', 'integer')
      .execute();
    await sql`create index ${sql.raw(`${table}_source`)} on ${sql.table(table)} (source_id, source_pass) where source_id is not null`.execute(db);
  }
  // A bill's m3ter calculation time: what tells a recalculation from an approval or a lock.
  await db.schema.alterTable('bill').addColumn('source_last_calculated', 'text').execute();

  await sql`alter table outbox alter column config_id drop not null`.execute(db);
  await db.schema.alterTable('outbox').addColumn('source_id', 'uuid').execute();
  await sql`alter table outbox drop constraint if exists outbox_kind_check`.execute(db);
  await sql`alter table outbox add constraint outbox_kind_check check (kind in ('billEvent', 'configEnabled', 'configDeleted', 'sourceNudge', 'sourceDisconnected'))`.execute(db);
  await sql`alter table outbox add constraint outbox_target_check check ((source_id is null) = (config_id is not null))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from outbox where source_id is not null`.execute(db);
  await sql`alter table outbox drop constraint if exists outbox_target_check`.execute(db);
  await sql`alter table outbox drop constraint if exists outbox_kind_check`.execute(db);
  await sql`alter table outbox add constraint outbox_kind_check check (kind in ('billEvent', 'configEnabled', 'configDeleted'))`.execute(db);
  await db.schema.alterTable('outbox').dropColumn('source_id').execute();
  await sql`alter table outbox alter column config_id set not null`.execute(db);
  await db.schema.alterTable('bill').dropColumn('source_last_calculated').execute();
  for (const table of ['account', 'bill', 'external_mapping']) {
    await db.schema.alterTable(table).dropColumn('source_id').dropColumn('source_version').dropColumn('source_dt_last_modified').dropColumn('source_pass').execute();
  }
  await db.schema.dropTable('m3ter_source').execute();
}
