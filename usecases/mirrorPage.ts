import { sql } from 'kysely';
import { approveBills, lockBill, reopenBill, saveBill } from '../db/bills';
import type { Db } from '../db/connect';
import { billCopies, holders, markSeen, setBillMarks, upsertMirroredAccount, upsertMirroredMapping, type Holder } from '../db/mirrored';
import { accountInputSchema } from '../domain/account';
import type { BillInput } from '../domain/bill';
import { externalMappingSchema } from '../domain/externalMapping';
import { isNetSuiteMapping, noteConflict, planBill, writableBySource, type MirrorCounts, type MirroredTable, type MirrorPassSummary, type RemoteAccount, type RemoteBill, type RemoteMapping } from '../domain/mirror';
import { handOffBillEvents } from '../handoff/outbox';

/**
 * One page of m3ter's accounts, mappings or bills written into the local copy, in the caller's
 * transaction (which also commits the pass's cursor): the page and the progress past it commit
 * together or not at all. A row m3ter has not changed since the last copy is only marked seen, so a
 * page read twice (a pass resumed, a retried activity) writes nothing new and hands nothing over.
 * Each row is written in a savepoint: a row this service can't take (a value PostgreSQL can't store,
 * a link to a config deleted since, a state the bill can't be in) is a noted conflict and the rest of
 * the page goes on — one bad row never stops the mirror.
 */

export interface PageContext {
  organizationId: string;
  sourceId: string;
  pass: number;
  /** m3ter integration config id → local one, for mappings linked to an integration. */
  integrationConfigLinks: Record<string, string>;
  summary: MirrorPassSummary;
}

/** Why this source may not write the row that holds the id (domain/mirror.ts writableBySource), for the pass's conflicts. */
function takenBy(holder: Holder | undefined, context: PageContext, what: string): string | undefined {
  if (!holder || writableBySource(holder, context)) return undefined;
  if (holder.organizationId !== context.organizationId) return `${what} ${holder.id}: the id is taken in this service by another organization`;
  return `${what} ${holder.id}: a local ${what} has this id; delete it (or disconnect the source) to let m3ter's copy in`;
}

/** The copy is this source's and m3ter's version and modification time are those it was made from. */
const unchanged = (holder: Holder | undefined, context: PageContext, remote: { version: number; dtLastModified?: string }) =>
  holder?.sourceId === context.sourceId && holder.sourceVersion === remote.version && holder.sourceDtLastModified === (remote.dtLastModified ?? null);

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
    if (unchanged(holder, context, remote)) {
      seenIds.push(remote.id);
      continue;
    }
    const result = await savepoint(tx, async () => {
      const account = accountInputSchema.parse(withoutNulls({ ...remote, id: undefined, version: undefined, dtLastModified: undefined }));
      return upsertMirroredAccount(tx, context.organizationId, remote.id, account, marks(context, remote));
    });
    tally(context, counts, `account ${remote.id}`, result);
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
    if (unchanged(holder, context, remote)) {
      seenIds.push(remote.id);
      continue;
    }
    const result = await savepoint(tx, async () => {
      const mapping = externalMappingSchema.parse(withoutNulls({ ...remote, integrationConfigId: linked }));
      return upsertMirroredMapping(tx, context.organizationId, { ...mapping, id: remote.id }, marks(context, remote));
    });
    tally(context, counts, `external mapping ${remote.id}`, result, linked ? ` (is local integration config ${linked}, which integrationConfigLinks names, still there?)` : '');
  }
  await seen(tx, 'externalMapping', context, seenIds);
}

/** A bill of the page, with its line items when m3ter calculated it anew (read before the page's transaction). */
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
    if (takenBy(copy && { ...copy, id: remote.id }, context, 'bill')) continue; // a conflict, reported when applied
    if (planBill(copy, remote).calculate) ids.add(remote.id);
  }
  return ids;
}

/**
 * Writes each bill as the local API would have caused it — a calculation (new version, hand-off
 * `calculated`), then an approval (hand-off `approved`), a reopening or a lock — in the order m3ter's
 * state implies, all of one bill or none of it. The plan is made again inside the transaction, from
 * the copy as it is now.
 */
export async function applyBillPage(tx: Db, context: PageContext, bills: readonly RemoteBillWithLines[], origin: string): Promise<void> {
  const counts = context.summary.bills;
  const copies = await billCopies(tx, bills.map((b) => b.bill.id));
  const seenIds: string[] = [];
  for (const { bill: remote, lineItems } of bills) {
    const copy = copies.get(remote.id);
    const conflict = takenBy(copy && { ...copy, id: remote.id }, context, 'bill');
    if (conflict) {
      noteConflict(context.summary, counts, conflict);
      continue;
    }
    if (unchanged(copy && { ...copy, id: remote.id }, context, remote)) {
      seenIds.push(remote.id);
      continue;
    }
    const plan = planBill(copy, remote);
    if (plan.calculate && !lineItems) continue; // its line items could not be read this pass: the next one tries again
    const tally = { created: 0, updated: 0, approved: 0, reopened: 0, locked: 0 };
    const result = await savepoint(tx, async () => {
      if (plan.calculate) {
        if (copy?.locked) throw new RowRefusedError('recalculated in m3ter, but the local copy is locked');
        await saveBill(tx, context.organizationId, billInput(remote, lineItems!), { source: context.sourceId });
        tally[copy ? 'updated' : 'created'] += 1;
        await handOffBillEvents(tx, { organizationId: context.organizationId, billIds: [remote.id], trigger: 'calculated', origin });
      }
      if (plan.approve) {
        await approveBills(tx, context.organizationId, [remote.id], remote.approvedBy ?? origin);
        await handOffBillEvents(tx, { organizationId: context.organizationId, billIds: [remote.id], trigger: 'approved', origin });
        tally.approved += 1;
      }
      if (plan.reopen) {
        await reopenBill(tx, context.organizationId, remote.id);
        tally.reopened += 1;
      }
      if (plan.lock) {
        await lockBill(tx, context.organizationId, remote.id);
        tally.locked += 1;
      }
      await setBillMarks(tx, remote.id, { ...marks(context, remote), sourceLastCalculated: remote.lastCalculatedDate ?? null });
      return 'applied' as const;
    });
    if (typeof result === 'object') {
      noteConflict(context.summary, counts, `bill ${remote.id}: ${result.refused}`);
      continue;
    }
    for (const key of Object.keys(tally) as (keyof typeof tally)[]) counts[key] += tally[key];
  }
  await seen(tx, 'bill', context, seenIds);
}

function billInput(remote: RemoteBill, lineItems: readonly unknown[]): BillInput {
  return withoutNulls({
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
    lineItems,
  }) as BillInput;
}

/** Counts an account's or mapping's write, or notes why it was refused (`hint` added to a refusal). */
function tally(context: PageContext, counts: MirrorCounts, label: string, result: 'created' | 'updated' | 'taken' | { refused: string }, hint = ''): void {
  if (result === 'taken') noteConflict(context.summary, counts, `${label}: the id was taken meanwhile by a row this source does not own`);
  else if (typeof result === 'string') counts[result] += 1;
  else noteConflict(context.summary, counts, `${label}: ${result.refused}${hint}`);
}

function marks(context: PageContext, remote: { version: number; dtLastModified?: string }) {
  return { sourceId: context.sourceId, sourceVersion: remote.version, sourceDtLastModified: remote.dtLastModified ?? null, sourcePass: context.pass };
}

async function seen(tx: Db, table: MirroredTable, context: PageContext, ids: string[]) {
  await markSeen(tx, table, context.sourceId, context.pass, ids);
}

/** This service can't take the row as m3ter has it; the message says why (ids and states only). */
class RowRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowRefusedError';
  }
}

/**
 * Runs one row's writes inside a savepoint: a refusal of the row rolls back that row alone and is
 * returned as `{ refused }` for the pass's conflicts; anything else (the database away) is thrown.
 */
async function savepoint<T>(tx: Db, work: () => Promise<T>): Promise<T | { refused: string }> {
  await sql`savepoint mirror_row`.execute(tx);
  try {
    const result = await work();
    await sql`release savepoint mirror_row`.execute(tx);
    return result;
  } catch (error) {
    await sql`rollback to savepoint mirror_row`.execute(tx);
    const refused = refusal(error);
    if (refused === undefined) throw error;
    return { refused };
  }
}

/** Why a row was refused, without its values (they are a tenant's text); undefined when it is not the row's fault. */
function refusal(error: unknown): string | undefined {
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (name === 'ZodError') {
    const issue = (error as { issues: { path: PropertyKey[]; message: string }[] }).issues[0];
    return `${issue?.path.map(String).join('.') || 'item'}: ${issue?.message ?? 'invalid'}`;
  }
  if (name === 'RowRefusedError' || name === 'BillStateError' || name === 'BillLockedError' || name === 'BillIdUnavailableError' || name === 'BillHeldLocallyError') return (error as Error).message;
  if (name === 'UnknownAccountError') return 'its account is not mirrored here (see the account conflicts)';
  if (code === '23503') return 'it refers to a row that does not exist here';
  if (code === '23505') return 'another row of this organization has the same unique field (an account code?)';
  if (typeof code === 'string' && code.startsWith('22')) return 'a value PostgreSQL cannot store (a NUL character, a date or number out of range)';
  if (typeof code === 'string' && code.startsWith('23')) return 'a value this service does not accept';
  return undefined;
}

/** m3ter may send null for an absent optional field; the local schemas expect it left out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)]));
  return value;
}
