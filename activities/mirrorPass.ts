import { Context } from '@temporalio/activity';
import { z } from 'zod';
import type { Db } from '../db/connect';
import { deleteMirrored, unseenRows } from '../db/mirrored';
import type { M3terSourceRow } from '../db/schema';
import { BaseUrlNotAllowedError, completePass, getSourceById, recordPassError, saveCursor, sourceCredentials } from '../db/sources';
import { isAllowedBaseUrl, MIRROR_PHASES, newPass, noteConflict, remoteAccountSchema, remoteBillSchema, remoteMappingSchema, type MirrorCursor, type MirroredTable, type MirrorPhase, type RemoteBill } from '../domain/mirror';
import { M3terAuthError, M3terClient, M3terRequestError, M3terResponseError, TooManyItemsError, type M3terPage } from '../m3ter/client';
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
export type MirrorPassResult = { kind: 'completed'; pass: number; intervalMs: number; pages: number } | { kind: 'refused'; intervalMs: number; reason: string } | { kind: 'gone' };

/** The source was disconnected (or reconnected with new settings) while a pass held its cursor. */
class CursorMovedError extends Error {
  constructor() {
    super('the source changed while this pass ran (disconnected, reconnected, or another pass took over); this pass stops');
    this.name = 'CursorMovedError';
  }
}

const TABLE_OF: Record<MirrorPhase, MirroredTable> = { accounts: 'account', mappings: 'externalMapping', bills: 'bill' };
const PATH_OF: Record<MirrorPhase, string> = { accounts: 'accounts', mappings: 'externalmappings', bills: 'bills' };
/** A bill's line items as this service takes them (domain/bill.ts): more is refused, not read on. */
const MAX_LINES_PER_BILL = 10_000;
/** Line items held in memory at once: a page's recalculated bills are written in batches of about this many. */
const MAX_LINES_PER_BATCH = 20_000;
/** Recalculated bills whose line items are read at once: a few, polite to m3ter's rate limit. */
const READS_IN_FLIGHT = 4;

/**
 * One mirror pass over a source: m3ter's accounts, then its NetSuite external mappings, then the bills
 * of the window, page by page. Each page is written with the cursor past it in one transaction, so a
 * pass killed anywhere resumes at the first page not committed, and a page read twice changes
 * nothing. Memory holds one page and at most ~20,000 line items (plus four bills' worth) at a time. Transient failures (m3ter
 * 429/5xx after undici's retries, a dropped connection, PostgreSQL away) are thrown for Temporal to
 * retry the activity, which resumes from the cursor.
 */
export function makeMirrorPass(deps: ActivityDeps) {
  return async function mirrorPass(input: MirrorPassInput): Promise<MirrorPassResult> {
    const source = await getSourceById(deps.db, input.sourceId);
    if (!source || source.organizationId !== input.organizationId) return { kind: 'gone' };
    const intervalMs = source.intervalSeconds * 1000;
    if (deps.m3terAllowedBaseUrls && !isAllowedBaseUrl(source.baseUrl, deps.m3terAllowedBaseUrls)) {
      const refused = new BaseUrlNotAllowedError(source.baseUrl, deps.m3terAllowedBaseUrls);
      await recordPassError(deps.db, source.id, refused.message);
      return { kind: 'refused', intervalMs, reason: refused.name };
    }
    const heartbeat = setInterval(() => heartbeatSafely(), 10_000);
    try {
      const cursor: MirrorCursor = source.cursor ?? { sourceVersion: source.version, phase: 'accounts', summary: newPass(source.passesCompleted + 1, deps.now(), source.windowDays) };
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
  const next = (phase: MirrorPhase, nextToken?: string): MirrorCursor => ({ sourceVersion: start.sourceVersion, phase, nextToken, listed: !nextToken, summary });
  for (const phase of MIRROR_PHASES.slice(MIRROR_PHASES.indexOf(cursor.phase))) {
    if (cursor.phase !== phase) cursor = await commitCursor(deps.db, source.id, cursor, { sourceVersion: start.sourceVersion, phase, summary });
    while (!cursor.listed) {
      const query = { pageSize: source.pageSize, nextToken: cursor.nextToken, ...(phase === 'bills' ? { billDateStart: summary.billDateStart, billDateEnd: summary.billDateEnd, excludeLineItems: true } : {}) };
      if (phase === 'accounts') {
        const page = await client.page(PATH_OF.accounts, query, remoteAccountSchema);
        noteInvalid(context, phase, page);
        cursor = await commitCursor(deps.db, source.id, cursor, next(phase, page.nextToken), (tx) => applyAccountPage(tx, context, page.data));
      } else if (phase === 'mappings') {
        const page = await client.page(PATH_OF.mappings, query, remoteMappingSchema);
        noteInvalid(context, phase, page);
        cursor = await commitCursor(deps.db, source.id, cursor, next(phase, page.nextToken), (tx) => applyMappingPage(tx, context, page.data));
      } else {
        const page = await client.page(PATH_OF.bills, query, remoteBillSchema);
        noteInvalid(context, phase, page);
        const toCalculate = await billsToCalculate(deps.db, context, page.data);
        const rest: RemoteBillWithLines[] = [];
        let batch: RemoteBillWithLines[] = [];
        let lines = 0;
        const calculated = page.data.filter((bill) => toCalculate.has(bill.id));
        rest.push(...page.data.filter((bill) => !toCalculate.has(bill.id)).map((bill) => ({ bill })));
        for (let i = 0; i < calculated.length; i += READS_IN_FLIGHT) {
          const reads = await Promise.all(calculated.slice(i, i + READS_IN_FLIGHT).map((bill) => readCalculation(client, context, bill)));
          for (const read of reads) {
            if (!read) continue;
            batch.push(read);
            lines += read.lineItems?.length ?? 0;
          }
          if (lines >= MAX_LINES_PER_BATCH) {
            // Written ahead of the page, without moving the cursor: re-read after a crash, they change nothing.
            const written = batch;
            cursor = await commitCursor(deps.db, source.id, cursor, cursor, (tx) => applyBillPage(tx, context, written, origin), { countPage: false });
            batch = [];
            lines = 0;
          }
        }
        const last = [...batch, ...rest];
        cursor = await commitCursor(deps.db, source.id, cursor, next(phase, page.nextToken), (tx) => applyBillPage(tx, context, last, origin));
      }
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

/** Items of a page m3ter sent in a shape this service can't read: noted, the rest of the page goes on. */
function noteInvalid(context: PageContext, phase: MirrorPhase, page: M3terPage<unknown>): void {
  for (const item of page.invalid) noteConflict(context.summary, context.summary[phase], `${PATH_OF[phase]} item ${item.id ?? `#${item.index}`}: ${item.issue}`);
}

/**
 * A recalculated bill's line items, and its header read again after them: m3ter recalculating in
 * between (which also puts the bill back to PENDING) would otherwise pair the header that was listed
 * with lines of another calculation. When the header moved, the lines are read once more; if it
 * moves again the bill waits for the next pass. Undefined when it can't be read now.
 */
async function readCalculation(client: M3terClient, context: PageContext, listed: RemoteBill): Promise<RemoteBillWithLines | undefined> {
  let header = listed;
  for (let attempt = 0; attempt < 2; attempt++) {
    let lineItems: unknown[];
    let fresh: RemoteBill;
    try {
      lineItems = await client.all<unknown>(`bills/${header.id}/lineitems`, { pageSize: 200 }, z.unknown(), MAX_LINES_PER_BILL);
      fresh = remoteBillSchema.parse(await client.get(`bills/${header.id}`));
    } catch (error) {
      if (error instanceof TooManyItemsError) {
        noteConflict(context.summary, context.summary.bills, `bill ${header.id}: more than ${MAX_LINES_PER_BILL.toLocaleString('en-US')} line items, more than this service takes`);
        return undefined;
      }
      // Deleted in m3ter since it was listed: the check for deleted bills at the end of the pass deals with it.
      if (error instanceof M3terRequestError && error.status === 404) return undefined;
      if (error instanceof z.ZodError) throw new M3terResponseError(`bills/${header.id}`, 'not a bill');
      throw error;
    }
    if (fresh.version === header.version && fresh.dtLastModified === header.dtLastModified && fresh.lastCalculatedDate === header.lastCalculatedDate) return { bill: fresh, lineItems };
    header = fresh;
  }
  noteConflict(context.summary, context.summary.bills, `bill ${listed.id}: recalculated in m3ter while it was being read; the next pass takes it`);
  return undefined;
}

/**
 * Rows of this source the pass did not list are confirmed gone from m3ter before they are deleted: a
 * listing can skip a row that moved between two pages, and a row wrongly deleted here would come back
 * next pass — and be handed over again. Gone means m3ter's own 404 for the row and, for bills and
 * accounts, a listing by its id that is empty; a proxy's 404 or a refusal for want of a permission
 * deletes nothing.
 */
async function removeDeleted(db: Db, client: M3terClient, source: M3terSourceRow, phase: MirrorPhase, cursor: MirrorCursor): Promise<void> {
  const table = TABLE_OF[phase];
  const { summary } = cursor;
  const candidates = await unseenRows(db, table, source.id, summary.pass, phase === 'bills' ? { start: summary.billDateStart, end: summary.billDateEnd } : undefined);
  for (const id of candidates) {
    if (!(await client.isGone(`${PATH_OF[phase]}/${id}`))) continue;
    if (phase !== 'mappings') {
      const listed = await client.page(PATH_OF[phase], { ids: id, pageSize: 1 }, z.object({ id: z.string() }));
      if (listed.data.some((row) => row.id === id)) continue;
    }
    await db.transaction().execute(async (tx) => {
      await lockCursor(tx, source.id, cursor);
      if (await deleteMirrored(tx, table, source.id, id)) summary[phase].deleted += 1;
      await saveCursor(tx, source.id, cursor);
    });
  }
}

/**
 * Moves the cursor, writing a page (or a batch of it) first when there is one, in one transaction —
 * after checking under the source's row lock that the stored cursor is still the one this pass left:
 * a reconnect, a disconnect, or another attempt of the same pass that got further all stop this one.
 */
async function commitCursor(db: Db, sourceId: string, expected: MirrorCursor, next: MirrorCursor, apply?: (tx: Db) => Promise<void>, options: { countPage?: boolean } = {}): Promise<MirrorCursor> {
  return db.transaction().execute(async (tx) => {
    await lockCursor(tx, sourceId, expected);
    if (apply) {
      await apply(tx);
      if (options.countPage !== false) next.summary.pages += 1;
    }
    await saveCursor(tx, sourceId, next);
    return next;
  });
}

async function lockCursor(tx: Db, sourceId: string, expected: MirrorCursor): Promise<void> {
  const row = await tx.selectFrom('m3terSource').select(['cursor', 'passesCompleted', 'version']).where('id', '=', sourceId).forUpdate().executeTakeFirst();
  if (!row || row.version !== expected.sourceVersion) throw new CursorMovedError();
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

function heartbeatSafely(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Not inside an activity (a direct call from a test or the CLI): nothing to tell.
  }
}
