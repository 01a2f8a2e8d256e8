import { sql, type Kysely } from 'kysely';

/**
 * The first schema: m3ter's entities (organizations, users, accounts, versioned bills), the integration
 * side (configs, NetSuite credentials, external mappings) and the record of every integration run.
 * Column names are m3ter's field names in snake_case; the CamelCasePlugin maps them back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organization')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('dt_created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_key')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    // scrypt hash of the API secret; the secret itself is shown once and never stored.
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('dt_created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('app_user')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('dt_created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('dt_last_modified', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('app_user_org_email', ['organization_id', 'email'])
    .execute();

  await db.schema
    .createTable('account')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email_address', 'text', (c) => c.notNull())
    .addColumn('currency', 'text')
    .addColumn('custom_fields', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('address', 'jsonb')
    .addColumn('parent_account_id', 'uuid')
    .addColumn('purchase_order_number', 'text')
    .addColumn('days_before_bill_due', 'integer')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('dt_created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('dt_last_modified', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('account_org_code', ['organization_id', 'code'])
    .execute();

  await db.schema
    .createTable('bill')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('account.id'))
    // Every recalculation is a new version; line items are kept per version so a run can say what it sent.
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('PENDING'))
    .addColumn('locked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('bill_date', 'date', (c) => c.notNull())
    .addColumn('due_date', 'date')
    .addColumn('start_date', 'date')
    .addColumn('end_date', 'date')
    .addColumn('billing_frequency', 'text')
    .addColumn('bill_total', 'numeric', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('dt_approved', 'timestamptz')
    .addColumn('approved_by', 'text')
    .addColumn('external_invoice_date', 'date')
    .addColumn('external_invoice_reference', 'text')
    .addColumn('sequential_invoice_number', 'text')
    .addColumn('purchase_order_number', 'text')
    .addColumn('timezone', 'text')
    .addColumn('last_calculated_date', 'timestamptz')
    .addColumn('dt_created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('dt_last_modified', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('bill_org_account').on('bill').columns(['organization_id', 'account_id', 'bill_date']).execute();

  await db.schema
    .createTable('bill_line_item')
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('bill_id', 'uuid', (c) => c.notNull().references('bill.id').onDelete('cascade'))
    .addColumn('bill_version', 'integer', (c) => c.notNull())
    .addColumn('sequence_number', 'integer', (c) => c.notNull())
    // The m3ter line item as received (validated by zod); amounts stay decimal strings-or-numbers as sent.
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('bill_line_item_pk', ['bill_id', 'bill_version', 'id'])
    .execute();

  await db.schema
    .createTable('netsuite_credential')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    .addColumn('name', 'text')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('certificate_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    // AES-256-GCM ciphertext (secrets/credentialCipher.ts); decrypted only inside the signing activity.
    .addColumn('private_key_encrypted', 'text', (c) => c.notNull())
    .addColumn('key_fingerprint', 'text', (c) => c.notNull())
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('dt_created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('dt_last_modified', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('integration_config')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('config_data', 'jsonb', (c) => c.notNull())
    .addColumn('integration_credentials_id', 'uuid', (c) => c.references('netsuite_credential.id'))
    .addColumn('destination_id', 'text')
    .addColumn('entity_id', 'text')
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('disabled_reason', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text')
    .addColumn('last_modified_by', 'text')
    .addColumn('dt_created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('dt_last_modified', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('external_mapping')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    .addColumn('external_system', 'text', (c) => c.notNull())
    .addColumn('external_table', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('m3ter_entity', 'text', (c) => c.notNull())
    .addColumn('m3ter_id', 'text', (c) => c.notNull())
    .addColumn('integration_config_id', 'uuid', (c) => c.references('integration_config.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('dt_created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('dt_last_modified', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('external_mapping_lookup')
    .on('external_mapping')
    .columns(['organization_id', 'm3ter_entity', 'm3ter_id'])
    .execute();

  await db.schema
    .createTable('integration_run')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    .addColumn('config_id', 'uuid', (c) => c.notNull().references('integration_config.id').onDelete('cascade'))
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'uuid', (c) => c.notNull())
    .addColumn('entity_version', 'integer')
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('dt_started', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('dt_completed', 'timestamptz')
    .addColumn('error', 'text')
    // NetSuite's internal id and record URL once the invoice exists.
    .addColumn('external_id', 'text')
    .addColumn('url', 'text')
    .addColumn('invoice_external_id', 'text')
    .addColumn('invoice_body', 'jsonb')
    .addColumn('decisions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('workflow_run_id', 'text', (c) => c.notNull())
    .addColumn('parent_integration_run_id', 'uuid')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('dt_created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('dt_last_modified', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('integration_run_entity')
    .on('integration_run')
    .columns(['organization_id', 'entity_type', 'entity_id', 'dt_started'])
    .execute();
  await db.schema.createIndex('integration_run_config').on('integration_run').columns(['config_id', 'dt_started']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'integration_run',
    'external_mapping',
    'integration_config',
    'netsuite_credential',
    'bill_line_item',
    'bill',
    'account',
    'app_user',
    'api_key',
    'organization',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
