import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../db/connect';
import { backlog, type Backlog } from '../handoff/outbox';

export interface DependencyCheck {
  ok: boolean;
  /** Why not, when not. */
  error?: string;
}

export interface Readiness {
  /**
   * ready: everything answers. degraded: Temporal is away, but changes are still accepted (they wait
   * in the outbox). unavailable: this process can't do its job (no PostgreSQL; or a worker without
   * Temporal).
   */
  status: 'ready' | 'degraded' | 'unavailable';
  postgres: DependencyCheck;
  temporal: DependencyCheck;
  /** Hand-offs not yet delivered to Temporal, and how long the oldest has waited. */
  outbox?: Backlog;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * What `GET /ready` reports: whether PostgreSQL and Temporal answer now, and the outbox backlog. A
 * process that serves the API stays in service while Temporal is away — approvals are stored with
 * their hand-offs and delivered later — so only a worker needs Temporal to be ready.
 */
export function readinessCheck(deps: { db: Db; temporal: Client; needsTemporal: boolean }): () => Promise<Readiness> {
  return async () => {
    const [postgres, temporal] = await Promise.all([
      // A hung connection answers nothing: the check stops waiting (the query goes on in the pool).
      check(() => withTimeout(sql`select 1`.execute(deps.db))),
      // The client's deadline ends the call and its retries, so nothing is left running.
      check(() => deps.temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => deps.temporal.workflowService.getSystemInfo({}))),
    ]);
    const outbox = postgres.ok ? await backlog(deps.db).catch(() => undefined) : undefined;
    const status = !postgres.ok || (deps.needsTemporal && !temporal.ok) ? 'unavailable' : temporal.ok ? 'ready' : 'degraded';
    return { status, postgres, temporal, ...(outbox ? { outbox } : {}) };
  };
}

async function check(probe: () => Promise<unknown>): Promise<DependencyCheck> {
  try {
    await probe();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
