import { sql, type Kysely } from 'kysely';

/**
 * Integration events (m3ter's IntegrationEvent: one per failed run, plus integration.disabled.error)
 * and a record of every notification email sent, so a retried activity never emails a user twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('integration_event')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('event_time', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('config_id', 'uuid', (c) => c.notNull().references('integration_config.id').onDelete('cascade'))
    .addColumn('entity_type', 'text')
    .addColumn('entity_id', 'uuid')
    .addColumn('account_id', 'uuid')
    // One event per failed run: the unique run id makes raising it idempotent.
    .addColumn('run_id', 'uuid', (c) => c.unique())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('dt_actioned', 'timestamptz')
    .addColumn('actioned_by', 'text')
    .execute();
  await db.schema.createIndex('integration_event_org_time').on('integration_event').columns(['organization_id', 'event_time']).execute();
  await db.schema.createIndex('integration_event_config').on('integration_event').columns(['config_id', 'event_time']).execute();

  await db.schema
    .createTable('notification')
    .addColumn('event_id', 'uuid', (c) => c.notNull().references('integration_event.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('dt_sent', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('notification_pk', ['event_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notification').ifExists().execute();
  await db.schema.dropTable('integration_event').ifExists().execute();
}
