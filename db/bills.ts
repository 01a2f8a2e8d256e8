import crypto from 'node:crypto';
import { billInputSchema, type BillInput, type LineItem } from '../domain/bill';
import { signedAmount } from '../domain/lineItemType';
import { fromCents, sumToCents } from '../domain/money';
import { findAccount } from './accounts';
import type { Db } from './connect';
import type { BillRow } from './schema';

export class UnknownAccountError extends Error {
  constructor(accountId: string) {
    super(`accountId: no account "${accountId}" in this organization; create the account first or use its id or code`);
    this.name = 'UnknownAccountError';
  }
}

export class BillNotFoundError extends Error {
  constructor(billId: string) {
    super(`No bill ${billId} in this organization`);
    this.name = 'BillNotFoundError';
  }
}

/**
 * Creates a bill, or recalculates an existing one: a recalculation is a new version with its own line
 * items, and puts an approved bill back to PENDING, as m3ter does.
 */
export async function saveBill(db: Db, organizationId: string, input: BillInput): Promise<BillRow & { lineItems: LineItem[] }> {
  const bill = billInputSchema.parse(input);
  const account = await findAccount(db, organizationId, bill.accountId);
  if (!account) throw new UnknownAccountError(bill.accountId);
  const lineItems: LineItem[] = bill.lineItems.map((line, index) => ({ ...line, id: line.id ?? crypto.randomUUID(), sequenceNumber: line.sequenceNumber ?? index }));
  // Rounded once from the exact sum, as the invoice builder does, so the two totals always agree.
  const computedTotal = fromCents(sumToCents(lineItems.map((l) => signedAmount(l.lineItemType, l.subtotal))));
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
  return db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('bill').select(['version', 'organizationId', 'locked']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (existing && existing.organizationId !== organizationId) throw new BillNotFoundError(id);
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
