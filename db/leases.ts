import { sql } from 'kysely';
import { createGate, type Gate, type SlotStore } from '../netsuite/gate';
import { DEFAULT_THROTTLING, type GateSettings } from '../netsuite/throttling';
import type { Db } from './connect';
import { listen } from './listen';

/** NOTIFY channel; the payload is the account id whose slot was freed. */
const FREED = 'netsuite_slot_freed';

/**
 * NetSuite's concurrency slots in PostgreSQL (table netsuite_lease), so every worker process shares
 * them. Taking a slot is one statement: claim a random slot below the limit that is free or expired;
 * two workers racing for the same slot can't both win (the row's primary key decides). Releasing one
 * NOTIFYs every process. Given the database's URL, one extra connection LISTENs for those releases.
 */
export function postgresSlotStore(db: Db, options: { databaseUrl?: string } = {}): SlotStore {
  return {
    async limitOf(accountId) {
      // Only credentials NetSuite has issued a token for: anyone can save a credential naming any account,
      // but only who holds the account can lower what its own integrations may use.
      const row = await db
        .selectFrom('netsuiteCredential')
        .select((eb) => eb.fn.min('concurrencyLimit').as('limit'))
        .where('accountId', '=', accountId)
        .where('dtTokenObtained', 'is not', null)
        .executeTakeFirst();
      return row?.limit == null ? undefined : Number(row.limit);
    },
    async claim(accountId, limit, holder, expiresAt) {
      // A random free slot, so processes woken by the same release rarely pick the same one.
      const { rows } = await sql<{ slot: number }>`
        insert into netsuite_lease (account_id, slot, holder, expires_at)
        select ${accountId}::text, candidate, ${holder}::text, ${expiresAt}::timestamptz
        from generate_series(0, ${limit - 1}::int) as candidate
        where not exists (select 1 from netsuite_lease live where live.account_id = ${accountId}::text and live.slot = candidate and live.expires_at >= now())
        order by random() limit 1
        on conflict (account_id, slot) do update set holder = excluded.holder, expires_at = excluded.expires_at
          where netsuite_lease.expires_at < now()
        returning slot`.execute(db);
      return rows[0]?.slot;
    },
    async release(accountId, slot, holder) {
      await sql`
        with freed as (delete from netsuite_lease where account_id = ${accountId} and slot = ${slot} and holder = ${holder} returning account_id)
        select pg_notify(${FREED}, account_id) from freed`.execute(db);
    },
    ...(options.databaseUrl ? { watchFreed: (onFreed: (accountId: string) => void) => listen(options.databaseUrl!, FREED, onFreed) } : {}),
  };
}

/** The gate over PostgreSQL's slots, with the throttling defaults unless told otherwise. */
export function createPostgresGate(db: Db, options: { databaseUrl?: string; holder?: string } & Partial<GateSettings> = {}): Gate {
  const { databaseUrl, holder, ...settings } = options;
  return createGate(postgresSlotStore(db, { databaseUrl }), { ...DEFAULT_THROTTLING.gate, ...settings }, { holder });
}
