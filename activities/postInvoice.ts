import { getConfig } from '../db/configs';
import { getRunToSend, noteRunWaiting, recordTypesBuiltBefore } from '../db/runs';
import { recordExternalId, type NetSuiteRecordType } from '../domain/externalId';
import type { NetSuiteInvoice } from '../domain/invoiceBuilder';
import { isPaid, paidReason } from '../netsuite/payments';
import { NetSuiteLoginError, NetSuitePeriodClosedError, NetSuiteThrottledError, NetSuiteUnavailableError } from '../netsuite/errors';
import type { CredentialSecret } from '../netsuite/tokenProvider';
import { loadCredential } from './credential';
import type { ActivityDeps } from './deps';
import { runFailure, toActivityFailure } from './failure';
import { withHeartbeat } from './heartbeat';

/**
 * Sends the run's stored record (an invoice, or a credit memo for a negative bill) with
 * `PUT {type}/eid:<externalId>`. Safe to repeat: when an answer is lost the retry updates the same
 * record. Before writing, it makes sure the write is one finance would want:
 * - the customer is NetSuite's, looked up by the m3ter account id (nothing is written for one it lacks);
 * - a record the bill was before it changed sign (an invoice, now a credit memo, or the reverse) is
 *   removed first, so never both count in NetSuite;
 * - an invoice that is paid, in full or in part, is left as it is.
 * A 401 means the cached token expired or was revoked: fetch a new one and try once more.
 *
 * This is the send itself, without a retry policy: postInvoice (below) and sendInvoiceNow
 * (./sendInvoiceNow.ts) decide what a failure means for the run.
 */
export function makeSendRun(deps: ActivityDeps) {
  return async function sendRun(runId: string): Promise<{ netsuiteId: string; url: string }> {
    // The stored body is all a send needs: a 10,000-line bill's lines are not read again on every retry.
    const run = await getRunToSend(deps.db, runId);
    if (!run?.invoiceBody) throw runFailure('subjectMissing', `run ${runId} has no invoice body; build it first`);
    const record = run.invoiceBody;
    const recordType = run.recordType ?? 'invoice';
    const config = await getConfig(deps.db, run.organizationId, run.configId);
    if (!config) throw runFailure('subjectMissing', `integration config ${run.configId} of run ${runId} no longer exists`);
    const credential = await loadCredential(deps, config);
    try {
      const internalId = await withFreshToken(credential, (token) => send(credential, token, run, recordType, record));
      return { netsuiteId: internalId, url: deps.netsuite.urls.recordUi(credential.accountId, recordType, internalId) };
    } catch (error) {
      if (error instanceof NetSuitePeriodClosedError) throw runFailure('periodClosed', periodClosedReason(recordType, record, error));
      throw error;
    }
  };

  async function send(credential: CredentialSecret, token: string, run: { id: string; configId: string; entityId: string }, recordType: NetSuiteRecordType, built: NetSuiteInvoice): Promise<string> {
    const account = credential.accountId;
    const record = await withCustomer(credential, token, built);

    const builtBefore = await recordTypesBuiltBefore(deps.db, run);
    const other: NetSuiteRecordType = recordType === 'invoice' ? 'creditMemo' : 'invoice';
    if (builtBefore.has(other)) {
      const previous = await deps.netsuite.findRecord(account, token, other, recordExternalId(other, run.configId, run.entityId));
      if (previous) {
        if (other === 'invoice' && isPaid(previous)) throw runFailure('invoiceAlreadyPaid', paidReason(previous, `the bill is now a credit, so the invoice would have to go`));
        await deps.netsuite.deleteRecord(account, token, other, previous.id);
      }
    }
    if (recordType === 'invoice' && builtBefore.has('invoice')) {
      const current = await deps.netsuite.findRecord(account, token, 'invoice', record.externalId);
      if (current && isPaid(current)) throw runFailure('invoiceAlreadyPaid', paidReason(current, 'an update would change what was paid'));
    }
    return (await deps.netsuite.upsertRecord(account, token, recordType, record)).internalId;
  }

  /** The record with its customer as NetSuite's internal id, when the build referenced the customer by the m3ter account id. */
  async function withCustomer(credential: CredentialSecret, token: string, record: NetSuiteInvoice): Promise<NetSuiteInvoice> {
    const externalId = record.entity.externalId;
    if (!externalId || record.entity.id) return record;
    const id = await deps.customers.resolve(credential, token, externalId);
    if (!id) {
      throw runFailure(
        'missingAccountMapping',
        `NetSuite account ${credential.accountId} has no customer with External ID ${externalId} (the m3ter account id): create the customer with that External ID in NetSuite, ` +
          'or map the account to an existing customer (an external mapping Account → NetSuite Customer, with Use external mapping account code on); nothing was sent',
      );
    }
    return { ...record, entity: { id } };
  }

  /** Runs `fn` with the credential's token; on 401 (expired or revoked), once more with a new one. */
  async function withFreshToken<T>(credential: CredentialSecret, fn: (token: string) => Promise<T>): Promise<T> {
    const token = await deps.tokens.get(credential);
    try {
      return await fn(token);
    } catch (error) {
      if (!(error instanceof NetSuiteLoginError)) throw error;
      deps.tokens.invalidate(credential, token);
      return fn(await deps.tokens.get(credential));
    }
  }
}

function periodClosedReason(recordType: NetSuiteRecordType, record: NetSuiteInvoice, error: NetSuitePeriodClosedError): string {
  return (
    `${error.message}. The ${recordType === 'invoice' ? 'invoice' : 'credit memo'} dated ${record.tranDate} falls in an accounting period NetSuite has closed or locked; ` +
    'nothing was sent. Reopen the period in NetSuite (Setup > Accounting > Manage Accounting Periods) and re-run the bill, or leave it if the period stays closed'
  );
}

/**
 * The send as the activity the server schedules, for sends that may have to wait: it heartbeats while
 * NetSuite answers (a dead worker's call is retried within seconds), shows a throttled or unreachable
 * NetSuite on the run, and retries on the policy's delays until it gives up (activities/failure.ts).
 */
export function makePostInvoice(deps: ActivityDeps) {
  const sendRun = makeSendRun(deps);
  return async function postInvoice({ runId }: { runId: string }): Promise<{ netsuiteId: string; url: string }> {
    try {
      return await withHeartbeat(() => sendRun(runId));
    } catch (error) {
      // Let users see that the run is alive and waiting on NetSuite, not stuck.
      if (error instanceof NetSuiteThrottledError) await noteRunWaiting(deps.db, runId, 'RATE_LIMIT_RETRY', error.message);
      else if (error instanceof NetSuiteUnavailableError || error instanceof NetSuiteLoginError) await noteRunWaiting(deps.db, runId, 'AWAITING_RETRY', error.message);
      throw toActivityFailure(error, deps.retry);
    }
  };
}
