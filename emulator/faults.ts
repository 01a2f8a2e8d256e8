import type { FaultAction, FaultKind, FaultSpec, FaultTarget, ScriptedFault } from './faultTypes';
import type { RequestKind } from './requestKinds';
import type { Account } from './state';


const ACTIONS: readonly string[] = ['error500', 'error429', 'drop', 'lostAnswer', 'revokeTokens'];

export function isFaultKind(value: string): value is FaultKind {
  return ACTIONS.includes(value) || parseLatency(value as FaultKind) !== undefined;
}

export function parseLatency(kind: FaultKind): number | undefined {
  const match = /^latency:(\d+)$/.exec(kind);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function normaliseFault(spec: FaultSpec): ScriptedFault {
  const fault = typeof spec === 'string' ? { kind: spec } : spec;
  if (!isFaultKind(fault.kind)) throw new Error(`unknown fault kind "${String(fault.kind)}"`);
  if (fault.target === 'token' && fault.operation !== undefined) {
    throw new Error('a fault with target "token" cannot name a record operation');
  }
  return fault;
}

function matches(fault: ScriptedFault, kind: RequestKind): boolean {
  const target: FaultTarget = fault.target ?? 'record';
  if (kind === 'token') return target === 'token';
  return target === 'record' && (fault.operation === undefined || fault.operation === kind);
}

export function takeScriptedFault(account: Account, kind: RequestKind): ScriptedFault | undefined {
  const index = account.faultQueue.findIndex((fault) => matches(fault, kind));
  if (index < 0) return undefined;
  return account.faultQueue.splice(index, 1)[0];
}

/** One draw per request keeps a given seed's sequence stable however the rates are set. */
export function rollFault(account: Account): FaultAction | undefined {
  const rates = account.faultRates;
  let draw = account.rng();
  const table: Array<[FaultAction, number | undefined]> = [
    ['error500', rates.error500Rate],
    ['error429', rates.error429Rate],
    ['drop', rates.dropRate],
    ['lostAnswer', rates.lostAnswerRate],
  ];
  for (const [action, rate] of table) {
    if (rate === undefined || rate <= 0) continue;
    if (draw < rate) return action;
    draw -= rate;
  }
  return undefined;
}

export function countFault(account: Account, kind: string): void {
  account.stats.faultsInjected[kind] = (account.stats.faultsInjected[kind] ?? 0) + 1;
}
