/** What happened to a bill: recalculated (a new version) or approved. */
export type BillEventKind = 'calculated' | 'approved';

/** Why a run happens: a bill event, or a run asked for on purpose (a backfill's manual run, a re-run). */
export const SYNC_TRIGGERS = ['calculated', 'approved', 'manual', 'rerun'] as const satisfies readonly (BillEventKind | string)[];
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

/**
 * Several events that arrived together need one run of the bill as it is now, not one each. The run
 * is labelled with the most telling of them (a re-run, else an approval, else the latest), and it
 * sends even a version sent already when one was asked for on purpose (a re-run or a manual run).
 */
export function coalesceTriggers(pending: readonly SyncTrigger[]): { trigger: SyncTrigger; requested: boolean } | undefined {
  const latest = pending[pending.length - 1];
  if (latest === undefined) return undefined;
  const trigger = pending.includes('rerun') ? 'rerun' : pending.includes('approved') ? 'approved' : latest;
  return { trigger, requested: pending.some((t) => t === 'rerun' || t === 'manual') };
}
