import crypto from 'node:crypto';
import { sql } from 'kysely';
import { ConcurrencySlotTimeoutError, type ConcurrencyGate } from '../netsuite/gate';
import type { Db } from './connect';
import { listen } from './listen';

export interface PostgresGateOptions {
  /** Who holds a slot, for the lease table and logs; unique per process. */
  holder?: string;
  /** A dead worker's slot frees itself after this long; longer than any NetSuite request we make. */
  leaseMs?: number;
  /** How long a request waits for a slot before it gives up and is retried later. */
  maxWaitMs?: number;
  /** When no credential says otherwise. */
  defaultLimit?: number;
  /**
   * The database's URL, for one extra connection that LISTENs for freed slots: a waiter then tries the
   * moment any process frees one, instead of at its next poll. Without it the gate only polls.
   */
  databaseUrl?: string;
  /** The first pause between two tries while waiting; it doubles up to maxPollMs. */
  firstPollMs?: number;
  /** The longest pause between two tries while waiting; with LISTEN only a safety net (expired leases, a lost connection). */
  maxPollMs?: number;
}

export type PostgresGate = ConcurrencyGate & {
  /** Reads the account's limit again at its next request, e.g. once a credential of it has proved itself. */
  forgetLimit(accountId: string): void;
  close(): Promise<void>;
};

/** NOTIFY channel; the payload is the account id whose slot was freed. */
const FREED = 'netsuite_slot_freed';

interface Waiter {
  resolve(release: () => Promise<void>): void;
  reject(error: unknown): void;
}

/** This process's requests waiting for one account, first come first served. */
interface AccountQueue {
  waiters: Waiter[];
  pumping: boolean;
  /** A slot was freed since the pump's last try: try again before pausing. */
  freed: boolean;
  /** Ends the pump's current pause early. */
  wake?: () => void;
}

/**
 * A counting semaphore per NetSuite account, in PostgreSQL, so every worker process shares it.
 * Taking a slot is one statement: claim a random slot below the limit that is free or expired; two
 * workers racing for the same slot can't both win (the row's primary key decides). Within a process
 * the waiters queue and only the first one asks PostgreSQL; releasing a slot NOTIFYs every process,
 * whose first waiter tries at once. Polling with a growing pause remains, for expired leases and a
 * lost LISTEN connection. No worker keeps a pooled connection while it waits.
 */
export function createPostgresGate(db: Db, options: PostgresGateOptions = {}): PostgresGate {
  const processHolder = options.holder ?? `${process.pid}-${crypto.randomUUID()}`;
  const leaseMs = options.leaseMs ?? 180_000;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const maxPollMs = options.maxPollMs ?? 500;
  const firstPollMs = Math.min(options.firstPollMs ?? 20, maxPollMs);
  const limits = new Map<string, { limit: number; until: number }>();
  const queues = new Map<string, AccountQueue>();
  const wake = (accountId: string) => {
    const queue = queues.get(accountId);
    if (!queue) return;
    queue.freed = true;
    queue.wake?.();
  };
  const listener = options.databaseUrl ? listen(options.databaseUrl, FREED, (accountId) => accountId && wake(accountId)) : undefined;

  async function limitOf(accountId: string): Promise<number> {
    const cached = limits.get(accountId);
    if (cached && cached.until > Date.now()) return cached.limit;
    // Only credentials NetSuite has issued a token for: anyone can save a credential naming any account,
    // but only who holds the account can lower what its own integrations may use.
    const row = await db
      .selectFrom('netsuiteCredential')
      .select((eb) => eb.fn.min('concurrencyLimit').as('limit'))
      .where('accountId', '=', accountId)
      .where('dtTokenObtained', 'is not', null)
      .executeTakeFirst();
    const limit = Number(row?.limit ?? options.defaultLimit ?? 5) || (options.defaultLimit ?? 5);
    limits.set(accountId, { limit, until: Date.now() + 10_000 });
    return limit;
  }

  let acquisitions = 0;
  /** One round trip: a slot number when one was free (or expired) and is now ours. */
  async function claim(accountId: string): Promise<{ slot: number; holder: string } | undefined> {
    const limit = await limitOf(accountId);
    // Each acquisition is its own holder, so releasing a slot never frees one taken over since.
    const holder = `${processHolder}:${++acquisitions}`;
    const expiresAt = new Date(Date.now() + leaseMs);
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
    return rows[0] ? { slot: rows[0].slot, holder } : undefined;
  }

  function releaser(accountId: string, slot: number, holder: string): () => Promise<void> {
    return async () => {
      await sql`
        with freed as (delete from netsuite_lease where account_id = ${accountId} and slot = ${slot} and holder = ${holder} returning account_id)
        select pg_notify(${FREED}, account_id) from freed`.execute(db);
      // Listening processes all hear the NOTIFY at about the same time, this one included, so no
      // worker gets first pick of the slots it frees. Without LISTEN, wake our own waiters here.
      if (!listener) wake(accountId);
    };
  }

  /** Serves one account's queue until it is empty: the first waiter's tries, one at a time. */
  async function pump(accountId: string, queue: AccountQueue): Promise<void> {
    queue.pumping = true;
    let pauseMs = firstPollMs;
    while (queue.waiters.length > 0) {
      let taken: { slot: number; holder: string } | undefined;
      queue.freed = false;
      try {
        taken = await claim(accountId);
      } catch (error) {
        queue.waiters.shift()?.reject(error);
        continue;
      }
      if (taken) {
        const release = releaser(accountId, taken.slot, taken.holder);
        const waiter = queue.waiters.shift();
        // Its waiter gave up meanwhile: hand the slot straight back.
        if (waiter) waiter.resolve(release);
        else await release().catch(() => undefined);
        pauseMs = firstPollMs;
        continue;
      }
      // Freed while we were asking (our try may have seen it still taken).
      if (queue.freed) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pauseMs * (0.5 + Math.random()));
        queue.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      queue.wake = undefined;
      pauseMs = Math.min(pauseMs * 2, maxPollMs);
    }
    queue.pumping = false;
  }

  const gate: ConcurrencyGate = (accountId) =>
    new Promise((resolve, reject) => {
      let queue = queues.get(accountId);
      if (!queue) queues.set(accountId, (queue = { waiters: [], pumping: false, freed: false }));
      const started = Date.now();
      const timeout = setTimeout(() => {
        const index = queue.waiters.indexOf(waiter);
        if (index >= 0) queue.waiters.splice(index, 1);
        reject(new ConcurrencySlotTimeoutError(accountId, Date.now() - started));
      }, maxWaitMs);
      const waiter: Waiter = {
        resolve: (release) => {
          clearTimeout(timeout);
          resolve(release);
        },
        reject: (error) => {
          clearTimeout(timeout);
          reject(error);
        },
      };
      queue.waiters.push(waiter);
      if (!queue.pumping) void pump(accountId, queue);
    });

  return Object.assign(gate, {
    forgetLimit(accountId: string) {
      limits.delete(accountId);
    },
    async close() {
      await listener?.close();
    },
  });
}
