import crypto from 'node:crypto';
import { sql } from 'kysely';
import { ConcurrencySlotTimeoutError, type ConcurrencyGate } from '../netsuite/gate';
import type { Db } from './connect';

export interface PostgresGateOptions {
  /** Who holds a slot, for the lease table and logs; unique per process. */
  holder?: string;
  /** A dead worker's slot frees itself after this long; longer than any NetSuite request we make. */
  leaseMs?: number;
  /** How long a request waits for a slot before it gives up and is retried later. */
  maxWaitMs?: number;
  /** When no credential says otherwise. */
  defaultLimit?: number;
}

/**
 * A counting semaphore per NetSuite account, in PostgreSQL, so every worker process shares it.
 * Taking a slot is one statement: claim the lowest slot below the limit that is free or expired;
 * two workers racing for the same slot can't both win (the row's primary key decides). Waiting is
 * a short jittered poll, so no worker keeps a database connection while it waits.
 */
export function createPostgresGate(db: Db, options: PostgresGateOptions = {}): ConcurrencyGate {
  const processHolder = options.holder ?? `${process.pid}-${crypto.randomUUID()}`;
  const leaseMs = options.leaseMs ?? 180_000;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const limits = new Map<string, { limit: number; until: number }>();

  async function limitOf(accountId: string): Promise<number> {
    const cached = limits.get(accountId);
    if (cached && cached.until > Date.now()) return cached.limit;
    const row = await db.selectFrom('netsuiteCredential').select((eb) => eb.fn.min('concurrencyLimit').as('limit')).where('accountId', '=', accountId).executeTakeFirst();
    const limit = Number(row?.limit ?? options.defaultLimit ?? 5) || (options.defaultLimit ?? 5);
    limits.set(accountId, { limit, until: Date.now() + 10_000 });
    return limit;
  }

  let acquisitions = 0;
  async function tryTake(accountId: string, limit: number, holder: string): Promise<number | undefined> {
    const expiresAt = new Date(Date.now() + leaseMs);
    for (let slot = 0; slot < limit; slot++) {
      const taken = await db
        .insertInto('netsuiteLease')
        .values({ accountId, slot, holder, expiresAt })
        .onConflict((oc) => oc.columns(['accountId', 'slot']).doUpdateSet({ holder, expiresAt }).where('netsuiteLease.expiresAt', '<', sql<Date>`now()`))
        .returning('slot')
        .executeTakeFirst();
      if (taken) return slot;
    }
    return undefined;
  }

  return async (accountId) => {
    const started = Date.now();
    let delay = 20;
    for (;;) {
      const limit = await limitOf(accountId);
      // Each acquisition is its own holder, so releasing a slot never frees one taken over since.
      const holder = `${processHolder}:${++acquisitions}`;
      const slot = await tryTake(accountId, limit, holder);
      if (slot !== undefined) {
        return async () => {
          await db.deleteFrom('netsuiteLease').where('accountId', '=', accountId).where('slot', '=', slot).where('holder', '=', holder).execute();
        };
      }
      if (Date.now() - started > maxWaitMs) throw new ConcurrencySlotTimeoutError(accountId, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 2, 500);
    }
  };
}
