import crypto from 'node:crypto';
import { externalMappingSchema, type ExternalMapping, type ExternalMappingInput } from '../domain/externalMapping';
import type { Selectable } from 'kysely';
import type { Db } from './connect';
import type { ExternalMappingTable } from './schema';

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

/** The domain's view of a stored mapping (what the invoice builder and look-ups work with). */
export function toMapping(row: { id: string; externalSystem: string; externalTable: string; externalId: string; m3terEntity: string; m3terId: string; integrationConfigId: string | null }): ExternalMapping {
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

export type MappingRow = Selectable<ExternalMappingTable>;

export interface MappingQuery {
  /** m3ter's `externalSystemId`: the external system's name, e.g. Netsuite (case-insensitive). */
  externalSystem?: string;
  integrationConfigId?: string;
  m3terIds?: string[];
  m3terEntity?: string;
  m3terId?: string;
  externalTable?: string;
  externalId?: string;
  offset: number;
  limit: number;
}

/** One page of an organization's mappings matching every given criterion, oldest first. */
export async function listMappingRows(db: Db, organizationId: string, query: MappingQuery): Promise<MappingRow[]> {
  let q = db.selectFrom('externalMapping').selectAll().where('organizationId', '=', organizationId);
  const ci = (column: 'externalSystem' | 'externalTable' | 'm3terEntity', value: string | undefined) => {
    if (value) q = q.where((eb) => eb(eb.fn('lower', [column]), '=', value.toLowerCase()));
  };
  ci('externalSystem', query.externalSystem);
  ci('externalTable', query.externalTable);
  ci('m3terEntity', query.m3terEntity);
  if (query.integrationConfigId) q = q.where('integrationConfigId', '=', query.integrationConfigId);
  if (query.m3terIds?.length) q = q.where('m3terId', 'in', query.m3terIds);
  if (query.m3terId) q = q.where('m3terId', '=', query.m3terId);
  if (query.externalId) q = q.where('externalId', '=', query.externalId);
  return q.orderBy('dtCreated').orderBy('id').offset(query.offset).limit(query.limit).execute();
}

export async function getMappingRow(db: Db, organizationId: string, id: string): Promise<MappingRow | undefined> {
  return db.selectFrom('externalMapping').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/**
 * Another mapping of the same m3ter entity to the same external table, for the same integration (or
 * both unlinked): two would make the invoice builder's choice arbitrary.
 */
export async function findDuplicateMapping(db: Db, organizationId: string, input: ExternalMappingInput, exceptId?: string): Promise<MappingRow | undefined> {
  const m = externalMappingSchema.parse(input);
  let q = db
    .selectFrom('externalMapping')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where((eb) => eb(eb.fn('lower', ['externalSystem']), '=', m.externalSystem.toLowerCase()))
    .where((eb) => eb(eb.fn('lower', ['externalTable']), '=', m.externalTable.toLowerCase()))
    .where((eb) => eb(eb.fn('lower', ['m3terEntity']), '=', m.m3terEntity.toLowerCase()))
    .where('m3terId', '=', m.m3terId);
  q = m.integrationConfigId ? q.where('integrationConfigId', '=', m.integrationConfigId) : q.where('integrationConfigId', 'is', null);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.executeTakeFirst();
}

/** Creates a mapping and returns the whole row (common fields included). */
export async function createMappingRow(db: Db, organizationId: string, input: ExternalMappingInput): Promise<MappingRow> {
  const m = externalMappingSchema.parse(input);
  return db
    .insertInto('externalMapping')
    .values({ id: crypto.randomUUID(), organizationId, ...m, integrationConfigId: m.integrationConfigId ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Replaces a mapping under optimistic locking; undefined when there is no such mapping. */
export async function updateMapping(
  db: Db,
  organizationId: string,
  id: string,
  version: number | undefined,
  input: ExternalMappingInput,
): Promise<{ ok: true; row: MappingRow } | { ok: false; storedVersion: number } | undefined> {
  const m = externalMappingSchema.parse(input);
  return db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('externalMapping').select('version').where('organizationId', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) return undefined;
    if (version !== current.version) return { ok: false as const, storedVersion: current.version };
    const row = await tx
      .updateTable('externalMapping')
      .set({ ...m, integrationConfigId: m.integrationConfigId ?? null, version: current.version + 1, dtLastModified: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ok: true as const, row };
  });
}

export async function deleteMapping(db: Db, organizationId: string, id: string): Promise<MappingRow | undefined> {
  return db.deleteFrom('externalMapping').where('organizationId', '=', organizationId).where('id', '=', id).returningAll().executeTakeFirst();
}
