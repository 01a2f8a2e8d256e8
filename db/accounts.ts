import crypto from 'node:crypto';
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
      code: account.code,
      name: account.name,
      emailAddress: account.emailAddress,
      currency: account.currency ?? null,
      customFields: JSON.stringify(account.customFields),
      address: account.address ? JSON.stringify(account.address) : null,
      parentAccountId: account.parentAccountId ?? null,
      purchaseOrderNumber: account.purchaseOrderNumber ?? null,
      daysBeforeBillDue: account.daysBeforeBillDue ?? null,
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
