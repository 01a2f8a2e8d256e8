import crypto from 'node:crypto';
import { externalMappingSchema, type ExternalMapping, type ExternalMappingInput } from '../domain/externalMapping';
import type { Db } from './connect';

export async function createMapping(db: Db, organizationId: string, input: ExternalMappingInput): Promise<ExternalMapping> {
  const m = externalMappingSchema.parse(input);
  const row = await db
    .insertInto('externalMapping')
    .values({ id: crypto.randomUUID(), organizationId, ...m, integrationConfigId: m.integrationConfigId ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMapping(row);
}

/** The NetSuite mappings that can matter for one bill: its account, its products, its currency. */
export async function mappingsFor(db: Db, organizationId: string, m3terIds: string[]): Promise<ExternalMapping[]> {
  if (m3terIds.length === 0) return [];
  const rows = await db
    .selectFrom('externalMapping')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where((eb) => eb(eb.fn('lower', ['externalSystem']), '=', 'netsuite'))
    .where('m3terId', 'in', m3terIds)
    .execute();
  return rows.map(toMapping);
}

function toMapping(row: { id: string; externalSystem: string; externalTable: string; externalId: string; m3terEntity: string; m3terId: string; integrationConfigId: string | null }): ExternalMapping {
  return {
    id: row.id,
    externalSystem: row.externalSystem,
    externalTable: row.externalTable,
    externalId: row.externalId,
    m3terEntity: row.m3terEntity,
    m3terId: row.m3terId,
    integrationConfigId: row.integrationConfigId,
  };
}
