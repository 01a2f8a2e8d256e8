import { toAccountView } from '../db/accounts';
import { updateRun } from '../db/runs';
import { compileAccountFilter } from '../domain/accountFilter';
import { evaluateFilters as decide, type FilterOutcome } from '../domain/filters';
import { loadRunContext } from './context';
import type { ActivityDeps } from './deps';

/** Applies the integration's filters to the bill and records every verdict on the run. */
export function makeEvaluateFilters({ db }: ActivityDeps) {
  return async function evaluateFilters({ runId }: { runId: string }): Promise<{ outcome: FilterOutcome; reason: string; billVersion: number; billStatus: string }> {
    // Filters look at the bill as it is now (it may have been recalculated while the run waited for
    // approval), and pin the run to that version for the steps after.
    const ctx = await loadRunContext(db, runId, { latestVersion: true });
    const filter = compileAccountFilter(ctx.config.accountFilter);
    const verdict = decide({
      config: ctx.config,
      enabled: ctx.configRow.enabled,
      disabledReason: ctx.configRow.disabledReason,
      credentialConnected: ctx.configRow.integrationCredentialsId !== null,
      account: toAccountView(ctx.account),
      billStatus: ctx.bill.status,
      lineItemTypes: ctx.lineItems.map((l) => l.lineItemType),
      accountFilterMatches: filter,
    });
    const last = verdict.checks[verdict.checks.length - 1];
    await updateRun(db, runId, {
      entityVersion: ctx.bill.version,
      decisions: JSON.stringify(verdict.checks.map((c) => ({ kind: 'filter' as const, ...c }))),
    });
    return { outcome: verdict.outcome, reason: last?.reason ?? '', billVersion: ctx.bill.version, billStatus: ctx.bill.status };
  };
}
