import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ErrorReport, FailureCounterState } from '../domain/failureCounter';

export type OutcomeReport = { kind: 'success'; runId: string; at: number } | ({ kind: 'error' } & ErrorReport);

export const runOutcomeSignal = defineSignal<[OutcomeReport]>('runOutcome');
/** Sent when a user re-enables the config: the count starts again from zero. */
export const configEnabledSignal = defineSignal<[{ at: number }]>('configEnabled');
export const failureCountQuery = defineQuery<{ successiveErrors: number; disabled: boolean; state: FailureCounterState }>('failureCount');

export function failureWorkflowId(configId: string): string {
  return `integration-failures/${configId}`;
}
