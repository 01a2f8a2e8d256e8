import { updateRun } from '../db/runs';
import type { FilterOutcome } from '../domain/filters';
import { loadRunContext, type RunContext } from './context';
import type { ActivityDeps } from './deps';
import { planFilters } from '../usecases/syncPlan';

/** What the filters decided for a run, as the workflow needs it: the checks themselves stay on the run. */
export interface RunVerdict {
  outcome: FilterOutcome;
  reason: string;
  billVersion: number;
  billStatus: string;
  accountId: string;
}

/**
 * Applies the integration's filters to the bill and records every verdict on the run. Returns the
 * verdict and what it was evaluated on, the run as now recorded, for the build to use as it is.
 */
export function makeEvaluateFilters({ db }: ActivityDeps) {
  return async function evaluateFilters({ runId }: { runId: string }): Promise<{ verdict: RunVerdict; context: RunContext }> {
    // Filters look at the bill as it is now (it may have been recalculated while the run waited for
    // approval), and pin the run to that version for the steps after.
    const ctx = await loadRunContext(db, runId, { latestVersion: true });
    const verdict = planFilters(ctx);
    const last = verdict.checks[verdict.checks.length - 1];
    const run = await updateRun(db, runId, {
      entityVersion: ctx.billVersion,
      decisions: JSON.stringify(verdict.checks.map((c) => ({ kind: 'filter' as const, ...c }))),
    });
    return {
      verdict: { outcome: verdict.outcome, reason: last?.reason ?? '', billVersion: ctx.billVersion, billStatus: ctx.bill.status, accountId: ctx.bill.accountId },
      context: { ...ctx, run },
    };
  };
}
