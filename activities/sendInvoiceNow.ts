import { ApplicationFailure } from '@temporalio/activity';
import { withCallLimits } from '../netsuite/callLimits';
import { QUICK_SEND_LIMITS } from '../netsuite/throttling';
import type { ActivityDeps } from './deps';
import { finalFailure } from './failure';
import { makeFinishRun } from './finishRun';
import { makeSendRun } from './postInvoice';

/**
 * The bill sync's first try at a send, run inside its workflow task (a local activity): send once,
 * and on success record the run COMPLETE, so a bill NetSuite takes at once costs one workflow task and
 * no scheduled activity. It never waits long (QUICK_SEND_LIMITS): a slot not free within 2 s, a
 * request not answered within 8 s, a 429, a NetSuite that is away — anything a retry may mend — fails
 * it retryably, and the workflow (which runs it once) hands the bill to postInvoice, which waits,
 * heartbeats and retries. A refusal retrying cannot help fails it for good, and ends the run as it
 * would there. A worker that dies mid-send leaves no result: the workflow task times out and the next
 * worker finds the run ended, or sends again, which updates the same record (PUT by externalId).
 */
export function makeSendInvoiceNow(deps: ActivityDeps) {
  const sendRun = makeSendRun(deps);
  const finishRun = makeFinishRun(deps);
  return async function sendInvoiceNow({ runId }: { runId: string }): Promise<{ netsuiteId: string; url: string; counts: boolean }> {
    let posted: { netsuiteId: string; url: string };
    try {
      posted = await withCallLimits(QUICK_SEND_LIMITS, () => sendRun(runId));
    } catch (error) {
      const final = finalFailure(error);
      if (final) throw final;
      deps.logger.debug({ runId, err: error }, 'quick send deferred to the scheduled send');
      throw ApplicationFailure.retryable(error instanceof Error ? error.message : String(error), 'QuickSendDeferred');
    }
    const { counts } = await finishRun({ runId, status: 'COMPLETE', netsuiteId: posted.netsuiteId, url: posted.url });
    return { ...posted, counts };
  };
}
