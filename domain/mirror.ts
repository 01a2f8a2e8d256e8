import { z } from 'zod';

/**
 * What the m3ter mirror reads and decides, with no I/O: the shapes of m3ter's accounts, external
 * mappings and bills as its API returns them (read leniently: unknown fields ignored, absent optional
 * ones null), and what a bill's new copy means locally — a calculation, an approval, a reopening, a
 * lock — so the mirror causes exactly what the same change made through the local API would.
 */

const nullish = <T extends z.ZodTypeAny>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

/** Every entity m3ter lists carries these; `version` and `dtLastModified` are what the mirror compares. */
const common = {
  id: z.string().uuid(),
  version: z.number().int(),
  dtLastModified: nullish(z.string()),
};

export const remoteAccountSchema = z.object({
  ...common,
  code: z.string().min(1),
  name: z.string().min(1),
  emailAddress: z.string().min(1),
  currency: nullish(z.string()),
  customFields: nullish(z.record(z.string(), z.union([z.string(), z.number()]))),
  parentAccountId: nullish(z.string()),
  purchaseOrderNumber: nullish(z.string()),
  daysBeforeBillDue: nullish(z.number().int()),
  address: nullish(
    z.object({
      addressLine1: nullish(z.string()),
      addressLine2: nullish(z.string()),
      addressLine3: nullish(z.string()),
      addressLine4: nullish(z.string()),
      locality: nullish(z.string()),
      region: nullish(z.string()),
      postCode: nullish(z.string()),
      country: nullish(z.string()),
    }),
  ),
});
export type RemoteAccount = z.infer<typeof remoteAccountSchema>;

export const remoteMappingSchema = z.object({
  ...common,
  externalSystem: z.string().min(1),
  externalTable: z.string().min(1),
  externalId: z.string().min(1),
  m3terEntity: z.string().min(1),
  m3terId: z.string().min(1),
  integrationConfigId: nullish(z.string()),
});
export type RemoteMapping = z.infer<typeof remoteMappingSchema>;

/** A bill as m3ter lists it without its line items (`excludeLineItems=true`); they are read only when needed. */
export const remoteBillSchema = z.object({
  ...common,
  accountId: z.string().uuid(),
  billDate: z.string(),
  dueDate: nullish(z.string()),
  startDate: nullish(z.string()),
  endDate: nullish(z.string()),
  billingFrequency: nullish(z.string()),
  billTotal: nullish(z.number()),
  currency: z.string().min(1),
  status: z.enum(['PENDING', 'APPROVED']),
  locked: nullish(z.boolean()).transform((v) => v ?? false),
  approvedBy: nullish(z.string()),
  externalInvoiceDate: nullish(z.string()),
  externalInvoiceReference: nullish(z.string()),
  sequentialInvoiceNumber: nullish(z.string()),
  purchaseOrderNumber: nullish(z.string()),
  timezone: nullish(z.string()),
  lastCalculatedDate: nullish(z.string()),
});
export type RemoteBill = z.infer<typeof remoteBillSchema>;

/** The three kinds of entity a pass mirrors, in the order it mirrors them (a bill needs its account). */
export const MIRROR_PHASES = ['accounts', 'mappings', 'bills'] as const;
export type MirrorPhase = (typeof MIRROR_PHASES)[number];

const mirrorCountsSchema = z.object({
  created: z.number(),
  updated: z.number(),
  deleted: z.number(),
  /** Rows m3ter has and the mirror could not take (listed in `conflicts`). */
  skipped: z.number(),
});
export type MirrorCounts = z.infer<typeof mirrorCountsSchema>;

/** What a pass did, as stored on the source and shown by its API and CLI. */
export const mirrorPassSummarySchema = z.object({
  pass: z.number(),
  startedAt: z.string(),
  completedAt: z.string().optional(),
  /** The bill-date window of the pass: from (inclusive) and to (exclusive). */
  billDateStart: z.string(),
  billDateEnd: z.string(),
  pages: z.number(),
  /** m3ter API requests made, token requests included (undici's retries of one request count once). */
  requests: z.number(),
  accounts: mirrorCountsSchema,
  mappings: mirrorCountsSchema,
  bills: mirrorCountsSchema.extend({ approved: z.number(), reopened: z.number(), locked: z.number() }),
  /** What could not be mirrored and why, the first few (ids only: never a tenant's text). */
  conflicts: z.array(z.string()),
});
export type MirrorPassSummary = z.infer<typeof mirrorPassSummarySchema>;

/** The pass in progress, committed with every page: a pass that stopped resumes at its next page. */
export interface MirrorCursor {
  /** The source's settings version the pass began with: a reconnect (new settings) stops it. */
  sourceVersion: number;
  phase: MirrorPhase;
  /** The next page of the phase's listing; none at its start. */
  nextToken?: string;
  /** The phase's listing is done: only the check for rows m3ter deleted is left. */
  listed?: boolean;
  summary: MirrorPassSummary;
}

export const MAX_CONFLICTS_KEPT = 20;

export function emptyCounts(): MirrorCounts {
  return { created: 0, updated: 0, deleted: 0, skipped: 0 };
}

/** A new pass: the window ends a year ahead, since m3ter dates a bill at its period's end. */
export function newPass(pass: number, now: Date, windowDays: number): MirrorPassSummary {
  const day = 86_400_000;
  return {
    pass,
    startedAt: now.toISOString(),
    billDateStart: new Date(now.getTime() - windowDays * day).toISOString().slice(0, 10),
    billDateEnd: new Date(now.getTime() + 366 * day).toISOString().slice(0, 10),
    pages: 0,
    requests: 0,
    accounts: emptyCounts(),
    mappings: emptyCounts(),
    bills: { ...emptyCounts(), approved: 0, reopened: 0, locked: 0 },
    conflicts: [],
  };
}

export function noteConflict(summary: MirrorPassSummary, counts: MirrorCounts, conflict: string): void {
  counts.skipped += 1;
  if (summary.conflicts.length < MAX_CONFLICTS_KEPT) summary.conflicts.push(conflict);
}

/** What the local copy of a bill was made from, as the mirror stored it. */
export interface BillCopy {
  status: 'PENDING' | 'APPROVED';
  locked: boolean;
  billTotal: number;
  sourceVersion: number | null;
  sourceDtLastModified: string | null;
  sourceLastCalculated: string | null;
}

/**
 * What the local copy must go through to match m3ter's bill, in order: a calculation (new, or
 * recalculated — its line items are read and stored as a new version, which puts it back to PENDING),
 * then an approval, a reopening or a lock. Nothing at all when m3ter's version and modification time
 * are those copied last.
 */
export interface BillPlan {
  calculate: boolean;
  approve: boolean;
  reopen: boolean;
  lock: boolean;
}

export const NOTHING_TO_DO: BillPlan = { calculate: false, approve: false, reopen: false, lock: false };

export function planBill(copy: BillCopy | undefined, remote: RemoteBill): BillPlan {
  // Only an approved bill can be locked, here as in m3ter; a PENDING bill said to be locked is taken as unlocked.
  const locked = remote.locked && remote.status === 'APPROVED';
  if (!copy) return { calculate: true, approve: remote.status === 'APPROVED', reopen: false, lock: locked };
  if (copy.sourceVersion === remote.version && copy.sourceDtLastModified === (remote.dtLastModified ?? null)) return NOTHING_TO_DO;
  // m3ter stamps every calculation; when it does not say, a newer version may be one, and a needless
  // recalculation costs only an update of the same invoice, where a missed one would leave it wrong.
  const recalculated =
    remote.lastCalculatedDate !== undefined
      ? remote.lastCalculatedDate !== copy.sourceLastCalculated || (remote.billTotal !== undefined && remote.billTotal !== copy.billTotal)
      : remote.version !== copy.sourceVersion;
  if (recalculated) return { calculate: true, approve: remote.status === 'APPROVED', reopen: false, lock: locked };
  return {
    calculate: false,
    approve: remote.status === 'APPROVED' && copy.status === 'PENDING',
    // A locked copy is final, as in m3ter: it is never reopened.
    reopen: remote.status === 'PENDING' && copy.status === 'APPROVED' && !copy.locked,
    lock: locked && !copy.locked,
  };
}

/** m3ter spells the external system "NetSuite" or "Netsuite"; only NetSuite's mappings matter here. */
export function isNetSuiteMapping(mapping: Pick<RemoteMapping, 'externalSystem'>): boolean {
  return mapping.externalSystem.toLowerCase() === 'netsuite';
}

/**
 * Whether the operator allows this base URL: an entry allows itself and the paths under it; an entry
 * ending in `:*` allows any port of its host (for local set-ups such as the demo's second instance).
 */
export function isAllowedBaseUrl(baseUrl: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    if (entry.endsWith(':*')) return new RegExp(`^${escapeRegExp(entry.slice(0, -2))}:\\d+(/|$)`).test(baseUrl);
    return baseUrl === entry || baseUrl.startsWith(`${entry}/`);
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether a source may write over the row that holds an id: the row is its organization's and either
 * the source's own copy or one an earlier source left behind (a disconnect keeps copies; reconnecting
 * takes them back). A local row, or another organization's, is never written by a mirror.
 * db/mirrored.ts says the same in SQL, for the upserts that decide it under the row's lock.
 */
export function writableBySource(row: { organizationId: string; sourceId: string | null; sourceVersion: number | null }, writer: { organizationId: string; sourceId: string }): boolean {
  return row.organizationId === writer.organizationId && (row.sourceId === writer.sourceId || (row.sourceId === null && row.sourceVersion !== null));
}

/** The tables whose rows a source can own (their kysely names). */
export type MirroredTable = 'account' | 'bill' | 'externalMapping';

const NOUN: Record<MirroredTable, string> = { account: 'account', bill: 'bill', externalMapping: 'external mapping' };

/**
 * A change through the local API or CLI to a row the m3ter mirror owns. m3ter is where it changes:
 * the mirror brings the change here within its interval. Integration configs, credentials, runs and
 * events are never mirrored and stay editable.
 */
export class MirroredByM3terError extends Error {
  constructor(
    readonly table: MirroredTable,
    readonly ids: readonly string[],
  ) {
    const noun = NOUN[table];
    super(
      `${ids.length === 1 ? `${noun} ${ids[0]} is` : `${noun}s ${ids.join(', ')} are`} mirrored from m3ter, which owns ${ids.length === 1 ? 'it' : 'them'}: ` +
        'make the change in m3ter and the mirror brings it here (POST /webhooks/m3ter/{orgId} or `source nudge` to fetch it now), or disconnect the source to own these rows locally',
    );
    this.name = 'MirroredByM3terError';
  }
}
