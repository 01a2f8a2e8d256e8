import { makeBuildInvoice } from './buildInvoice';
import type { ActivityDeps } from './deps';
import { makeDisableIntegration, makeNotifyDisabled } from './disableIntegration';
import { makeEvaluateFilters } from './evaluateFilters';
import { makeFinishRun } from './finishRun';
import { makeMirrorPass } from './mirrorPass';
import { makePostInvoice } from './postInvoice';
import { makeReportOutcome } from './reportOutcome';
import { makeBillState, makeStartRun } from './startRun';

export type { ActivityDeps, ActivityMetrics } from './deps';
export type { RunOutcome } from './finishRun';

/** Every activity of the bill sync, bound to its dependencies; the worker registers this object. */
export function createActivities(deps: ActivityDeps) {
  return {
    billState: makeBillState(deps),
    startRun: makeStartRun(deps),
    evaluateFilters: makeEvaluateFilters(deps),
    buildInvoice: makeBuildInvoice(deps),
    postInvoice: makePostInvoice(deps),
    finishRun: makeFinishRun(deps),
    reportOutcome: makeReportOutcome(deps),
    disableIntegration: makeDisableIntegration(deps),
    notifyDisabled: makeNotifyDisabled(deps),
    mirrorPass: makeMirrorPass(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type BillSyncActivities = Activities;
export type FailureActivities = Pick<Activities, 'disableIntegration' | 'notifyDisabled'>;
export type MirrorActivities = Pick<Activities, 'mirrorPass'>;
export type { MirrorPassInput, MirrorPassResult } from './mirrorPass';
