import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from './connect';

export const userInputSchema = z.object({
  email: z.string().email('email must be an email address, e.g. finance@example.com'),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
});
export type UserInput = z.input<typeof userInputSchema>;

export async function createUser(db: Db, organizationId: string, input: UserInput) {
  const user = userInputSchema.parse(input);
  return db
    .insertInto('appUser')
    .values({ id: crypto.randomUUID(), organizationId, email: user.email, firstName: user.firstName ?? null, lastName: user.lastName ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getUsers(db: Db, organizationId: string, ids: string[]) {
  if (ids.length === 0) return [];
  const uuids = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (uuids.length === 0) return [];
  return db.selectFrom('appUser').selectAll().where('organizationId', '=', organizationId).where('id', 'in', uuids).execute();
}

export async function listUsers(db: Db, organizationId: string) {
  return db.selectFrom('appUser').selectAll().where('organizationId', '=', organizationId).orderBy('dtCreated').execute();
}
