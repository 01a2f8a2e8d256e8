import { getBill } from '../db/bills';
import { getRun } from '../db/runs';
import type { FilterOutcome } from '../domain/filters';
import type { ActivityDeps } from './deps';
import { makeBuildInvoice, type BuildOutcome } from './buildInvoice';
import { makeEvaluateFilters, type RunVerdict } from './evaluateFilters';
import { makeStartRun, type StartRunInput } from './startRun';

/** Not started (its hand-offs are answered already), sent already, stopped or held by the filters, or built. */
export type PreparedRun =
  | { started: false }
  | { started: true; verdict: RunVerdict & { outcome: 'SEND' }; sentAlready: { netsuiteId: string; url: string } }
  | { started: true; verdict: RunVerdict & { outcome: Exclude<FilterOutcome, 'SEND'> } }
  | { started: true; verdict: RunVerdict & { outcome: 'SEND' }; built: BuildOutcome };

/**
 * Everything before the send, as one local activity: record the run (startRun), apply the filters to
 * the bill as it is now (evaluateFilters) and, when they say SEND, build the invoice (buildInvoice).
 * One step instead of three because each step of a workflow task costs the worker a round trip
 * between its threads (README, Benchmarks); each part writes what it decided to the run, and all of
 * them are safe to repeat, so a retry after a lost answer redoes the whole as it would each part.
 */
export function makePrepareRun(deps: ActivityDeps) {
  const startRun = makeStartRun(deps);
  const evaluateFilters = makeEvaluateFilters(deps);
  const buildInvoice = makeBuildInvoice(deps);
  return async function prepareRun(input: StartRunInput): Promise<PreparedRun> {
    // The same run id COMPLETE already: its workflow task is being done again, because events came in
    // while it sent and the server refused to close the workflow without them (the quick send's results
    // were in that refused task). Sending the version NetSuite already has would be a second write.
    if (!input.resumesWaitingRun) {
      const earlier = await getRun(deps.db, input.runId);
      const bill = earlier?.status === 'COMPLETE' && earlier.externalId ? await getBill(deps.db, input.organizationId, input.billId) : undefined;
      if (earlier?.externalId && bill && bill.version === earlier.entityVersion) {
        const verdict = { outcome: 'SEND' as const, reason: 'sent already by this run', billVersion: bill.version, billStatus: bill.status, accountId: bill.accountId };
        return { started: true, verdict, sentAlready: { netsuiteId: earlier.externalId, url: earlier.url ?? '' } };
      }
    }
    const { started } = await startRun(input);
    if (!started) return { started };
    const verdict = await evaluateFilters({ runId: input.runId });
    const { outcome } = verdict;
    if (outcome !== 'SEND') return { started, verdict: { ...verdict, outcome } };
    return { started, verdict: { ...verdict, outcome }, built: await buildInvoice({ runId: input.runId }) };
  };
}
