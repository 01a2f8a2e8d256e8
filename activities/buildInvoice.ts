import { updateRun } from '../db/runs';
import type { FailureKind } from '../domain/failure';
import type { RunContext } from './context';
import type { ActivityDeps } from './deps';
import { planInvoice } from '../usecases/syncPlan';

export type BuildOutcome = { ok: true; lineCount: number; totalCents: number } | { ok: false; failure: FailureKind; reason: string };

/**
 * Builds the NetSuite invoice for the run's bill version and stores it on the run, so the post step
 * (and a user reading the run) sees exactly this body; only a summary goes back to the workflow. It
 * builds from what the filters were just evaluated on (evaluateFilters' context), not a second read.
 */
export function makeBuildInvoice({ db }: ActivityDeps) {
  return async function buildInvoice(ctx: RunContext): Promise<BuildOutcome> {
    const runId = ctx.run.id;
    const result = await planInvoice(db, ctx);
    const decisions = [...ctx.run.decisions, ...result.decisions];
    if (!result.ok) {
      await updateRun(db, runId, { decisions: JSON.stringify(decisions) });
      return { ok: false, failure: result.failure, reason: result.reason };
    }
    await updateRun(db, runId, { decisions: JSON.stringify(decisions), invoiceBody: JSON.stringify(result.invoice), invoiceExternalId: result.invoice.externalId, recordType: result.recordType });
    return { ok: true, lineCount: result.invoice.item.items.length, totalCents: result.totalCents };
  };
}
