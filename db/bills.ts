import crypto from 'node:crypto';
import type { ExpressionBuilder } from 'kysely';
import { billInputSchema, type BillInput, type LineItem } from '../domain/bill';
import { MirroredByM3terError, writableBySource } from '../domain/mirror';
import { signedAmount } from '../domain/lineItemType';
import { fromCents, sumToCents, toCents } from '../domain/money';
import { findAccount } from './accounts';
import { inTransaction, type Db } from './connect';
import type { BillRow, Database } from './schema';

export class UnknownAccountError extends Error {
  constructor(accountId: string) {
    super(`accountId: no account "${accountId}" in this organization; create the account first or use its id or code`);
    this.name = 'UnknownAccountError';
  }
}

/** A bill whose stated total is not what its lines add up to: the API would show one total and NetSuite get another. */
export class BillTotalMismatchError extends Error {
  constructor(stated: number, computed: number) {
    super(`billTotal: ${stated.toFixed(2)} is not what the line items add up to (${computed.toFixed(2)}, credits subtracted); correct it, or leave billTotal out and it is the lines' sum`);
    this.name = 'BillTotalMismatchError';
  }
}

/**
 * The billing engine chose an id another organization's bill has. Bill ids are one namespace for the
 * whole service, so the id is taken; the answer says only that (unavoidable, and worth nothing to
 * anyone who can't already guess a random UUID), never whose it is or anything about that bill.
 */
export class BillIdUnavailableError extends Error {
  constructor(billId: string) {
    super(`id: ${billId} can't be used for a new bill; bill ids are unique across the service, so send the bill with a new UUID`);
    this.name = 'BillIdUnavailableError';
  }
}

/**
 * Creates a bill, or recalculates an existing one: a recalculation is a new version with its own line
 * items, and puts an approved bill back to PENDING, as m3ter does. In the caller's transaction, if any.
 */
export async function saveBill(db: Db, organizationId: string, input: BillInput, options: { /** The m3ter source writing its copy; absent for a local writer (API, CLI). */ source?: string } = {}): Promise<BillRow & { lineItems: LineItem[] }> {
  const bill = billInputSchema.parse(input);
  const account = await findAccount(db, organizationId, bill.accountId);
  if (!account) throw new UnknownAccountError(bill.accountId);
  const lineItems: LineItem[] = bill.lineItems.map((line, index) => ({ ...line, id: line.id ?? crypto.randomUUID(), sequenceNumber: line.sequenceNumber ?? index }));
  // Rounded once from the exact sum, as the invoice builder does, so the two totals always agree.
  const computedCents = sumToCents(lineItems.map((l) => signedAmount(l.lineItemType, l.subtotal)));
  const computedTotal = fromCents(computedCents);
  // The invoice is built from the lines, so a local writer's total must be theirs. m3ter's own copy
  // (a source) is taken as m3ter states it: what its billTotal covers is m3ter's to say.
  if (options.source === undefined && bill.billTotal !== undefined && toCents(bill.billTotal) !== computedCents) throw new BillTotalMismatchError(bill.billTotal, computedTotal);
  const id = bill.id ?? crypto.randomUUID();
  const fields = {
    accountId: account.id,
    billDate: bill.billDate,
    dueDate: bill.dueDate ?? null,
    startDate: bill.startDate ?? null,
    endDate: bill.endDate ?? null,
    billingFrequency: bill.billingFrequency ?? null,
    billTotal: bill.billTotal ?? computedTotal,
    currency: bill.currency,
    externalInvoiceDate: bill.externalInvoiceDate ?? null,
    externalInvoiceReference: bill.externalInvoiceReference ?? null,
    sequentialInvoiceNumber: bill.sequentialInvoiceNumber ?? null,
    purchaseOrderNumber: bill.purchaseOrderNumber ?? account.purchaseOrderNumber ?? null,
    timezone: bill.timezone ?? null,
    lastCalculatedDate: new Date(),
  };
  return inTransaction(db, async (tx) => {
    const existing = await tx.selectFrom('bill').select(['version', 'organizationId', 'locked', 'sourceId', 'sourceVersion']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (existing && existing.organizationId !== organizationId) throw new BillIdUnavailableError(id);
    // Decided again under the row's lock: a local write and the mirror's can race for one id.
    if (existing && options.source === undefined && existing.sourceId !== null) throw new MirroredByM3terError('bill', [id]);
    if (existing && options.source !== undefined && !writableBySource(existing, { organizationId, sourceId: options.source })) throw new BillHeldLocallyError(id);
    if (existing?.locked) throw new BillLockedError(id);
    const row = existing
      ? await tx
          .updateTable('bill')
          .set({ ...fields, version: existing.version + 1, status: 'PENDING', dtApproved: null, approvedBy: null, dtLastModified: new Date() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await tx.insertInto('bill').values({ id, organizationId, ...fields }).returningAll().executeTakeFirstOrThrow();
    if (lineItems.length > 0) {
      await tx
        .insertInto('billLineItem')
        .values(lineItems.map((l) => ({ id: l.id, billId: id, billVersion: row.version, sequenceNumber: l.sequenceNumber, data: JSON.stringify(l) })))
        .execute();
    }
    return { ...row, lineItems };
  });
}

/** The mirror may not write over a local bill (nor another source's copy) that holds its id. */
export class BillHeldLocallyError extends Error {
  constructor(billId: string) {
    super(`bill ${billId}: a local bill has this id; delete it (or disconnect the source) to let m3ter's copy in`);
    this.name = 'BillHeldLocallyError';
  }
}

export class BillLockedError extends Error {
  constructor(billId: string) {
    super(`Bill ${billId} is locked and cannot be recalculated`);
    this.name = 'BillLockedError';
  }
}

export async function getBill(db: Db, organizationId: string, billId: string): Promise<BillRow | undefined> {
  return db.selectFrom('bill').selectAll().where('organizationId', '=', organizationId).where('id', '=', billId).executeTakeFirst();
}

export async function getLineItems(db: Db, billId: string, version: number): Promise<LineItem[]> {
  const rows = await db.selectFrom('billLineItem').select('data').where('billId', '=', billId).where('billVersion', '=', version).orderBy('sequenceNumber').execute();
  return rows.map((r) => r.data);
}

/** Marks bills approved; returns the ids that exist in this organization. */
export async function approveBills(db: Db, organizationId: string, billIds: string[], approvedBy: string): Promise<string[]> {
  if (billIds.length === 0) return [];
  const rows = await db
    .updateTable('bill')
    .set({ status: 'APPROVED', dtApproved: new Date(), approvedBy, dtLastModified: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', 'in', billIds)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** A bill row with its account's code, as m3ter's bill responses carry it. */
export type BillWithAccountCode = BillRow & { accountCode: string | null };

export interface BillFilter {
  accountId?: string;
  billDate?: string;
  /** Inclusive. */
  billDateStart?: string;
  /** Exclusive, as m3ter's. */
  billDateEnd?: string;
  ids?: string[];
  status?: 'PENDING' | 'APPROVED';
  locked?: boolean;
  billingFrequency?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function billsWithCode(db: Db, organizationId: string) {
  return db
    .selectFrom('bill')
    .leftJoin('account', 'account.id', 'bill.accountId')
    .selectAll('bill')
    .select('account.code as accountCode')
    .where('bill.organizationId', '=', organizationId);
}

/** One page of an organization's bills, oldest first; `limit` rows from `offset`. */
export async function listBills(db: Db, organizationId: string, filter: BillFilter & { offset: number; limit: number }): Promise<BillWithAccountCode[]> {
  let query = billsWithCode(db, organizationId);
  if (filter.accountId !== undefined) {
    // An account id, or its code (as bill ingestion accepts); an unknown one matches nothing.
    const account = await findAccount(db, organizationId, filter.accountId);
    if (!account) return [];
    query = query.where('bill.accountId', '=', account.id);
  }
  if (filter.ids?.length) {
    const uuids = filter.ids.filter((id) => UUID.test(id));
    if (uuids.length === 0) return [];
    query = query.where('bill.id', 'in', uuids);
  }
  if (filter.billDate) query = query.where('bill.billDate', '=', filter.billDate);
  if (filter.billDateStart) query = query.where('bill.billDate', '>=', filter.billDateStart);
  if (filter.billDateEnd) query = query.where('bill.billDate', '<', filter.billDateEnd);
  if (filter.status) query = query.where('bill.status', '=', filter.status);
  if (filter.locked !== undefined) query = query.where('bill.locked', '=', filter.locked);
  if (filter.billingFrequency) query = query.where('bill.billingFrequency', '=', filter.billingFrequency);
  return query.orderBy('bill.dtCreated').orderBy('bill.id').offset(filter.offset).limit(filter.limit).execute();
}

/** A bill with its account's code; undefined when it is not this organization's. */
export async function getBillWithAccountCode(db: Db, organizationId: string, billId: string): Promise<BillWithAccountCode | undefined> {
  if (!UUID.test(billId)) return undefined;
  return billsWithCode(db, organizationId).where('bill.id', '=', billId).executeTakeFirst();
}

/** The account's bill with the latest bill date (the most recently created among equals). */
export async function getLatestBill(db: Db, organizationId: string, accountId: string): Promise<BillWithAccountCode | undefined> {
  if (!UUID.test(accountId)) return undefined;
  return billsWithCode(db, organizationId).where('bill.accountId', '=', accountId).orderBy('bill.billDate', 'desc').orderBy('bill.dtCreated', 'desc').orderBy('bill.id', 'desc').limit(1).executeTakeFirst();
}

/** Line items of these bills' current versions: the condition both the count and the lines use. */
function ofCurrentVersions(bills: { id: string; version: number }[]) {
  return (eb: ExpressionBuilder<Database, 'billLineItem'>) => eb.or(bills.map((b) => eb.and([eb('billId', '=', b.id), eb('billVersion', '=', b.version)])));
}

/** How many line items each bill's current version has, in one query (bills without any are left out). */
export async function countCurrentLineItems(db: Db, bills: { id: string; version: number }[]): Promise<Map<string, number>> {
  if (bills.length === 0) return new Map();
  const rows = await db
    .selectFrom('billLineItem')
    .select(['billId', (eb) => eb.fn.countAll<string>().as('lines')])
    .where(ofCurrentVersions(bills))
    .groupBy('billId')
    .execute();
  return new Map(rows.map((r) => [r.billId, Number(r.lines)]));
}

/** The line items of each bill's current version, in one query. */
export async function getCurrentLineItems(db: Db, bills: { id: string; version: number }[]): Promise<Map<string, LineItem[]>> {
  const result = new Map<string, LineItem[]>(bills.map((b) => [b.id, []]));
  if (bills.length === 0) return result;
  const rows = await db
    .selectFrom('billLineItem')
    .select(['billId', 'data'])
    .where(ofCurrentVersions(bills))
    .orderBy('billId')
    .orderBy('sequenceNumber')
    .execute();
  for (const row of rows) result.get(row.billId)?.push(row.data);
  return result;
}

/** Ids of the given bills that exist in this organization. */
export async function existingBillIds(db: Db, organizationId: string, billIds: string[]): Promise<string[]> {
  const uuids = billIds.filter((id) => UUID.test(id));
  if (uuids.length === 0) return [];
  const rows = await db.selectFrom('bill').select('id').where('organizationId', '=', organizationId).where('id', 'in', uuids).execute();
  return rows.map((r) => r.id);
}

/** A bill's state refuses the change (locking a PENDING bill, reopening a locked one, deleting a locked one). */
export class BillStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BillStateError';
  }
}

/**
 * Deletes a bill (its line items go with it) and returns it as it was, with its current line items.
 * A locked bill is final and is refused.
 */
export async function deleteBill(db: Db, organizationId: string, billId: string): Promise<(BillWithAccountCode & { lineItems: LineItem[] }) | undefined> {
  if (!UUID.test(billId)) return undefined;
  return db.transaction().execute(async (tx) => {
    const locked = await tx.selectFrom('bill').select('id').where('organizationId', '=', organizationId).where('id', '=', billId).forUpdate().executeTakeFirst();
    if (!locked) return undefined;
    const bill = await billsWithCode(tx, organizationId).where('bill.id', '=', billId).executeTakeFirstOrThrow();
    if (bill.locked) throw new BillStateError(`bill ${billId} is locked and cannot be deleted`);
    const lineItems = await getLineItems(tx, billId, bill.version);
    await tx.deleteFrom('bill').where('id', '=', billId).execute();
    return { ...bill, lineItems };
  });
}

/** Puts an approved bill back to PENDING (clearing its approval); a locked bill is refused. In the caller's transaction, if any. */
export async function reopenBill(db: Db, organizationId: string, billId: string): Promise<boolean> {
  if (!UUID.test(billId)) return false;
  return inTransaction(db, async (tx) => {
    const bill = await tx.selectFrom('bill').select(['locked']).where('organizationId', '=', organizationId).where('id', '=', billId).forUpdate().executeTakeFirst();
    if (!bill) return false;
    if (bill.locked) throw new BillStateError(`status: bill ${billId} is locked; a locked bill cannot go back to PENDING`);
    await tx.updateTable('bill').set({ status: 'PENDING', dtApproved: null, approvedBy: null, dtLastModified: new Date() }).where('id', '=', billId).where('status', '!=', 'PENDING').execute();
    return true;
  });
}

/**
 * Locks a bill, as m3ter does once it is final: only an approved bill can be locked, and a locked bill
 * can't be recalculated, reopened or deleted. Locking a locked bill is a no-op. Version is untouched:
 * it counts calculations, and the line items are stored per version.
 */
export async function lockBill(db: Db, organizationId: string, billId: string): Promise<boolean> {
  if (!UUID.test(billId)) return false;
  return inTransaction(db, async (tx) => {
    const bill = await tx.selectFrom('bill').select(['status', 'locked']).where('organizationId', '=', organizationId).where('id', '=', billId).forUpdate().executeTakeFirst();
    if (!bill) return false;
    if (bill.status === 'PENDING') throw new BillStateError(`bill ${billId} is PENDING; approve it before locking it`);
    if (!bill.locked) await tx.updateTable('bill').set({ locked: true, dtLastModified: new Date() }).where('id', '=', billId).execute();
    return true;
  });
}
