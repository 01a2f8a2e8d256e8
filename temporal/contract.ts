import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { ErrorReport, FailureCounterState } from '../domain/failureCounter';
import type { SyncTrigger } from '../domain/syncTrigger';

/**
 * The Temporal contract: what the workflows and everything that starts, signals or queries them must
 * agree on — workflow type names, workflow ids, inputs, signals, queries and search attributes. The
 * workflows bundle this file too, so it holds definitions only (no client, no I/O); the typed helpers
 * that start or signal each workflow are in temporal/starters.ts.
 */

export const WORKFLOW_TYPES = { billSync: 'billSync', integrationFailures: 'integrationFailures', m3terMirror: 'm3terMirror' } as const;

// ---------------------------------------------------------------------------------------------------
// billSync: one execution chain per (integration config, bill)

/** Workflow ids are business keys: starting a sync twice reaches the running one. */
export function billSyncWorkflowId(configId: string, billId: string): string {
  return `bill-sync/${configId}/${billId}`;
}

export type { BillEventKind, SyncTrigger } from '../domain/syncTrigger';

/**
 * The one argument of a bill sync, a JSON object so the Temporal UI's "Start Workflow" form can launch
 * a manual re-run: `{"organizationId": "...", "configId": "...", "billId": "...", "trigger": "manual"}`.
 */
export interface BillSyncInput {
  organizationId: string;
  configId: string;
  billId: string;
  trigger: SyncTrigger;
  parentIntegrationRunId?: string;
  /** The outbox row that started it, as on the signal that comes with the start (see BillEvent). */
  handoffId?: string;
}

/** What a finished sync returns: the integration runs it recorded, oldest first. */
export interface BillSyncResult {
  runs: string[];
}

/** The workflow's signature, for typed handles (`getHandle<BillSyncWorkflow>(…)`). */
export type BillSyncWorkflow = (input: BillSyncInput) => Promise<BillSyncResult>;

export interface BillEvent {
  kind: SyncTrigger;
  /** A re-run names the run it repeats, so the new run can point back at it. */
  parentIntegrationRunId?: string;
  /**
   * The outbox row this signal delivers (handoff/outbox.ts): which stored change caused it. A run
   * records the hand-offs it answers, so one delivered twice starts no second run.
   */
  handoffId?: string;
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
  phase: 'idle' | 'preparing' | 'waitingForApproval' | 'posting' | 'recording';
  pendingEvents: number;
  completedRuns: string[];
}

export const billSyncStatusQuery = defineQuery<BillSyncStatus>('status');

// ---------------------------------------------------------------------------------------------------
// integrationFailures: one long-lived counter per integration config

export function failureWorkflowId(configId: string): string {
  return `integration-failures/${configId}`;
}

export interface IntegrationFailuresInput {
  organizationId: string;
  configId: string;
  threshold: number;
  /** Carried over by continue-as-new. */
  state?: FailureCounterState;
}

/** A run's outcome for the failure counter; an error may carry a success that completed after it (activities/reportOutcome.ts). */
export type OutcomeReport = { kind: 'success'; runId: string; at: number } | ({ kind: 'error'; resetBy?: { runId: string; at: number } } & ErrorReport);

export const runOutcomeSignal = defineSignal<[OutcomeReport]>('runOutcome');
/** Sent when a user re-enables the config: the count starts again from zero. */
export const configEnabledSignal = defineSignal<[{ at: number }]>('configEnabled');
export const failureCountQuery = defineQuery<{ successiveErrors: number; disabled: boolean; state: FailureCounterState }>('failureCount');

// ---------------------------------------------------------------------------------------------------
// m3terMirror: one long-lived mirror per connected m3ter source

export function m3terMirrorWorkflowId(sourceId: string): string {
  return `m3ter-mirror/${sourceId}`;
}

export interface M3terMirrorInput {
  organizationId: string;
  sourceId: string;
}

/**
 * Run a pass now (a webhook from m3ter, a reconnect, or by hand from the Temporal UI: signal `nudge`,
 * no input). Nudges during a pass make one more pass after it, never more.
 */
export const mirrorNudgeSignal = defineSignal<[]>('nudge');

export interface M3terMirrorStatus {
  phase: 'mirroring' | 'waiting';
  passes: number;
  /** How the latest pass ended: completed, refused (the reason is on the source), or not yet. */
  lastOutcome?: 'completed' | 'refused';
}

export const mirrorStatusQuery = defineQuery<M3terMirrorStatus>('mirrorStatus');

// ---------------------------------------------------------------------------------------------------
// Search attributes of every bill sync, so users find the runs of one bill, account or integration in
// the Temporal UI (e.g. `BillId = "..."`, `SyncStatus = "ERROR"`). The dev server registers them at
// start (stack/temporalServer.ts); docker-compose.yml's temporal-setup registers the same list.

export const SEARCH_KEYS = {
  organizationId: defineSearchAttributeKey('OrganizationId', SearchAttributeType.KEYWORD),
  integrationConfigId: defineSearchAttributeKey('IntegrationConfigId', SearchAttributeType.KEYWORD),
  billId: defineSearchAttributeKey('BillId', SearchAttributeType.KEYWORD),
  accountId: defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD),
  /** The status of the sync's latest run: any RunStatus (domain/runStatus.ts), a failure's included. */
  syncStatus: defineSearchAttributeKey('SyncStatus', SearchAttributeType.KEYWORD),
};

/** The same attributes as `Name: Type`, in the spelling `temporal operator search-attribute create` and `--search-attribute` take. */
export const SEARCH_ATTRIBUTES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(SEARCH_KEYS).map((key) => [key.name, key.type.charAt(0) + key.type.slice(1).toLowerCase().replace(/_(\w)/g, (_, c: string) => c.toUpperCase())]),
);

/** The attributes a bill sync starts with; the workflow sets them itself too, for syncs started from the UI. */
export function billSyncSearchAttributes(ids: { organizationId: string; configId: string; billId: string; accountId?: string }): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: SEARCH_KEYS.organizationId, value: ids.organizationId },
    { key: SEARCH_KEYS.integrationConfigId, value: ids.configId },
    { key: SEARCH_KEYS.billId, value: ids.billId },
  ];
  if (ids.accountId) pairs.push({ key: SEARCH_KEYS.accountId, value: ids.accountId });
  return pairs;
}
