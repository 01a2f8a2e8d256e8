/**
 * Counts an integration's successive errors, as the guide defines them: a success resets the count,
 * and the config is disabled at the threshold. Reports may arrive late or twice (activity retries,
 * many workers), so order is by each run's completion time, not arrival, and a run counts once.
 * Pure and deterministic: the integrationFailures workflow keeps this state in its history.
 */
export interface ErrorReport {
  runId: string;
  /** Completion time of the run, epoch ms. */
  at: number;
  eventId: string;
  eventName: string;
  reason: string;
  billId?: string | null;
}

export interface FailureCounterState {
  /** Errors completed after the latest success or re-enable, oldest first (ids and times only). */
  errors: Array<{ runId: string; at: number }>;
  /** The latest errors with their details, for the notification email. */
  recent: ErrorReport[];
  /** Completion time of the latest success, or of the latest re-enable. */
  resetAt: number;
  disabled: boolean;
}

export type CounterInput = { kind: 'success'; runId: string; at: number } | ({ kind: 'error' } & ErrorReport) | { kind: 'enabled'; at: number };

/** Errors kept with details for the notification email. */
const KEEP_DETAILS = 20;
/** Errors remembered for counting; past this the count saturates (the config is long disabled by then). */
const KEEP_COUNTED = 2000;

export function initialCounterState(): FailureCounterState {
  return { errors: [], recent: [], resetAt: 0, disabled: false };
}

export function applyToCounter(state: FailureCounterState, input: CounterInput, threshold: number): { state: FailureCounterState; disableNow: boolean } {
  if (input.kind === 'enabled') {
    return { state: { errors: [], recent: [], resetAt: Math.max(state.resetAt, input.at), disabled: false }, disableNow: false };
  }
  if (input.kind === 'success') {
    if (input.at <= state.resetAt) return { state, disableNow: false };
    return { state: { ...state, resetAt: input.at, errors: state.errors.filter((e) => e.at > input.at), recent: state.recent.filter((e) => e.at > input.at) }, disableNow: false };
  }
  // An error that completed before the latest success or re-enable is not "successive" any more.
  if (input.at <= state.resetAt || state.errors.some((e) => e.runId === input.runId)) return { state, disableNow: false };
  const { kind: _kind, ...report } = input;
  const byTime = <T extends { at: number; runId: string }>(a: T, b: T) => a.at - b.at || a.runId.localeCompare(b.runId);
  const errors = [...state.errors, { runId: report.runId, at: report.at }].sort(byTime).slice(-KEEP_COUNTED);
  const recent = [...state.recent, report].sort(byTime).slice(-Math.max(KEEP_DETAILS, threshold));
  const disableNow = !state.disabled && errors.length >= threshold;
  return { state: { ...state, errors, recent, disabled: state.disabled || disableNow }, disableNow };
}

export function successiveErrors(state: FailureCounterState): number {
  return state.errors.length;
}
