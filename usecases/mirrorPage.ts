import { sql } from 'kysely';
import { approveBills, lockBill, reopenBill, saveBill } from '../db/bills';
import type { Db } from '../db/connect';
import { billCopies, holders, markSeen, setBillMarks, upsertMirroredAccount, upsertMirroredMapping, type Holder, type MirroredTable } from '../db/mirrored';
import { accountInputSchema } from '../domain/account';
import type { LineItemInput } from '../domain/bill';
import { externalMappingSchema } from '../domain/externalMapping';
import { isNetSuiteMapping, noteConflict, planBill, type MirrorCounts, type MirrorPassSummary, type RemoteAccount, type RemoteBill, type RemoteMapping } from '../domain/mirror';
import { handOffBillEvents } from '../handoff/outbox';

/**
 * One page of m3ter's accounts, mappings or bills written into the local copy, in the caller's
 * transaction (which also commits the pass's cursor): the page and the progress past it commit
 * together or not at all. A row m3ter has not changed since the last copy is only marked seen, so a
 * page read twice (a pass resumed, a retried activity) writes nothing new and hands nothing over.
 */

export interface PageContext {
  organizationId: string;
  sourceId: string;
  pass: number;
  /** m3ter integration config id → local one, for mappings linked to an integration. */
  integrationConfigLinks: Record<string, string>;
  summary: MirrorPassSummary;
}

/** Why an id can't be mirrored: someone else holds it. Undefined when it is free or already this source's copy. */
function takenBy(holder: Holder | undefined, context: PageContext, what: string): string | undefined {
  if (!holder || holder.sourceId === context.sourceId) return undefined;
  if (holder.organizationId !== context.organizationId) return `${what} ${holder.id}: the id is taken in this service by another organization`;
  return `${what} ${holder.id}: a local ${what} has this id; delete it (or disconnect the source) to let m3ter's copy in`;
}

const unchanged = (holder: Holder | undefined, remote: { version: number; dtLastModified?: string }) =>
  holder?.sourceVersion === remote.version && holder.sourceDtLastModified === (remote.dtLastModified ?? null);

function issueOf(error: { issues: readonly { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return `${issue?.path.map(String).join('.') || 'body'}: ${issue?.message ?? 'invalid'}`;
}

async function seen(tx: Db, table: MirroredTable, context: PageContext, ids: string[]) {
  await markSeen(tx, table, context.sourceId, context.pass, ids);
}

export async function applyAccountPage(tx: Db, context: PageContext, accounts: readonly RemoteAccount[]): Promise<void> {
  const counts = context.summary.accounts;
  const held = await holders(tx, 'account', accounts.map((a) => a.id));
  const seenIds: string[] = [];
  for (const remote of accounts) {
    const holder = held.get(remote.id);
    const conflict = takenBy(holder, context, 'account');
    if (conflict) {
      noteConflict(context.summary, counts, conflict);
      continue;
    }
    seenIds.push(remote.id);
    if (unchanged(holder, remote)) continue;
    const parsed = accountInputSchema.safeParse(withoutNulls({ ...remote, id: undefined, version: undefined, dtLastModified: undefined }));
    if (!parsed.success) {
      noteConflict(context.summary, counts, `account ${remote.id}: ${issueOf(parsed.error)}`);
      continue;
    }
    const result = await savepoint(tx, () => upsertMirroredAccount(tx, context.organizationId, remote.id, parsed.data, marks(context, remote)));
    if (result === 'failed') noteConflict(context.summary, counts, `account ${remote.id}: another account of this organization has its code`);
    else counts[result] += 1;
  }
  await seen(tx, 'account', context, seenIds);
}

export async function applyMappingPage(tx: Db, context: PageContext, mappings: readonly RemoteMapping[]): Promise<void> {
  const counts = context.summary.mappings;
  const netsuite = mappings.filter(isNetSuiteMapping);
  const held = await holders(tx, 'externalMapping', netsuite.map((m) => m.id));
  const seenIds: string[] = [];
  for (const remote of netsuite) {
    const holder = held.get(remote.id);
    const conflict = takenBy(holder, context, 'external mapping');
    if (conflict) {
      noteConflict(context.summary, counts, conflict);
      continue;
    }
    // Linked to an m3ter integration: only if that integration is one of ours, never widened to all.
    const linked = remote.integrationConfigId ? context.integrationConfigLinks[remote.integrationConfigId] : undefined;
    if (remote.integrationConfigId && !linked) {
      noteConflict(context.summary, counts, `external mapping ${remote.id}: linked to m3ter integration ${remote.integrationConfigId}, which integrationConfigLinks does not name`);
      continue;
    }
    seenIds.push(remote.id);
    if (unchanged(holder, remote)) continue;
    const parsed = externalMappingSchema.safeParse(withoutNulls({ ...remote, integrationConfigId: linked }));
    if (!parsed.success) {
      noteConflict(context.summary, counts, `external mapping ${remote.id}: ${issueOf(parsed.error)}`);
      continue;
    }
    const result = await upsertMirroredMapping(tx, context.organizationId, { ...parsed.data, id: remote.id }, marks(context, remote));
    counts[result] += 1;
  }
  await seen(tx, 'externalMapping', context, seenIds);
}

/** A bill of the page with its line items, read from m3ter when the plan needs a calculation. */
export interface RemoteBillWithLines {
  bill: RemoteBill;
  lineItems?: readonly unknown[];
}

/**
 * The bills that need their line items read: those new or recalculated in m3ter. Read before the
 * page's transaction, so no HTTP call is made while it holds locks.
 */
export async function billsToCalculate(db: Db, context: PageContext, bills: readonly RemoteBill[]): Promise<Set<string>> {
  const copies = await billCopies(db, bills.map((b) => b.id));
  const ids = new Set<string>();
  for (const remote of bills) {
    const copy = copies.get(remote.id);
    if (copy && copy.sourceId !== context.sourceId) continue; // a conflict, reported when applied
    if (planBill(copy, remote).calculate) ids.add(remote.id);
  }
  return ids;
}

/**
 * Writes each bill as the local API would have caused it — a calculation (new version, hand-off
 * `calculated`), then an approval (hand-off `approved`), a reopening or a lock — in the order m3ter's
 * state implies. The plan is made again inside the transaction, from the copy as it is now.
 */
export async function applyBillPage(tx: Db, context: PageContext, bills: readonly RemoteBillWithLines[], origin: string): Promise<void> {
  const counts = context.summary.bills;
  const copies = await billCopies(tx, bills.map((b) => b.bill.id));
  const seenIds: string[] = [];
  for (const { bill: remote, lineItems } of bills) {
    const copy = copies.get(remote.id);
    const conflict = copy && copy.sourceId !== context.sourceId ? takenBy({ ...copy, id: remote.id }, context, 'bill') : undefined;
    if (conflict) {
      noteConflict(context.summary, counts, conflict);
      continue;
    }
    seenIds.push(remote.id);
    const plan = planBill(copy, remote);
    if (plan.calculate) {
      if (copy?.locked) {
        noteConflict(context.summary, counts, `bill ${remote.id}: recalculated in m3ter, but the local copy is locked`);
        continue;
      }
      if (!lineItems) throw new Error(`bill ${remote.id} needs its line items read before its page is applied`);
      const saved = await calculate(tx, context, remote, lineItems, counts);
      if (!saved) continue;
      counts[copy ? 'updated' : 'created'] += 1;
      await handOffBillEvents(tx, { organizationId: context.organizationId, billIds: [remote.id], trigger: 'calculated', origin });
    }
    if (plan.approve) {
      await approveBills(tx, context.organizationId, [remote.id], remote.approvedBy ?? origin);
      await handOffBillEvents(tx, { organizationId: context.organizationId, billIds: [remote.id], trigger: 'approved', origin });
      counts.approved += 1;
    }
    if (plan.reopen) {
      await reopenBill(tx, context.organizationId, remote.id);
      counts.reopened += 1;
    }
    if (plan.lock) {
      await lockBill(tx, context.organizationId, remote.id);
      counts.locked += 1;
    }
    if (plan.calculate || plan.approve || plan.reopen || plan.lock || !copy || copy.sourceVersion !== remote.version || copy.sourceDtLastModified !== (remote.dtLastModified ?? null)) {
      await setBillMarks(tx, remote.id, { ...marks(context, remote), sourceLastCalculated: remote.lastCalculatedDate ?? null });
    }
  }
  await seen(tx, 'bill', context, seenIds);
}

/** Stores m3ter's bill as a new local version; false (a conflict noted) when it can't be stored. */
async function calculate(tx: Db, context: PageContext, remote: RemoteBill, lineItems: readonly unknown[], counts: MirrorCounts): Promise<boolean> {
  const input = withoutNulls({
    id: remote.id,
    accountId: remote.accountId,
    billDate: remote.billDate,
    dueDate: remote.dueDate,
    startDate: remote.startDate,
    endDate: remote.endDate,
    billingFrequency: remote.billingFrequency,
    billTotal: remote.billTotal,
    currency: remote.currency,
    externalInvoiceDate: remote.externalInvoiceDate,
    externalInvoiceReference: remote.externalInvoiceReference,
    sequentialInvoiceNumber: remote.sequentialInvoiceNumber,
    purchaseOrderNumber: remote.purchaseOrderNumber,
    timezone: remote.timezone,
    lineItems: lineItems.map((l) => withoutNulls(l) as LineItemInput),
  });
  const result = await savepoint(tx, () => saveBill(tx, context.organizationId, input as Parameters<typeof saveBill>[2]));
  if (result === 'failed') {
    noteConflict(context.summary, counts, `bill ${remote.id}: its account ${remote.accountId} is not mirrored here, or a field is not one NetSuite can take`);
    return false;
  }
  await tx.updateTable('bill').set({ sourceId: context.sourceId }).where('id', '=', remote.id).execute();
  return true;
}

function marks(context: PageContext, remote: { version: number; dtLastModified?: string }) {
  return { sourceId: context.sourceId, sourceVersion: remote.version, sourceDtLastModified: remote.dtLastModified ?? null, sourcePass: context.pass };
}

/**
 * Runs a write that may be refused (a unique code, an unknown account, a field out of range) inside a
 * savepoint, so a refusal is a noted conflict and the rest of the page still commits.
 */
async function savepoint<T>(tx: Db, work: () => Promise<T>): Promise<T | 'failed'> {
  await sql`savepoint mirror_row`.execute(tx);
  try {
    const result = await work();
    await sql`release savepoint mirror_row`.execute(tx);
    return result;
  } catch (error) {
    await sql`rollback to savepoint mirror_row`.execute(tx);
    if (isRefusal(error)) return 'failed';
    throw error;
  }
}

/** A refusal of the row itself (a zod error, a known domain error, a constraint), not of the database. */
function isRefusal(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  const code = (error as { code?: unknown })?.code;
  return name === 'ZodError' || name === 'UnknownAccountError' || name === 'BillLockedError' || name === 'BillIdUnavailableError' || (typeof code === 'string' && /^(23|22)/.test(code));
}

/** m3ter may send null for an absent optional field; the local schemas expect it left out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)]));
  return value;
}
