import type { Db } from '../db/connect';
import type { M3terSourceRow } from '../db/schema';
import { BaseUrlNotAllowedError, deleteSource, scheduleNudge, sourceCredentials, sourceInputSchema, toSourceView, upsertSource, type SourceInput, type SourceView } from '../db/sources';
import { isAllowedBaseUrl, remoteAccountSchema, remoteBillSchema, remoteMappingSchema } from '../domain/mirror';
import { M3terAuthError, M3terClient, M3terRequestError, M3terResponseError, M3terUnavailableError } from '../m3ter/client';
import { handOffSource, type Handoff } from '../handoff/outbox';
import type { CredentialCipher } from '../secrets/credentialCipher';

/**
 * Connects (or reconnects, with new settings) the organization's m3ter source and, in the same
 * transaction, nudges its mirror so the first pass starts at once. Rows mirrored before stay its own.
 */
export async function connectSource(
  db: Db,
  cipher: CredentialCipher,
  organizationId: string,
  input: SourceInput,
  options: { actor: string; allowedBaseUrls: readonly string[] },
): Promise<{ source: SourceView; handoff: Handoff }> {
  const settings = sourceInputSchema.parse(input);
  if (!isAllowedBaseUrl(settings.baseUrl, options.allowedBaseUrls)) throw new BaseUrlNotAllowedError(settings.baseUrl, options.allowedBaseUrls);
  const actor = options.actor;
  return db.transaction().execute(async (tx) => {
    const row = await upsertSource(tx, cipher, organizationId, settings, actor);
    const handoff = await handOffSource(tx, { organizationId, sourceId: row.id, kind: 'sourceNudge', origin: actor });
    return { source: toSourceView(row), handoff };
  });
}

/**
 * Disconnects the source: its mirror is stopped through the outbox, and what it mirrored stays as
 * local rows that the API may change from now on.
 */
export async function disconnectSource(db: Db, organizationId: string, actor: string): Promise<{ source: SourceView; handoff: Handoff } | undefined> {
  return db.transaction().execute(async (tx) => {
    const row = await deleteSource(tx, organizationId);
    if (!row) return undefined;
    return { source: toSourceView(row), handoff: await handOffSource(tx, { organizationId, sourceId: row.id, kind: 'sourceDisconnected', origin: actor }) };
  });
}

/**
 * A pass now. From the webhook (`fromWebhook`), whose caller is unknown, the payload is never read —
 * the pass asks m3ter itself — and passes are spaced NUDGE_MIN_INTERVAL_SECONDS apart: a nudge too soon
 * is deferred (a hand-off due later), one while such a hand-off waits is covered by it, so a forged
 * flood costs one pass per interval and a real change is never left for the next interval. A user's
 * own nudge (API, CLI) goes at once. Undefined when covered, or when there is no source.
 */
export async function nudgeSource(db: Db, organizationId: string, origin: string, options: { fromWebhook: boolean }): Promise<Handoff | undefined> {
  return db.transaction().execute(async (tx) => {
    const scheduled = await scheduleNudge(tx, organizationId, { coalesce: options.fromWebhook });
    if (!scheduled) return undefined;
    return handOffSource(tx, { organizationId, sourceId: scheduled.source.id, kind: 'sourceNudge', origin, availableAt: scheduled.availableAt });
  });
}

/**
 * "Can it read what the mirror reads?": a token for the service user, then one item of its accounts,
 * external mappings and bills each, with few retries so the answer comes quickly. The answer names
 * what failed and what to do; it never holds the secret.
 */
export async function testSource(row: M3terSourceRow, cipher: CredentialCipher): Promise<{ ok: boolean; message: string }> {
  const client = new M3terClient(sourceCredentials(row, cipher), { maxRetries: 1, maxRetryDelayMs: 2_000, timeoutMs: 15_000 });
  try {
    await client.page('accounts', { pageSize: 1 }, remoteAccountSchema);
    await client.page('externalmappings', { pageSize: 1 }, remoteMappingSchema);
    const bills = await client.page('bills', { pageSize: 1, excludeLineItems: true }, remoteBillSchema);
    return { ok: true, message: `m3ter organization ${row.m3terOrgId} at ${row.baseUrl}: the service user can list accounts, external mappings and bills (${bills.data.length ? 'bills found' : 'no bills yet'})` };
  } catch (error) {
    if (error instanceof M3terAuthError || error instanceof M3terRequestError || error instanceof M3terResponseError || error instanceof M3terUnavailableError) return { ok: false, message: error.message };
    throw error;
  }
}
