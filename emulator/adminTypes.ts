import type { FaultRates, FaultSpec, ScriptedFault } from './faultTypes';
import type { TransactionStatus } from './payments';
import type { AccountStats, ClosedPeriodCreates, PeriodLock, ReferenceTarget, TransactionType } from './state';

/** Wire shapes of the admin API, shared by the server side and the typed client. */
export interface AccountSummary {
  accountId: string;
  hostForm: string;
  /** `{emulator url}/{hostForm}`: what the service under test uses in place of `https://{host}.suitetalk.api.netsuite.com`. */
  baseUrl: string;
  tokenUrl: string;
  concurrencyLimit: number;
  latencyMs: number;
  revokeTokensEveryN: number | null;
  /** What a create dated in a closed or A/R-locked period does: refused, or posted in the next open month. */
  closedPeriodCreates: ClosedPeriodCreates;
}

export interface AccountDetail extends AccountSummary {
  certificates: Array<{ certificateId: string; clientId: string }>;
  customers: ReferenceTarget[];
  items: ReferenceTarget[];
  customFields: string[];
}

export interface CreateAccountInput {
  accountId: string;
  concurrencyLimit?: number;
  latencyMs?: number;
}

export interface AccountSettings {
  concurrencyLimit?: number;
  latencyMs?: number;
  /** `null` switches periodic revocation off. */
  revokeTokensEveryN?: number | null;
  closedPeriodCreates?: ClosedPeriodCreates;
}

export interface CertificateInput {
  accountId: string;
  certificateId: string;
  clientId: string;
  certificatePem: string;
}

export interface ReferenceInput {
  accountId: string;
  id?: string;
  externalId?: string;
  name: string;
}

export interface CustomFieldInput {
  accountId: string;
  scriptId: string;
}

export interface InvoiceLineView {
  line: number;
  item: { id: string; refName?: string };
  quantity?: number;
  rate?: number;
  amount?: number;
  description?: string;
  [field: string]: unknown;
}

/** An invoice or credit memo as stored, sublist expanded, plus its type and how many times it was written. */
export interface AdminTransaction {
  type: TransactionType;
  id: string;
  externalId?: string;
  entity: { id: string; refName?: string };
  tranDate: string;
  /** `{ refName: 'Nov 2026' }`: the month of tranDate, or the next open one for a create moved out of a closed period. */
  postingPeriod: { refName: string };
  total: number;
  /** Payments recorded through the admin API; always 0 for a credit memo. */
  amountPaid: number;
  amountRemaining: number;
  amountRemainingTotalBox: number;
  status: { id: TransactionStatus; refName: string };
  createdDate: string;
  lastModifiedDate: string;
  item: { items: InvoiceLineView[]; totalResults: number };
  writes: number;
  [field: string]: unknown;
}

export type AdminInvoice = AdminTransaction;
export type AdminCreditMemo = AdminTransaction;

/** A locked accounting period; months not listed are open. */
export interface AccountingPeriodView {
  /** `YYYY-MM` */
  period: string;
  /** NetSuite's name, e.g. `Nov 2026`. */
  refName: string;
  kind: PeriodLock;
}

/** A payment applied to one invoice, named by internal id or external id (exactly one of them). */
export interface PaymentInput {
  invoiceId?: string;
  externalId?: string;
  /** Positive, to the cent, at most what remains on the invoice. */
  amount: number;
}

export type EmulatorStats = AccountStats & { pendingFaults: number };

export type { ClosedPeriodCreates, FaultRates, FaultSpec, PeriodLock, ScriptedFault, TransactionStatus, TransactionType };
