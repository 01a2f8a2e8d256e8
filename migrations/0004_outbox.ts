import { sql, type Kysely } from 'kysely';

/**
 * The transactional outbox: whatever must reach a Temporal workflow (a bill calculated or approved, a
 * manual run or re-run, an integration re-enabled or deleted) is written here in the same transaction
 * as the change that causes it, and a relay delivers it. No foreign keys: a row is a message, and it
 * outlives what it speaks of (a deleted config's termination is itself a row).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('config_id', 'uuid', (c) => c.notNull())
    .addColumn('bill_id', 'uuid')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('billEvent', 'configEnabled', 'configDeleted')`))
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // Who or what asked: the API key, 'cli', 'sweep', …
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('dt_created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Not before: a failed delivery is retried from this time on.
    .addColumn('dt_available', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('dt_delivered', 'timestamptz')
    // The Temporal run that received the signal.
    .addColumn('delivered_run_id', 'text')
    .execute();
  await sql`create index outbox_due on outbox (dt_available, id) where dt_delivered is null`.execute(db);
  await db.schema.createIndex('outbox_target').on('outbox').columns(['config_id', 'bill_id', 'id']).execute();
  await sql`create index outbox_delivered on outbox (dt_delivered) where dt_delivered is not null`.execute(db);
  // The sweep looks for bills approved or calculated recently that no run answered.
  await db.schema.createIndex('bill_dt_approved').on('bill').column('dt_approved').execute();
  await db.schema.createIndex('bill_last_calculated').on('bill').column('last_calculated_date').execute();
  await db.schema.createIndex('integration_run_config_entity').on('integration_run').columns(['config_id', 'entity_id', 'dt_started']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('integration_run_config_entity').ifExists().execute();
  await db.schema.dropIndex('bill_last_calculated').ifExists().execute();
  await db.schema.dropIndex('bill_dt_approved').ifExists().execute();
  await db.schema.dropTable('outbox').ifExists().execute();
}
