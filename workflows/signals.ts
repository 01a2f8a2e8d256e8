import { defineQuery, defineSignal } from '@temporalio/workflow';

/** What happened to the bill: recalculated (a new version) or approved. */
export type BillEventKind = 'calculated' | 'approved';
export type SyncTrigger = BillEventKind | 'manual' | 'rerun';

export interface BillEvent {
  /** A bill event, or a run asked for on purpose (a re-run, a backfill's manual run). */
  kind: SyncTrigger;
  /** A re-run names the run it repeats, so the new run can point back at it. */
  parentIntegrationRunId?: string;
}

export const billEventSignal = defineSignal<[BillEvent]>('billEvent');

/** Optional argument of the `rerun` signal: which run is being repeated, for the new run's parent link. */
export interface RerunRequest {
  parentIntegrationRunId?: string;
}

/**
 * Sent from the Temporal UI ("Send Signal", name `rerun`, input `{}` or nothing) to a running sync:
 * it sends the bill once more, as it is now, even when that version was sent already.
 */
export const rerunSignal = defineSignal<[RerunRequest?]>('rerun');

export interface BillSyncStatus {
  currentRunId?: string;
  phase: 'idle' | 'filtering' | 'waitingForApproval' | 'building' | 'authenticating' | 'posting' | 'recording';
  pendingEvents: number;
  completedRuns: string[];
}

export const billSyncStatusQuery = defineQuery<BillSyncStatus>('status');
