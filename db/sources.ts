import crypto from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { MirrorCursor, MirrorPassSummary } from '../domain/mirror';
import type { CredentialCipher } from '../secrets/credentialCipher';
import type { M3terSourceCredentials } from '../m3ter/client';
import type { Db } from './connect';
import type { M3terSourceRow } from './schema';

/** m3ter's production API, the default base URL. */
export const M3TER_API_URL = 'https://api.m3ter.com';

/** A nudge (webhook) starts a pass at most this often per source, however often it is called. */
export const NUDGE_MIN_INTERVAL_SECONDS = 10;

/** What connecting a source takes; the secret is stored encrypted and never shown again. */
export const sourceInputSchema = z.object({
  m3terOrgId: z.string().min(1, 'm3terOrgId is required: your m3ter organization id (Settings → Organization in the m3ter console)').max(100),
  baseUrl: z
    .string()
    .url('baseUrl must be a URL such as https://api.m3ter.com')
    .refine((u) => /^https?:\/\//.test(u), 'baseUrl must be an http(s) URL such as https://api.m3ter.com')
    // One spelling, stored and compared with the operator's allow-list: no trailing slash.
    .transform((u) => u.replace(/\/+$/, ''))
    .default(M3TER_API_URL),
  apiKey: z.string().min(1, "apiKey is required: the service user's access key id (m3ter console → Settings → Access → Service users)").max(200),
  apiSecret: z.string().min(1, "apiSecret is required: the service user's api secret, shown once when the key was generated").max(500),
  intervalSeconds: z.number().int().min(1, 'intervalSeconds must be at least 1').max(86_400, 'intervalSeconds must be at most 86400 (a day)').default(300),
  windowDays: z.number().int().min(1, 'windowDays must be at least 1').max(3_660, 'windowDays must be at most 3660').default(90),
  pageSize: z.number().int().min(1, 'pageSize must be at least 1').max(100, "pageSize must be at most 100 (m3ter's limit for accounts)").default(100),
  integrationConfigLinks: z
    .record(z.string().uuid('integrationConfigLinks: keys must be m3ter integration config ids (UUIDs)'), z.string().uuid('integrationConfigLinks: values must be local integration config ids (UUIDs)'))
    .default({}),
});
export type SourceInput = z.input<typeof sourceInputSchema>;
export type SourceSettings = z.output<typeof sourceInputSchema>;

/** Everything about a source except its secret. */
export interface SourceView {
  id: string;
  m3terOrgId: string;
  baseUrl: string;
  apiKey: string;
  intervalSeconds: number;
  windowDays: number;
  pageSize: number;
  integrationConfigLinks: Record<string, string>;
  passesCompleted: number;
  /** The pass in progress, if one stopped half-way or is running. */
  passInProgress: MirrorPassSummary | null;
  lastPass: MirrorPassSummary | null;
  dtLastPassCompleted: Date | null;
  lastError: string | null;
  version: number;
  dtCreated: Date;
}

export function toSourceView(row: M3terSourceRow): SourceView {
  return {
    id: row.id,
    m3terOrgId: row.m3terOrgId,
    baseUrl: row.baseUrl,
    apiKey: row.apiKey,
    intervalSeconds: row.intervalSeconds,
    windowDays: row.windowDays,
    pageSize: row.pageSize,
    integrationConfigLinks: row.integrationConfigLinks,
    passesCompleted: row.passesCompleted,
    passInProgress: row.cursor?.summary ?? null,
    lastPass: row.lastPass,
    dtLastPassCompleted: row.dtLastPassCompleted,
    lastError: row.lastError,
    version: row.version,
    dtCreated: row.dtCreated,
  };
}

/** The operator has not allowed this m3ter base URL (M3TER_ALLOWED_BASE_URLS). */
export class BaseUrlNotAllowedError extends Error {
  constructor(baseUrl: string, allowed: readonly string[]) {
    super(`baseUrl: ${baseUrl} is not an m3ter API this service may call; use one of ${allowed.join(', ')} (the operator lists them in M3TER_ALLOWED_BASE_URLS)`);
    this.name = 'BaseUrlNotAllowedError';
  }
}

/** A link names a local integration config that isn't this organization's NetSuite bill integration. */
export class UnknownLinkedConfigError extends Error {
  constructor(localId: string) {
    super(`integrationConfigLinks: no integration config ${localId} in this organization; link each m3ter integration config id to one of yours (GET /integrationconfigs)`);
    this.name = 'UnknownLinkedConfigError';
  }
}

/** Stores (or replaces, with new settings) the organization's one source, in the caller's transaction. */
export async function upsertSource(tx: Db, cipher: CredentialCipher, organizationId: string, settings: SourceSettings, actor: string): Promise<M3terSourceRow> {
  const links = Object.values(settings.integrationConfigLinks);
  if (links.length > 0) {
    const found = new Set((await tx.selectFrom('integrationConfig').select('id').where('organizationId', '=', organizationId).where('id', 'in', links).execute()).map((r) => r.id));
    const missing = links.find((id) => !found.has(id));
    if (missing) throw new UnknownLinkedConfigError(missing);
  }
  const values = {
    m3terOrgId: settings.m3terOrgId,
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    apiSecretEncrypted: cipher.encrypt(settings.apiSecret),
    intervalSeconds: settings.intervalSeconds,
    windowDays: settings.windowDays,
    pageSize: settings.pageSize,
    integrationConfigLinks: JSON.stringify(settings.integrationConfigLinks),
  };
  return tx
    .insertInto('m3terSource')
    .values({ id: crypto.randomUUID(), organizationId, ...values, createdBy: actor })
    .onConflict((oc) =>
      oc.column('organizationId').doUpdateSet({
        ...values,
        // New settings start a new pass: a half-done one may have used another window or organization.
        cursor: null,
        lastError: null,
        version: sql<number>`m3ter_source.version + 1`,
        dtLastModified: new Date(),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getSource(db: Db, organizationId: string): Promise<M3terSourceRow | undefined> {
  return db.selectFrom('m3terSource').selectAll().where('organizationId', '=', organizationId).executeTakeFirst();
}

export async function getSourceById(db: Db, sourceId: string): Promise<M3terSourceRow | undefined> {
  return db.selectFrom('m3terSource').selectAll().where('id', '=', sourceId).executeTakeFirst();
}

/** What the m3ter client needs: the row with its secret decrypted, in memory only. */
export function sourceCredentials(row: M3terSourceRow, cipher: CredentialCipher): M3terSourceCredentials {
  return { baseUrl: row.baseUrl, m3terOrgId: row.m3terOrgId, apiKey: row.apiKey, apiSecret: cipher.decrypt(row.apiSecretEncrypted) };
}

/** Deletes the source; what it mirrored stays, its `source_id` set to null by the foreign key. */
export async function deleteSource(tx: Db, organizationId: string): Promise<M3terSourceRow | undefined> {
  return tx.deleteFrom('m3terSource').where('organizationId', '=', organizationId).returningAll().executeTakeFirst();
}

/**
 * When the pass a nudge asks for may start, or undefined when a nudge already waiting covers it.
 * Without `coalesce` (a user's own nudge): now. With it (the webhook, whose caller is unknown): at most
 * one pass per NUDGE_MIN_INTERVAL_SECONDS — a nudge too soon after the last one is not dropped but
 * deferred to the end of that interval, and any further one while it waits is covered by it.
 */
export async function scheduleNudge(tx: Db, organizationId: string, options: { coalesce: boolean }): Promise<{ source: M3terSourceRow; availableAt: Date } | undefined> {
  // Nudges of one organization are decided one at a time, without the source's row lock: a pass holds
  // that while it writes a page, and a webhook call must not wait for it (nor hold a connection meanwhile).
  await sql`select pg_advisory_xact_lock(hashtext(${`m3ter-nudge:${organizationId}`}))`.execute(tx);
  const source = await tx.selectFrom('m3terSource').selectAll().where('organizationId', '=', organizationId).executeTakeFirst();
  if (!source) return undefined;
  const { rows } = await sql<{ now: Date }>`select now() as now`.execute(tx);
  const now = rows[0]!.now;
  if (!options.coalesce) return { source, availableAt: now };
  const nudges = await tx
    .selectFrom('outbox')
    .select((eb) => [eb.fn.max('dtAvailable').as('last'), eb.fn.countAll<string>().filterWhere('dtDelivered', 'is', null).as('waiting')])
    .where('sourceId', '=', source.id)
    .where('kind', '=', 'sourceNudge')
    .executeTakeFirstOrThrow();
  if (Number(nudges.waiting) > 0) return undefined;
  const earliest = nudges.last ? new Date(new Date(nudges.last).getTime() + NUDGE_MIN_INTERVAL_SECONDS * 1000) : now;
  return { source, availableAt: earliest > now ? earliest : now };
}

/** Commits the pass's progress (in the page's own transaction): where to resume if it stops now. */
export async function saveCursor(tx: Db, sourceId: string, cursor: MirrorCursor): Promise<void> {
  await tx.updateTable('m3terSource').set({ cursor: JSON.stringify(cursor) }).where('id', '=', sourceId).execute();
}

export async function completePass(tx: Db, sourceId: string, summary: MirrorPassSummary): Promise<void> {
  await tx
    .updateTable('m3terSource')
    .set({ cursor: null, lastPass: JSON.stringify(summary), passesCompleted: summary.pass, dtLastPassCompleted: new Date(), dtLastPassEnded: new Date(), lastError: null })
    .where('id', '=', sourceId)
    .execute();
}

export async function recordPassError(db: Db, sourceId: string, message: string): Promise<void> {
  await db.updateTable('m3terSource').set({ lastError: message.slice(0, 1000), dtLastPassEnded: new Date() }).where('id', '=', sourceId).execute();
}
