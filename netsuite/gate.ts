import crypto from 'node:crypto';
import { currentCallLimits } from './callLimits';
import type { GateSettings } from './throttling';

/**
 * Admission to NetSuite for one request on one account: resolves when a slot is held and returns its
 * release. The NetSuite client asks it before every request, so the account's concurrency limit holds
 * across every worker, not just within one process.
 */
export type ConcurrencyGate = (accountId: string) => Promise<() => Promise<void>>;

export class ConcurrencySlotTimeoutError extends Error {
  constructor(accountId: string, waitedMs: number) {
    super(`no free NetSuite request slot for account ${accountId} after ${waitedMs} ms: every slot of its concurrency limit is busy`);
    this.name = 'ConcurrencySlotTimeoutError';
  }
}

/**
 * Where the slots live, shared by every process (db/leases.ts keeps them in PostgreSQL). A slot is a
 * number below the account's limit, held by one acquisition until released or until its lease expires.
 */
export interface SlotStore {
  /** The account's limit as its credentials set it; undefined when none says. */
  limitOf(accountId: string): Promise<number | undefined>;
  /** Takes a free (or expired) slot below `limit`, in one atomic step; undefined when all are held. */
  claim(accountId: string, limit: number, holder: string, expiresAt: Date): Promise<number | undefined>;
  /** Frees the slot if `holder` still holds it, and tells every watching process. */
  release(accountId: string, slot: number, holder: string): Promise<void>;
  /**
   * Calls `onFreed` whenever any process frees a slot of an account. Absent, the gate hears only of
   * its own releases, and polls for the rest.
   */
  watchFreed?(onFreed: (accountId: string) => void): { close(): Promise<void> };
}

export type Gate = ConcurrencyGate & {
  /** Reads the account's limit again at its next request, e.g. once a credential of it has proved itself. */
  forgetLimit(accountId: string): void;
  close(): Promise<void>;
};

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
 * A counting semaphore per NetSuite account over a shared slot store. Within a process the waiters
 * queue and only the first one asks the store; a slot its request is done with passes to the next
 * waiter here for a while, then goes back to the store; a freed slot wakes the first waiter of every
 * process at once (through the store's watch), and polling with a growing pause remains for expired
 * leases and a lost watch. No one holds a database connection while waiting.
 */
export function createGate(store: SlotStore, settings: GateSettings, options: { holder?: string } = {}): Gate {
  const processHolder = options.holder ?? `${process.pid}-${crypto.randomUUID()}`;
  const maxPollMs = settings.maxPollMs;
  const firstPollMs = Math.min(settings.firstPollMs, maxPollMs);
  const limits = new Map<string, { limit: number; until: number }>();
  const queues = new Map<string, AccountQueue>();
  const wake = (accountId: string) => {
    const queue = queues.get(accountId);
    if (!queue) return;
    queue.freed = true;
    queue.wake?.();
  };
  const watch = store.watchFreed?.((accountId) => accountId && wake(accountId));

  async function limitOf(accountId: string): Promise<number> {
    const cached = limits.get(accountId);
    if (cached && cached.until > Date.now()) return cached.limit;
    const stated = await store.limitOf(accountId);
    // Until a credential of the account proves itself, its limit is read again at every request: the
    // first token, in whichever process, sets it, and a default remembered here for 10 s would let this
    // process admit requests above it meanwhile (seen: 4 in flight under a limit of 3, two workers).
    if (!stated) return settings.defaultLimit;
    limits.set(accountId, { limit: stated, until: Date.now() + settings.limitCacheMs });
    return stated;
  }

  let acquisitions = 0;
  /** One round trip: a slot when one was free (or expired) and is now ours. */
  async function claim(accountId: string): Promise<{ slot: number; holder: string } | undefined> {
    const limit = await limitOf(accountId);
    // Each acquisition is its own holder, so releasing a slot never frees one taken over since.
    const holder = `${processHolder}:${++acquisitions}`;
    const slot = await store.claim(accountId, limit, holder, new Date(Date.now() + settings.leaseMs));
    return slot === undefined ? undefined : { slot, holder };
  }

  /** Whether a slot claimed at `claimedAt` may go straight to this process's next waiter. */
  function passable(accountId: string, slot: number, claimedAt: number): boolean {
    // Only below a limit a credential has stated: a default could be above what another process knows.
    const proven = limits.get(accountId);
    return Date.now() - claimedAt < settings.passWithinMs && proven !== undefined && proven.until > Date.now() && slot < proven.limit;
  }

  function releaser(accountId: string, slot: number, holder: string, claimedAt: number): () => Promise<void> {
    let released = false;
    return async () => {
      // Once: a second call would hand the slot to a second waiter while the first holds it.
      if (released) return;
      released = true;
      // A waiter here takes the slot over at once, under the same lease: no release, NOTIFY and claim
      // between NetSuite's answer and the next request (under load they cost the account a few percent
      // of its time, and PostgreSQL 3.6 claims a request). Only for passWithinMs after the claim, so
      // the slot goes back to the store, where every process competes for it, at least that often.
      const queue = queues.get(accountId);
      if (queue && queue.waiters.length > 0 && passable(accountId, slot, claimedAt)) {
        queue.waiters.shift()!.resolve(releaser(accountId, slot, holder, claimedAt));
        return;
      }
      await store.release(accountId, slot, holder);
      // With a watch every process hears of the release at about the same time, this one included,
      // so no worker gets first pick of the slots it frees. Without one, wake our own waiters here.
      if (!watch) wake(accountId);
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
        const release = releaser(accountId, taken.slot, taken.holder, Date.now());
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
      }, Math.min(settings.maxWaitMs, currentCallLimits().slotWaitMs ?? Infinity));
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
      await watch?.close();
    },
  });
}
