import type { RecordOperation } from './requestKinds';

/**
 * Injected failures. Scripted faults are consumed in FIFO order by the next request they match, so a test
 * can say exactly which call fails; rates give seeded, reproducible chaos for soak tests.
 */
export type FaultAction = 'error500' | 'error429' | 'drop' | 'lostAnswer' | 'revokeTokens';
export type FaultKind = FaultAction | `latency:${number}`;
export type FaultTarget = 'token' | 'record';

export interface ScriptedFault {
  kind: FaultKind;
  /** Which endpoint consumes it; record requests by default. */
  target?: FaultTarget;
  /** Narrows a record fault to one operation, so e.g. a read does not eat a fault meant for a write. */
  operation?: RecordOperation;
}

/** Shorthand accepted wherever a fault is scripted: `'drop'` means `{ kind: 'drop' }`. */
export type FaultSpec = FaultKind | ScriptedFault;

export interface FaultRates {
  error500Rate?: number;
  error429Rate?: number;
  dropRate?: number;
  lostAnswerRate?: number;
}
