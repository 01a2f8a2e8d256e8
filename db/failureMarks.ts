import { sql } from 'kysely';
import type { Db } from './connect';

/**
 * What the database remembers so that a success tells the failure counter only when it can change
 * something (migration 0008). The two marks are written by separate statements, each committed before
 * the other side reads: a success writes its run, then reads the error mark; an error writes its mark,
 * then (reporting) looks for a success completed after it. So whatever the interleaving, one of the
 * two sees the other, and no success that should reset the count goes untold.
 */

/** An error that counts completed at `at`. */
export async function markCountedError(db: Db, configId: string, at: Date): Promise<void> {
  await db
    .updateTable('integrationConfig')
    .set({ dtLastCountedError: sql<Date>`greatest(dt_last_counted_error, ${at})` })
    .where('id', '=', configId)
    .execute();
}

/** Whether an error may still be counted: one completed after the latest success the counter was told of. */
export async function successNeedsReport(db: Db, configId: string): Promise<boolean> {
  const marks = await db.selectFrom('integrationConfig').select(['dtLastCountedError', 'dtLastSuccessReported']).where('id', '=', configId).executeTakeFirst();
  if (!marks?.dtLastCountedError) return false;
  return !marks.dtLastSuccessReported || marks.dtLastCountedError >= marks.dtLastSuccessReported;
}

/** The counter was told of a success completed at `at`. */
export async function markSuccessReported(db: Db, configId: string, at: Date): Promise<void> {
  await db
    .updateTable('integrationConfig')
    .set({ dtLastSuccessReported: sql<Date>`greatest(dt_last_success_reported, ${at})` })
    .where('id', '=', configId)
    .execute();
}

/**
 * The latest success of the config completed after `after`: an error's report carries it, for the
 * success that completed meanwhile and did not see the error's mark. Runs are looked for among those
 * started in the day before (no run takes longer: NETSUITE_RUN_TIME_LIMIT_MINUTES ends it), so the
 * index on (config_id, dt_started) serves it.
 */
export async function latestSuccessAfter(db: Db, configId: string, after: Date): Promise<{ runId: string; at: Date } | undefined> {
  const row = await db
    .selectFrom('integrationRun')
    .select(['id', 'dtCompleted'])
    .where('configId', '=', configId)
    .where('status', '=', 'COMPLETE')
    .where('dtStarted', '>', new Date(after.getTime() - 86_400_000))
    .where('dtCompleted', '>', after)
    .orderBy('dtCompleted', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.dtCompleted ? { runId: row.id, at: row.dtCompleted } : undefined;
}
