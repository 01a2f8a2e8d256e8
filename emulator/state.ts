import { AccountIds } from './accountId';
import type { FaultRates, ScriptedFault } from './faultTypes';
import type { RequestKind } from './requestKinds';
import { Rng, createRng } from './random';

export interface Certificate {
  certificateId: string;
  clientId: string;
  certificatePem: string;
}

/** A customer or an item: both are only ever referenced, by internal id or external id. */
export interface ReferenceTarget {
  id: string;
  externalId?: string;
  name: string;
}

export type Line = Record<string, unknown>;

/** The REST record types the emulator stores; each is also the path segment under `/record/v1/`. */
export const TRANSACTION_TYPES = ['invoice', 'creditMemo'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/**
 * An invoice or a credit memo. NetSuite keeps both as transactions: one internal-id sequence and one
 * external-id namespace, so they share one map and differ only by `type`.
 */
export interface StoredTransaction {
  type: TransactionType;
  id: string;
  externalId?: string;
  /** Top-level body fields other than `id`, `externalId` and `item`, with references already resolved. */
  fields: Record<string, unknown>;
  lines: Line[];
  /** How many creates and updates touched it: an idempotent client sends each bill exactly once. */
  writes: number;
  createdAt: number;
  lastModifiedAt: number;
  /** `YYYY-MM`: the month of `tranDate`, or a later open one when a create was moved out of a closed period. */
  postingPeriod: string;
  /** Payments applied to an invoice, in cents (recorded through the admin API; always 0 for credit memos). */
  paidCents: number;
}

export interface IssuedToken {
  accountId: string;
  expiresAt: number;
  revoked: boolean;
}

/** How an accounting period refuses transactions dated in it: wholly closed, or locked for A/R only. */
export const PERIOD_LOCKS = ['closed', 'arLocked'] as const;
export type PeriodLock = (typeof PERIOD_LOCKS)[number];

/** NetSuite's "Default Posting Period When Transaction Date in Closed Period", reduced to what a create does. */
export const CLOSED_PERIOD_CREATES = ['refuse', 'nextOpenPeriod'] as const;
export type ClosedPeriodCreates = (typeof CLOSED_PERIOD_CREATES)[number];

export interface AccountStats {
  inFlight: number;
  peakConcurrency: number;
  requests: Record<RequestKind, number>;
  rejectedByConcurrency: number;
  unauthorized: number;
  faultsInjected: Record<string, number>;
  tokensIssued: number;
}

export interface Account extends AccountIds {
  concurrencyLimit: number;
  latencyMs: number;
  revokeTokensEveryN: number | undefined;
  certificates: Map<string, Certificate>;
  customers: Map<string, ReferenceTarget>;
  items: Map<string, ReferenceTarget>;
  customFields: Set<string>;
  transactions: Map<string, StoredTransaction>;
  nextTransactionId: number;
  /** Locked months by `YYYY-MM`; a month not in the map is open. */
  periods: Map<string, PeriodLock>;
  closedPeriodCreates: ClosedPeriodCreates;
  nextReferenceId: number;
  faultQueue: ScriptedFault[];
  faultRates: FaultRates;
  rng: Rng;
  /** Counts authenticated-path record requests, for revokeTokensEveryN. */
  recordRequestCount: number;
  stats: AccountStats;
}

export const DEFAULT_CONCURRENCY_LIMIT = 5;

export function emptyStats(): AccountStats {
  return {
    inFlight: 0,
    peakConcurrency: 0,
    requests: { token: 0, create: 0, upsert: 0, update: 0, read: 0, delete: 0 },
    rejectedByConcurrency: 0,
    unauthorized: 0,
    faultsInjected: {},
    tokensIssued: 0,
  };
}

/** Mixes the account id into the seed so each account's chaos is reproducible regardless of the others. */
export function accountRng(seed: number, accountId: string): Rng {
  let hash = seed | 0;
  for (const ch of accountId) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193);
  return createRng(hash);
}

export function newAccount(
  ids: AccountIds,
  seed: number,
  settings: { concurrencyLimit?: number; latencyMs?: number },
): Account {
  return {
    ...ids,
    concurrencyLimit: settings.concurrencyLimit ?? DEFAULT_CONCURRENCY_LIMIT,
    latencyMs: settings.latencyMs ?? 0,
    revokeTokensEveryN: undefined,
    certificates: new Map(),
    customers: new Map(),
    items: new Map(),
    customFields: new Set(),
    transactions: new Map(),
    // Numeric like NetSuite's ids, and far enough from customer/item ids that mixing them up shows.
    nextTransactionId: 1001,
    periods: new Map(),
    closedPeriodCreates: 'refuse',
    nextReferenceId: 1,
    faultQueue: [],
    faultRates: {},
    rng: accountRng(seed, ids.id),
    recordRequestCount: 0,
    stats: emptyStats(),
  };
}

/** Everything the emulator remembers; `POST /_admin/reset` replaces it wholesale. */
export class EmulatorState {
  readonly accounts = new Map<string, Account>();
  readonly tokens = new Map<string, IssuedToken>();

  constructor(readonly seed: number) {}

  findAccount(ids: AccountIds | undefined): Account | undefined {
    return ids === undefined ? undefined : this.accounts.get(ids.id);
  }

  revokeTokens(accountId: string): number {
    let revoked = 0;
    for (const token of this.tokens.values()) {
      if (token.accountId === accountId && !token.revoked) {
        token.revoked = true;
        revoked += 1;
      }
    }
    return revoked;
  }

  reset(): void {
    this.accounts.clear();
    this.tokens.clear();
  }
}
