import type { ActivityDeps } from './deps';
import { makeDisableIntegration, makeNotifyDisabled } from './disableIntegration';
import { makeFinishRun } from './finishRun';
import { makeMirrorPass } from './mirrorPass';
import { makePostInvoice } from './postInvoice';
import { makePrepareRun } from './prepareRun';
import { makeReportOutcome } from './reportOutcome';
import { makeSendInvoiceNow } from './sendInvoiceNow';
import { makeBillState } from './startRun';

export type { ActivityDeps, ActivityMetrics } from './deps';
export type { RunOutcome } from './finishRun';
export type { PreparedRun } from './prepareRun';

/** Every activity of the bill sync, bound to its dependencies; the worker registers this object. */
export function createActivities(deps: ActivityDeps) {
  return {
    billState: makeBillState(deps),
    prepareRun: makePrepareRun(deps),
    sendInvoiceNow: makeSendInvoiceNow(deps),
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
