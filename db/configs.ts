import crypto from 'node:crypto';
import { z } from 'zod';
import { BILL_ENTITY_TYPE, configDataSchema, NETSUITE_DESTINATION, type ConfigData } from '../domain/configData';
import { inTransaction, type Db } from './connect';
import type { IntegrationConfigRow } from './schema';

export const configInputSchema = z.object({
  name: z.string().min(1, 'name is required: it tells integrations for the same system apart'),
  destination: z.string().default(NETSUITE_DESTINATION),
  entityType: z.string().default(BILL_ENTITY_TYPE),
  configData: z.unknown(),
  integrationCredentialsId: z.string().uuid().nullish(),
  destinationId: z.string().nullish(),
  entityId: z.string().nullish(),
});
export type ConfigInput = z.input<typeof configInputSchema>;

export class UnsupportedIntegrationError extends Error {
  constructor(destination: string, entityType: string) {
    super(`destination "${destination}" with entityType "${entityType}" is not supported: this service integrates destination "Netsuite", entityType "Bill"`);
    this.name = 'UnsupportedIntegrationError';
  }
}

export class UnknownCredentialError extends Error {
  constructor(id: string) {
    super(`integrationCredentialsId: no NetSuite credential ${id} in this organization; create it first (integrationauth/Netsuite/netsuiteauth)`);
    this.name = 'UnknownCredentialError';
  }
}

/** Validates configData completely before anything is stored, so a config is never half-valid. */
export function parseConfigData(raw: unknown): ConfigData {
  return configDataSchema.parse(raw ?? {});
}

export async function createConfig(db: Db, organizationId: string, input: ConfigInput): Promise<IntegrationConfigRow> {
  const parsed = configInputSchema.parse(input);
  if (parsed.destination.toLowerCase() !== NETSUITE_DESTINATION.toLowerCase() || parsed.entityType.toLowerCase() !== BILL_ENTITY_TYPE.toLowerCase()) {
    throw new UnsupportedIntegrationError(parsed.destination, parsed.entityType);
  }
  const configData = parseConfigData(parsed.configData);
  if (parsed.integrationCredentialsId) await assertCredentialExists(db, organizationId, parsed.integrationCredentialsId);
  return db
    .insertInto('integrationConfig')
    .values({
      id: crypto.randomUUID(),
      organizationId,
      destination: NETSUITE_DESTINATION,
      entityType: BILL_ENTITY_TYPE,
      name: parsed.name,
      configData: JSON.stringify(configData),
      integrationCredentialsId: parsed.integrationCredentialsId ?? null,
      destinationId: parsed.destinationId ?? null,
      entityId: parsed.entityId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function connectCredential(db: Db, organizationId: string, configId: string, credentialId: string | null): Promise<IntegrationConfigRow | undefined> {
  if (credentialId) await assertCredentialExists(db, organizationId, credentialId);
  return db
    .updateTable('integrationConfig')
    .set((eb) => ({ integrationCredentialsId: credentialId, version: eb('version', '+', 1), dtLastModified: new Date() }))
    .where('organizationId', '=', organizationId)
    .where('id', '=', configId)
    .returningAll()
    .executeTakeFirst();
}

async function assertCredentialExists(db: Db, organizationId: string, id: string): Promise<void> {
  const found = await db.selectFrom('netsuiteCredential').select('id').where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
  if (!found) throw new UnknownCredentialError(id);
}

export async function getConfig(db: Db, organizationId: string, configId: string): Promise<IntegrationConfigRow | undefined> {
  return db.selectFrom('integrationConfig').selectAll().where('organizationId', '=', organizationId).where('id', '=', configId).executeTakeFirst();
}

/** Disables a config once; returns false when it was already disabled (another report got there first). */
export async function disableConfig(db: Db, configId: string, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('integrationConfig')
    .set((eb) => ({ enabled: false, disabledReason: reason, version: eb('version', '+', 1), dtLastModified: new Date() }))
    .where('id', '=', configId)
    .where('enabled', '=', true)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function enableConfig(db: Db, organizationId: string, configId: string): Promise<IntegrationConfigRow | undefined> {
  return db
    .updateTable('integrationConfig')
    .set((eb) => ({ enabled: true, disabledReason: null, version: eb('version', '+', 1), dtLastModified: new Date() }))
    .where('organizationId', '=', organizationId)
    .where('id', '=', configId)
    .returningAll()
    .executeTakeFirst();
}

/** An update's outcome: the new row, or the version actually stored when the caller's is stale. */
export type VersionedUpdate<Row> = { ok: true; row: Row } | { ok: false; storedVersion: number };

/** One page of an organization's configs, oldest first; `limit` rows at most. */
export async function listConfigs(db: Db, organizationId: string, query: { destinationId?: string; offset: number; limit: number }): Promise<IntegrationConfigRow[]> {
  let q = db.selectFrom('integrationConfig').selectAll().where('organizationId', '=', organizationId);
  if (query.destinationId) q = q.where('destinationId', '=', query.destinationId);
  return q.orderBy('dtCreated').orderBy('id').offset(query.offset).limit(query.limit).execute();
}

/** The config of an entity type (m3ter's `integrationconfigs/entity/{entityType}`): the oldest match, if any. */
export async function findConfigForEntity(
  db: Db,
  organizationId: string,
  query: { entityType: string; destination?: string; destinationId?: string; entityId?: string },
): Promise<IntegrationConfigRow | undefined> {
  let q = db
    .selectFrom('integrationConfig')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where((eb) => eb(eb.fn('lower', ['entityType']), '=', query.entityType.toLowerCase()));
  if (query.destination) q = q.where((eb) => eb(eb.fn('lower', ['destination']), '=', query.destination!.toLowerCase()));
  if (query.destinationId) q = q.where('destinationId', '=', query.destinationId);
  if (query.entityId) q = q.where('entityId', '=', query.entityId);
  return q.orderBy('dtCreated').orderBy('id').executeTakeFirst();
}

/**
 * Replaces a config's name and configData (validated whole, so it is never stored half-valid) under
 * optimistic locking. Optional fields left undefined keep their value; null clears them (null
 * `integrationCredentialsId` disconnects the credential). Returns undefined when there is no such config.
 */
export async function updateConfig(db: Db, organizationId: string, configId: string, version: number | undefined, input: ConfigInput): Promise<VersionedUpdate<IntegrationConfigRow> | undefined> {
  const parsed = configInputSchema.parse(input);
  if (parsed.destination.toLowerCase() !== NETSUITE_DESTINATION.toLowerCase() || parsed.entityType.toLowerCase() !== BILL_ENTITY_TYPE.toLowerCase()) {
    throw new UnsupportedIntegrationError(parsed.destination, parsed.entityType);
  }
  const configData = parseConfigData(parsed.configData);
  if (parsed.integrationCredentialsId) await assertCredentialExists(db, organizationId, parsed.integrationCredentialsId);
  return inTransaction(db, async (tx) => {
    const current = await tx.selectFrom('integrationConfig').select('version').where('organizationId', '=', organizationId).where('id', '=', configId).forUpdate().executeTakeFirst();
    if (!current) return undefined;
    if (version !== current.version) return { ok: false as const, storedVersion: current.version };
    const row = await tx
      .updateTable('integrationConfig')
      .set({
        name: parsed.name,
        configData: JSON.stringify(configData),
        ...(parsed.integrationCredentialsId !== undefined ? { integrationCredentialsId: parsed.integrationCredentialsId } : {}),
        ...(parsed.destinationId !== undefined ? { destinationId: parsed.destinationId } : {}),
        ...(parsed.entityId !== undefined ? { entityId: parsed.entityId } : {}),
        version: current.version + 1,
        dtLastModified: new Date(),
      })
      .where('id', '=', configId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ok: true as const, row };
  });
}

/** Deletes a config (its runs, events and linked mappings go with it); returns what was deleted. */
export async function deleteConfig(db: Db, organizationId: string, configId: string): Promise<IntegrationConfigRow | undefined> {
  return db.deleteFrom('integrationConfig').where('organizationId', '=', organizationId).where('id', '=', configId).returningAll().executeTakeFirst();
}
