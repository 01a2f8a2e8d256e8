import { getConfig } from '../db/configs';
import { getRunToSend, updateRun } from '../db/runs';
import { NetSuiteLoginError, NetSuiteThrottledError, NetSuiteUnavailableError } from '../netsuite/errors';
import { loadCredential } from './credential';
import type { ActivityDeps } from './deps';
import { runFailure, toActivityFailure } from './failure';
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
    // The stored body is all a send needs: a 10,000-line bill's lines are not read again on every retry.
    const run = await getRunToSend(deps.db, runId);
    if (!run?.invoiceBody) throw runFailure('subjectMissing', `run ${runId} has no invoice body; build it first`);
    const invoice = run.invoiceBody;
    const config = await getConfig(deps.db, run.organizationId, run.configId);
    if (!config) throw runFailure('subjectMissing', `integration config ${run.configId} of run ${runId} no longer exists`);
    const credential = await loadCredential(deps, config);
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
    return { netsuiteId: posted.internalId, url: deps.netsuite.urls.recordUi(credential.accountId, 'invoice', posted.internalId) };
  }
}
