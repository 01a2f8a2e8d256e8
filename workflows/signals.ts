import { defineQuery, defineSignal } from '@temporalio/workflow';

/** What happened to the bill: recalculated (a new version) or approved. */
export type BillEventKind = 'calculated' | 'approved';
export type SyncTrigger = BillEventKind | 'manual' | 'rerun';

export interface BillEvent {
  kind: BillEventKind | 'rerun';
  /** A re-run names the run it repeats, so the new run can point back at it. */
  parentIntegrationRunId?: string;
}

export const billEventSignal = defineSignal<[BillEvent]>('billEvent');

export interface BillSyncStatus {
  currentRunId?: string;
  phase: 'idle' | 'filtering' | 'waitingForApproval' | 'building' | 'authenticating' | 'posting' | 'recording';
  pendingEvents: number;
  completedRuns: string[];
}

export const billSyncStatusQuery = defineQuery<BillSyncStatus>('status');
