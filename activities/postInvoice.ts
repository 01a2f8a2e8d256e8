import { ApplicationFailure } from '@temporalio/activity';
import { updateRun } from '../db/runs';
import { NetSuiteLoginError, NetSuiteThrottledError, NetSuiteUnavailableError } from '../netsuite/errors';
import { loadRunContext } from './context';
import { loadCredential } from './credential';
import type { ActivityDeps } from './deps';
import { toActivityFailure } from './netsuiteFailure';
import { withHeartbeat } from './heartbeat';
import type { CredentialSecret } from '../netsuite/tokenProvider';
import type { NetSuiteInvoice } from '../domain/invoiceBuilder';

/**
 * Sends the run's stored invoice with `PUT invoice/eid:<externalId>`. Safe to repeat: when an answer
 * is lost the retry updates the same invoice. A 401 means the cached token expired or was revoked:
 * fetch a new one and try once more before giving the attempt back to Temporal.
 */
export function makePostInvoice(deps: ActivityDeps) {
  return async function postInvoice({ runId }: { runId: string }): Promise<{ netsuiteId: string; url: string }> {
    const ctx = await loadRunContext(deps.db, runId);
    const invoice = ctx.run.invoiceBody;
    if (!invoice) throw ApplicationFailure.nonRetryable(`run ${runId} has no invoice body; build it first`, 'MissingInvoice');
    const credential = await loadCredential(deps, ctx.configRow);
    try {
      return await withHeartbeat(() => send(credential, invoice));
    } catch (error) {
      // Let users see that the run is alive and waiting on NetSuite, not stuck.
      if (error instanceof NetSuiteThrottledError) await updateRun(deps.db, runId, { status: 'RATE_LIMIT_RETRY', error: error.message });
      else if (error instanceof NetSuiteUnavailableError || error instanceof NetSuiteLoginError) await updateRun(deps.db, runId, { status: 'AWAITING_RETRY', error: error.message });
      throw toActivityFailure(error, deps.retry);
    }
  };

  async function send(credential: CredentialSecret, invoice: NetSuiteInvoice): Promise<{ netsuiteId: string; url: string }> {
    let token = await deps.tokens.get(credential);
    let posted: { internalId: string };
    try {
      posted = await deps.netsuite.upsertInvoice(credential.accountId, token, invoice);
    } catch (error) {
      if (!(error instanceof NetSuiteLoginError)) throw error;
      deps.tokens.invalidate(credential, token);
      token = await deps.tokens.get(credential);
      posted = await deps.netsuite.upsertInvoice(credential.accountId, token, invoice);
    }
    return { netsuiteId: posted.internalId, url: deps.netsuite.urls.invoiceUi(credential.accountId, posted.internalId) };
  }
}
