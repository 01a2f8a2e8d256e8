import type {
  AccountDetail,
  AccountSettings,
  AccountSummary,
  AccountingPeriodView,
  AdminCreditMemo,
  AdminInvoice,
  CertificateInput,
  CreateAccountInput,
  CustomFieldInput,
  EmulatorStats,
  FaultRates,
  FaultSpec,
  PaymentInput,
  PeriodLock,
  ReferenceInput,
  ScriptedFault,
} from './adminTypes';
import type { ReferenceTarget } from './state';

/** A typed client for the emulator's `/_admin` API. Account ids may be given as `1234567_SB1` or `1234567-sb1`. */
export class EmulatorAdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'EmulatorAdminError';
  }
}

export class AdminClient {
  constructor(readonly url: string) {}

  reset(): Promise<void> {
    return this.call('POST', '/reset');
  }

  createAccount(input: CreateAccountInput): Promise<AccountSummary> {
    return this.call('POST', '/accounts', input);
  }

  listAccounts(): Promise<AccountSummary[]> {
    return this.call('GET', '/accounts');
  }

  getAccount(accountId: string): Promise<AccountDetail> {
    return this.call('GET', this.accountPath(accountId));
  }

  updateSettings(accountId: string, settings: AccountSettings): Promise<AccountSummary> {
    return this.call('PATCH', `${this.accountPath(accountId)}/settings`, settings);
  }

  setLatency(accountId: string, latencyMs: number): Promise<AccountSummary> {
    return this.updateSettings(accountId, { latencyMs });
  }

  setConcurrencyLimit(accountId: string, concurrencyLimit: number): Promise<AccountSummary> {
    return this.updateSettings(accountId, { concurrencyLimit });
  }

  setRevokeTokensEveryN(accountId: string, revokeTokensEveryN: number | null): Promise<AccountSummary> {
    return this.updateSettings(accountId, { revokeTokensEveryN });
  }

  registerCertificate({ accountId, ...certificate }: CertificateInput): Promise<{ certificateId: string; clientId: string }> {
    return this.call('POST', `${this.accountPath(accountId)}/certificates`, certificate);
  }

  removeCertificate(accountId: string, certificateId: string): Promise<void> {
    return this.call('DELETE', `${this.accountPath(accountId)}/certificates/${encodeURIComponent(certificateId)}`);
  }

  addCustomer({ accountId, ...customer }: ReferenceInput): Promise<ReferenceTarget> {
    return this.call('POST', `${this.accountPath(accountId)}/customers`, customer);
  }

  addItem({ accountId, ...item }: ReferenceInput): Promise<ReferenceTarget> {
    return this.call('POST', `${this.accountPath(accountId)}/items`, item);
  }

  addCustomField({ accountId, scriptId }: CustomFieldInput): Promise<{ scriptId: string }> {
    return this.call('POST', `${this.accountPath(accountId)}/customFields`, { scriptId });
  }

  /** Invoices only (credit memos have their own list), with payments, balance and posting period. */
  listInvoices(accountId: string): Promise<AdminInvoice[]> {
    return this.call('GET', `${this.accountPath(accountId)}/invoices`);
  }

  listCreditMemos(accountId: string): Promise<AdminCreditMemo[]> {
    return this.call('GET', `${this.accountPath(accountId)}/creditMemos`);
  }

  /** Closes (or only A/R-locks) the month `YYYY-MM`: writes touching a transaction dated in it are refused. */
  closePeriod(accountId: string, period: string, kind: PeriodLock): Promise<AccountingPeriodView> {
    return this.call('PUT', this.periodPath(accountId, period), { kind });
  }

  /** Reopens the month; reopening an open month is harmless. */
  reopenPeriod(accountId: string, period: string): Promise<void> {
    return this.call('DELETE', this.periodPath(accountId, period));
  }

  /** The locked periods, oldest first; months not listed are open. */
  listPeriods(accountId: string): Promise<AccountingPeriodView[]> {
    return this.call('GET', `${this.accountPath(accountId)}/periods`);
  }

  /** Applies a customer payment to an invoice; refused (400) when it exceeds what remains. Answers the invoice after it. */
  recordPayment(accountId: string, payment: PaymentInput): Promise<AdminInvoice> {
    return this.call('POST', `${this.accountPath(accountId)}/payments`, payment);
  }

  getStats(accountId: string): Promise<EmulatorStats> {
    return this.call('GET', `${this.accountPath(accountId)}/stats`);
  }

  resetPeak(accountId: string): Promise<EmulatorStats> {
    return this.call('POST', `${this.accountPath(accountId)}/stats/resetPeak`);
  }

  /** Appends to the account's FIFO of faults; each is consumed by the next request it matches. */
  scriptFaults(accountId: string, faults: FaultSpec[]): Promise<{ pendingFaults: number }> {
    return this.call('POST', `${this.accountPath(accountId)}/faults`, { faults });
  }

  listFaults(accountId: string): Promise<ScriptedFault[]> {
    return this.call('GET', `${this.accountPath(accountId)}/faults`);
  }

  clearFaults(accountId: string): Promise<void> {
    return this.call('DELETE', `${this.accountPath(accountId)}/faults`);
  }

  /** Rates are probabilities (0..1, summing to at most 1); `seed` restarts the account's PRNG. */
  setFaultRates(accountId: string, rates: FaultRates & { seed?: number }): Promise<FaultRates> {
    return this.call('PUT', `${this.accountPath(accountId)}/faultRates`, rates);
  }

  revokeTokens(accountId: string): Promise<{ revoked: number }> {
    return this.call('POST', `${this.accountPath(accountId)}/revokeTokens`);
  }

  /** The values of every access token issued for the account (test-only insight, for secret scans). */
  issuedTokens(accountId: string): Promise<string[]> {
    return this.call('GET', `${this.accountPath(accountId)}/issuedTokens`);
  }

  private accountPath(accountId: string): string {
    return `/accounts/${encodeURIComponent(accountId)}`;
  }

  private periodPath(accountId: string, period: string): string {
    return `${this.accountPath(accountId)}/periods/${encodeURIComponent(period)}`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/_admin${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // Not JSON: keep the raw text.
      }
      throw new EmulatorAdminError(response.status, `${method} /_admin${path} failed with ${response.status}: ${message}`);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}
