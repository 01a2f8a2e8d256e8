import { sql } from 'kysely';
import type { z } from 'zod';
import type { accountInputSchema } from '../domain/account';
import type { ExternalMapping } from '../domain/externalMapping';
import type { BillCopy, MirroredTable } from '../domain/mirror';
import { accountColumns } from './accounts';
import type { Db } from './connect';

/**
 * The queries of the m3ter mirror (usecases/mirrorPage.ts): the copies it holds, with the m3ter
 * version, modification time and pass of each, and the writes that keep them. A copy keeps m3ter's id,
 * so bills, accounts and mappings refer to each other locally as they do in m3ter.
 */


/** What m3ter's copy was when the mirror last wrote it: stored with every mirrored row. */
export interface SourceMarks {
  sourceId: string;
  sourceVersion: number;
  sourceDtLastModified: string | null;
  sourcePass: number;
}

/** Who holds each id now: this organization's source, a local row, or another organization. */
export interface Holder {
  id: string;
  organizationId: string;
  sourceId: string | null;
  sourceVersion: number | null;
  sourceDtLastModified: string | null;
}

export async function holders(tx: Db, table: MirroredTable, ids: readonly string[]): Promise<Map<string, Holder>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.selectFrom(table).select(['id', 'organizationId', 'sourceId', 'sourceVersion', 'sourceDtLastModified']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** The local copies of these bills with what planBill needs. */
export async function billCopies(tx: Db, ids: readonly string[]): Promise<Map<string, BillCopy & { organizationId: string; sourceId: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .selectFrom('bill')
    .select(['id', 'organizationId', 'sourceId', 'status', 'locked', 'billTotal', 'sourceVersion', 'sourceDtLastModified', 'sourceLastCalculated'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, { ...r, billTotal: Number(r.billTotal) }]));
}

/** Records that this pass saw these rows (changed or not): what keeps them from looking deleted. */
export async function markSeen(tx: Db, table: MirroredTable, sourceId: string, pass: number, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.updateTable(table).set({ sourcePass: pass }).where('sourceId', '=', sourceId).where('id', 'in', [...ids]).execute();
}

export async function setBillMarks(tx: Db, billId: string, marks: SourceMarks & { sourceLastCalculated: string | null }): Promise<void> {
  await tx.updateTable('bill').set(marks).where('id', '=', billId).execute();
}

/**
 * Inserts or replaces a mirrored account, its local version counting the changes. An id the source may
 * not write (checked again here, under the row's lock) is 'taken'.
 */
export async function upsertMirroredAccount(tx: Db, organizationId: string, id: string, account: z.output<typeof accountInputSchema>, marks: SourceMarks): Promise<UpsertResult> {
  return upsertMirrored(tx, 'account', organizationId, id, { ...accountColumns(account), ...marks });
}

export async function upsertMirroredMapping(tx: Db, organizationId: string, mapping: ExternalMapping, marks: SourceMarks): Promise<UpsertResult> {
  const { externalSystem, externalTable, externalId, m3terEntity, m3terId } = mapping;
  return upsertMirrored(tx, 'externalMapping', organizationId, mapping.id, { externalSystem, externalTable, externalId, m3terEntity, m3terId, integrationConfigId: mapping.integrationConfigId ?? null, ...marks });
}

type UpsertResult = 'created' | 'updated' | 'taken';

async function upsertMirrored(tx: Db, table: 'account' | 'externalMapping', organizationId: string, id: string, columns: Record<string, unknown>): Promise<UpsertResult> {
  const sourceId = (columns as Pick<SourceMarks, 'sourceId'>).sourceId;
  // One statement for both tables; their columns differ, so the typed builder is told one table's name.
  const row = await tx
    .insertInto(table as 'account')
    .values({ id, organizationId, ...columns } as never)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ ...columns, version: sql<number>`${sql.ref(`${table}.version`)} + 1`, dtLastModified: new Date() } as never)
        // writableBySource (domain/mirror.ts), in SQL.
        .where(sql<boolean>`${sql.ref(`${table}.organizationId`)} = ${organizationId} and (${sql.ref(`${table}.sourceId`)} = ${sourceId} or (${sql.ref(`${table}.sourceId`)} is null and ${sql.ref(`${table}.sourceVersion`)} is not null))`),
    )
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .executeTakeFirst();
  return row ? (row.inserted ? 'created' : 'updated') : 'taken';
}

/**
 * The source's rows this pass did not see: candidates for deletion, each confirmed with m3ter before
 * it goes (a listing can miss a row that moved between pages). Bills only within the pass's window.
 */
export async function unseenRows(tx: Db, table: MirroredTable, sourceId: string, pass: number, billWindow?: { start: string; end: string }): Promise<string[]> {
  let query = tx
    .selectFrom(table)
    .select('id')
    .where('sourceId', '=', sourceId)
    .where((eb) => eb.or([eb('sourcePass', 'is', null), eb('sourcePass', '<', pass)]));
  if (table === 'bill' && billWindow) {
    query = query.where(sql<boolean>`bill_date >= ${billWindow.start}::date and bill_date < ${billWindow.end}::date`);
  }
  return (await query.execute()).map((r) => r.id);
}

/**
 * Deletes a row m3ter no longer has. A locked bill stays (it is final in m3ter too), and so does an
 * account that still has bills; false when the row stays.
 */
export async function deleteMirrored(tx: Db, table: MirroredTable, sourceId: string, id: string): Promise<boolean> {
  if (table === 'bill') {
    const result = await tx.deleteFrom('bill').where('id', '=', id).where('sourceId', '=', sourceId).where('locked', '=', false).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
  if (table === 'account') {
    const result = await tx
      .deleteFrom('account')
      .where('id', '=', id)
      .where('sourceId', '=', sourceId)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('bill').select('bill.id').whereRef('bill.accountId', '=', 'account.id'))))
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
  const result = await tx.deleteFrom('externalMapping').where('id', '=', id).where('sourceId', '=', sourceId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Whether any of these rows is owned by a source: the local API refuses to change those. */
export async function ownedBySource(db: Db, table: MirroredTable, organizationId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom(table).select('id').where('organizationId', '=', organizationId).where('id', 'in', [...ids]).where('sourceId', 'is not', null).execute();
  return rows.map((r) => r.id);
}
