import crypto from 'node:crypto';
import type { z } from 'zod';
import { accountInputSchema, type AccountInput, type AccountView } from '../domain/account';
import type { Db } from './connect';
import type { AccountRow } from './schema';

export async function createAccount(db: Db, organizationId: string, input: AccountInput): Promise<AccountRow> {
  const account = accountInputSchema.parse(input);
  return db
    .insertInto('account')
    .values({
      id: crypto.randomUUID(),
      organizationId,
      ...accountColumns(account),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Finds an account by id or code, within one organization. */
export async function findAccount(db: Db, organizationId: string, idOrCode: string): Promise<AccountRow | undefined> {
  const byCode = db.selectFrom('account').selectAll().where('organizationId', '=', organizationId).where('code', '=', idOrCode);
  if (!isUuid(idOrCode)) return byCode.executeTakeFirst();
  return (await db.selectFrom('account').selectAll().where('organizationId', '=', organizationId).where('id', '=', idOrCode).executeTakeFirst()) ?? byCode.executeTakeFirst();
}

export function toAccountView(row: AccountRow): AccountView {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    emailAddress: row.emailAddress,
    currency: row.currency,
    parentAccountId: row.parentAccountId,
    customFields: row.customFields,
    address: row.address,
  };
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** An account by id only (m3ter's `/accounts/{id}`), within one organization. */
export async function getAccount(db: Db, organizationId: string, id: string): Promise<AccountRow | undefined> {
  if (!isUuid(id)) return undefined;
  return db.selectFrom('account').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** One page of an organization's accounts, oldest first; `limit` rows from `offset`. */
export async function listAccounts(db: Db, organizationId: string, filter: { ids?: string[]; codes?: string[]; offset: number; limit: number }): Promise<AccountRow[]> {
  let query = db.selectFrom('account').selectAll().where('organizationId', '=', organizationId);
  if (filter.ids?.length) {
    const uuids = filter.ids.filter(isUuid);
    if (uuids.length === 0) return [];
    query = query.where('id', 'in', uuids);
  }
  if (filter.codes?.length) {
    // PostgreSQL text can't hold U+0000, so such a code matches nothing (and must not reach the query).
    const codes = filter.codes.filter((c) => !c.includes('\u0000'));
    if (codes.length === 0) return [];
    query = query.where('code', 'in', codes);
  }
  return query.orderBy('dtCreated').orderBy('id').offset(filter.offset).limit(filter.limit).execute();
}

export class DuplicateAccountCodeError extends Error {
  constructor(code: string) {
    super(`code: an account with code "${code}" already exists in this organization; codes are unique per organization`);
    this.name = 'DuplicateAccountCodeError';
  }
}

export class AccountHasBillsError extends Error {
  constructor(
    accountId: string,
    readonly bills: number,
  ) {
    super(`account ${accountId} has ${bills} bill(s) and cannot be deleted; delete its bills first`);
    this.name = 'AccountHasBillsError';
  }
}

/** The stored version differs from the one the caller read. */
export class AccountVersionConflictError extends Error {
  constructor(
    readonly expected: number | undefined,
    readonly actual: number,
  ) {
    super(`account version conflict: stored ${actual}, given ${expected ?? 'none'}`);
    this.name = 'AccountVersionConflictError';
  }
}

const isUniqueCodeViolation = (error: unknown) => (error as { code?: string; constraint?: string }).code === '23505' && (error as { constraint?: string }).constraint === 'account_org_code';

/** createAccount, with a duplicate code reported as DuplicateAccountCodeError. */
export async function insertAccount(db: Db, organizationId: string, input: AccountInput): Promise<AccountRow> {
  try {
    return await createAccount(db, organizationId, input);
  } catch (error) {
    if (isUniqueCodeViolation(error)) throw new DuplicateAccountCodeError(input.code);
    throw error;
  }
}

/**
 * A full update with optimistic locking: applies only if `expectedVersion` is the stored version, and
 * increments it. Undefined when the account does not exist in the organization.
 */
export async function updateAccount(db: Db, organizationId: string, id: string, input: AccountInput, expectedVersion: number | undefined): Promise<AccountRow | undefined> {
  const account = accountInputSchema.parse(input);
  const current = await getAccount(db, organizationId, id);
  if (!current) return undefined;
  if (expectedVersion !== current.version) throw new AccountVersionConflictError(expectedVersion, current.version);
  try {
    const row = await db
      .updateTable('account')
      .set((eb) => ({
        ...accountColumns(account),
        version: eb('version', '+', 1),
        dtLastModified: new Date(),
      }))
      .where('organizationId', '=', organizationId)
      .where('id', '=', id)
      .where('version', '=', current.version)
      .returningAll()
      .executeTakeFirst();
    if (row) return row;
  } catch (error) {
    if (isUniqueCodeViolation(error)) throw new DuplicateAccountCodeError(account.code);
    throw error;
  }
  // Someone else updated (or deleted) it between our read and our write.
  const now = await getAccount(db, organizationId, id);
  if (!now) return undefined;
  throw new AccountVersionConflictError(expectedVersion, now.version);
}

/**
 * Deletes an account that has no bills and returns it. The row lock makes the check race-free: a bill
 * being inserted for the account holds a key-share lock on it until it commits.
 */
export async function deleteAccount(db: Db, organizationId: string, id: string): Promise<AccountRow | undefined> {
  if (!isUuid(id)) return undefined;
  return db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('account').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) return undefined;
    const { bills } = await tx.selectFrom('bill').select((eb) => eb.fn.countAll<string>().as('bills')).where('accountId', '=', id).executeTakeFirstOrThrow();
    if (Number(bills) > 0) throw new AccountHasBillsError(id, Number(bills));
    await tx.deleteFrom('account').where('id', '=', id).execute();
    return row;
  });
}

/** The stored columns of a validated account, shared by create and update. */
export function accountColumns(account: z.infer<typeof accountInputSchema>) {
  return {
    code: account.code,
    name: account.name,
    emailAddress: account.emailAddress,
    currency: account.currency ?? null,
    customFields: JSON.stringify(account.customFields),
    address: account.address ? JSON.stringify(account.address) : null,
    parentAccountId: account.parentAccountId ?? null,
    purchaseOrderNumber: account.purchaseOrderNumber ?? null,
    daysBeforeBillDue: account.daysBeforeBillDue ?? null,
  };
}
