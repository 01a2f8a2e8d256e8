import { Context } from '@temporalio/activity';
import type { Db } from '../db/connect';
import { deleteMirrored, unseenRows, type MirroredTable } from '../db/mirrored';
import type { M3terSourceRow } from '../db/schema';
import { completePass, getSourceById, recordPassError, saveCursor, sourceCredentials } from '../db/sources';
import { MIRROR_PHASES, newPass, remoteAccountSchema, remoteBillSchema, remoteMappingSchema, type MirrorCursor, type MirrorPhase } from '../domain/mirror';
import { M3terAuthError, M3terClient, M3terRequestError, M3terResponseError } from '../m3ter/client';
import { applyAccountPage, applyBillPage, applyMappingPage, billsToCalculate, type PageContext, type RemoteBillWithLines } from '../usecases/mirrorPage';
import type { ActivityDeps } from './deps';

export interface MirrorPassInput {
  organizationId: string;
  sourceId: string;
}

/**
 * How a pass ended. `gone`: the source was disconnected, the mirror stops. `refused`: m3ter refused
 * the credentials or a request, or answered nonsense — retrying at once can't help, so the mirror
 * waits for its next interval (or a reconnect) with the reason stored on the source.
 */
export type MirrorPassResult =
  | { kind: 'completed'; pass: number; intervalMs: number; pages: number }
  | { kind: 'refused'; intervalMs: number; reason: string }
  | { kind: 'gone' };

/** The source was disconnected (or reconnected with new settings) while a pass held its cursor. */
class CursorMovedError extends Error {
  constructor() {
    super('the source changed while this pass ran (disconnected, reconnected, or another pass took over); this pass stops');
    this.name = 'CursorMovedError';
  }
}

const TABLE_OF: Record<MirrorPhase, MirroredTable> = { accounts: 'account', mappings: 'externalMapping', bills: 'bill' };
const PATH_OF: Record<MirrorPhase, string> = { accounts: 'accounts', mappings: 'externalmappings', bills: 'bills' };

/**
 * One mirror pass over a source: m3ter's accounts, then its NetSuite external mappings, then the bills
 * of the window, page by page. Each page is written with the cursor past it in one transaction, so a
 * pass killed anywhere resumes at the first page not committed, and a page read twice changes
 * nothing. Memory holds one page (and its changed bills' line items) at a time. Transient failures
 * (m3ter 429/5xx after undici's retries, a dropped connection, PostgreSQL away) are thrown for
 * Temporal to retry the activity, which resumes from the cursor.
 */
export function makeMirrorPass(deps: ActivityDeps) {
  return async function mirrorPass(input: MirrorPassInput): Promise<MirrorPassResult> {
    const source = await getSourceById(deps.db, input.sourceId);
    if (!source || source.organizationId !== input.organizationId) return { kind: 'gone' };
    const intervalMs = source.intervalSeconds * 1000;
    const heartbeat = setInterval(() => heartbeatSafely(), 10_000);
    try {
      const cursor = source.cursor ?? { phase: 'accounts', summary: newPass(source.passesCompleted + 1, deps.now(), source.windowDays) };
      const client = new M3terClient(sourceCredentials(source, deps.cipher), { ...deps.m3ter, onRequest: () => void (cursor.summary.requests += 1) });
      const summary = await runPass(deps, source, client, cursor);
      deps.logger.info({ sourceId: source.id, pass: summary.pass, pages: summary.pages, requests: summary.requests, bills: summary.bills, conflicts: summary.conflicts.length }, 'm3ter mirror pass completed');
      return { kind: 'completed', pass: summary.pass, intervalMs, pages: summary.pages };
    } catch (error) {
      if (error instanceof CursorMovedError) return (await getSourceById(deps.db, input.sourceId)) ? { kind: 'completed', pass: source.passesCompleted, intervalMs, pages: 0 } : { kind: 'gone' };
      const message = error instanceof Error ? error.message : String(error);
      await recordPassError(deps.db, source.id, message).catch(() => undefined);
      if (error instanceof M3terAuthError || error instanceof M3terRequestError || error instanceof M3terResponseError) {
        deps.logger.warn({ sourceId: source.id, err: error }, 'm3ter refused the mirror pass; it tries again next interval');
        return { kind: 'refused', intervalMs, reason: error.name };
      }
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  };
}

async function runPass(deps: ActivityDeps, source: M3terSourceRow, client: M3terClient, start: MirrorCursor) {
  let cursor: MirrorCursor = start;
  const origin = `m3ter-source:${source.id}`;
  const { summary } = cursor;
  const context: PageContext = { organizationId: source.organizationId, sourceId: source.id, pass: summary.pass, integrationConfigLinks: source.integrationConfigLinks, summary };
  for (const phase of MIRROR_PHASES.slice(MIRROR_PHASES.indexOf(cursor.phase))) {
    if (cursor.phase !== phase) cursor = await commitCursor(deps.db, source.id, cursor, { phase, summary });
    while (!cursor.listed) {
      const query = { pageSize: source.pageSize, nextToken: cursor.nextToken, ...(phase === 'bills' ? { billDateStart: summary.billDateStart, billDateEnd: summary.billDateEnd, excludeLineItems: true } : {}) };
      let apply: (tx: Db) => Promise<void>;
      let nextToken: string | undefined;
      if (phase === 'accounts') {
        const page = await client.page(PATH_OF.accounts, query, remoteAccountSchema);
        nextToken = page.nextToken;
        apply = (tx) => applyAccountPage(tx, context, page.data);
      } else if (phase === 'mappings') {
        const page = await client.page(PATH_OF.mappings, query, remoteMappingSchema);
        nextToken = page.nextToken;
        apply = (tx) => applyMappingPage(tx, context, page.data);
      } else {
        const page = await client.page(PATH_OF.bills, query, remoteBillSchema);
        nextToken = page.nextToken;
        const toCalculate = await billsToCalculate(deps.db, context, page.data);
        const bills: RemoteBillWithLines[] = [];
        for (const bill of page.data) {
          bills.push({ bill, lineItems: toCalculate.has(bill.id) ? await client.all<unknown>(`bills/${bill.id}/lineitems`, { pageSize: 200 }, anything) : undefined });
        }
        apply = (tx) => applyBillPage(tx, context, bills, origin);
      }
      cursor = await commitCursor(deps.db, source.id, cursor, { phase, nextToken, listed: !nextToken, summary }, apply);
      heartbeatSafely();
    }
    await removeDeleted(deps.db, client, source, phase, cursor);
  }
  summary.completedAt = deps.now().toISOString();
  await deps.db.transaction().execute(async (tx) => {
    await lockCursor(tx, source.id, cursor);
    await completePass(tx, source.id, summary);
  });
  return summary;
}

/**
 * Rows of this source the pass did not list are confirmed gone from m3ter one by one (a GET that
 * answers 404) before they are deleted: a listing can skip a row that moved between two pages, and
 * such a row must not vanish here only to come back — and be handed over again — next pass.
 */
async function removeDeleted(db: Db, client: M3terClient, source: M3terSourceRow, phase: MirrorPhase, cursor: MirrorCursor): Promise<void> {
  const table = TABLE_OF[phase];
  const { summary } = cursor;
  const candidates = await unseenRows(db, table, source.id, summary.pass, phase === 'bills' ? { start: summary.billDateStart, end: summary.billDateEnd } : undefined);
  for (const id of candidates) {
    const gone = await client.get(`${PATH_OF[phase]}/${id}`).then(
      () => false,
      (error: unknown) => {
        if (error instanceof M3terRequestError && error.status === 404) return true;
        throw error;
      },
    );
    if (!gone) continue;
    await db.transaction().execute(async (tx) => {
      await lockCursor(tx, source.id, cursor);
      if (await deleteMirrored(tx, table, source.id, id)) summary[phase].deleted += 1;
      await saveCursor(tx, source.id, cursor);
    });
  }
}

/**
 * Moves the cursor, writing a page first when there is one, in one transaction — after checking under
 * the source's row lock that the stored cursor is still the one this pass left: a reconnect, a
 * disconnect, or another attempt of the same pass that got further all stop this one here.
 */
async function commitCursor(db: Db, sourceId: string, expected: MirrorCursor, next: MirrorCursor, apply?: (tx: Db) => Promise<void>): Promise<MirrorCursor> {
  return db.transaction().execute(async (tx) => {
    await lockCursor(tx, sourceId, expected);
    if (apply) {
      await apply(tx);
      next.summary.pages += 1;
    }
    await saveCursor(tx, sourceId, next);
    return next;
  });
}

async function lockCursor(tx: Db, sourceId: string, expected: MirrorCursor): Promise<void> {
  const row = await tx.selectFrom('m3terSource').select(['cursor', 'passesCompleted']).where('id', '=', sourceId).forUpdate().executeTakeFirst();
  if (!row) throw new CursorMovedError();
  const stored = row.cursor;
  // A fresh pass has no stored cursor yet; any other must be where this pass left it.
  const fresh = !stored && row.passesCompleted === expected.summary.pass - 1 && expected.summary.pages === 0 && expected.phase === 'accounts' && !expected.nextToken;
  const same =
    !!stored &&
    stored.summary.pass === expected.summary.pass &&
    stored.phase === expected.phase &&
    (stored.nextToken ?? null) === (expected.nextToken ?? null) &&
    Boolean(stored.listed) === Boolean(expected.listed) &&
    stored.summary.pages === expected.summary.pages;
  if (!fresh && !same) throw new CursorMovedError();
}

/** Line items are validated when the bill is stored (saveBill), with the local rules. */
const anything = { safeParse: (value: unknown) => ({ success: true as const, data: value }) } as unknown as import('zod').ZodType<unknown>;

function heartbeatSafely(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Not inside an activity (a direct call from a test or the CLI): nothing to tell.
  }
}
