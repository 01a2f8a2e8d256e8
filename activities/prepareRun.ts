import { getBill } from '../db/bills';
import type { Db } from '../db/connect';
import { getRunEvent } from '../db/events';
import { getRun } from '../db/runs';
import { countsTowardsDisable, failureKindOf } from '../domain/failure';
import { TERMINAL_STATUSES } from '../domain/runStatus';
import type { RunOutcome } from './finishRun';
import type { FilterOutcome } from '../domain/filters';
import type { ActivityDeps } from './deps';
import { makeBuildInvoice, type BuildOutcome } from './buildInvoice';
import { makeEvaluateFilters, type RunVerdict } from './evaluateFilters';
import { makeStartRun, type StartRunInput } from './startRun';

/** Not started (its hand-offs are answered already), ended already, stopped or held by the filters, or built. */
export type PreparedRun =
  | { started: false }
  | { started: true; verdict: RunVerdict; ended: RunOutcome; counts: boolean }
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
    // The same run id ended already: its workflow task is being done again — events came in while it
    // sent and the server refused to close the workflow without them (the quick send's result was in
    // that refused task), or its worker died after the run was recorded. The end stands, whatever the
    // bill has become since: a finished run is never started again (that would reset it to STARTED and
    // send it again as if it had never sent). The workflow decides what the new events ask for.
    const ended = await endedRun(deps.db, input);
    if (ended) return ended;
    const { started } = await startRun(input);
    if (!started) return { started };
    const { verdict, context } = await evaluateFilters({ runId: input.runId });
    const { outcome } = verdict;
    if (outcome !== 'SEND') return { started, verdict: { ...verdict, outcome } };
    return { started, verdict: { ...verdict, outcome }, built: await buildInvoice(context) };
  };
}

async function endedRun(db: Db, input: StartRunInput): Promise<PreparedRun | undefined> {
  const run = await getRun(db, input.runId);
  if (!run || !(TERMINAL_STATUSES as readonly string[]).includes(run.status)) return undefined;
  const bill = await getBill(db, input.organizationId, input.billId);
  const failure = (await getRunEvent(db, run.id))?.details.failure;
  const ended: RunOutcome = {
    runId: run.id,
    status: run.status,
    ...(run.error ? { reason: run.error } : {}),
    ...(typeof failure === 'string' ? { failure: failureKindOf(failure) } : {}),
    ...(run.externalId ? { netsuiteId: run.externalId } : {}),
    ...(run.url ? { url: run.url } : {}),
  };
  // The version the run ended on, so the workflow can tell a newer one; the account as it is now.
  const verdict = { outcome: 'SEND' as const, reason: 'ended already', billVersion: run.entityVersion ?? 0, billStatus: bill?.status ?? 'PENDING', accountId: bill?.accountId ?? '' };
  // Told to the failure counter again (it counts a run once), as the lost task would have told it.
  const counts = ended.failure ? countsTowardsDisable(ended.failure) : run.status === 'COMPLETE';
  return { started: true, verdict, ended, counts };
}
