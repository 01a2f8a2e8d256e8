import type { FaultRates, FaultSpec, ScriptedFault } from './faults';
import type { TransactionStatus } from './payments';
import type { AccountStats, ReferenceTarget, TransactionType } from './state';

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

/** A payment applied to one invoice, named by internal id or external id (exactly one of them). */
export interface PaymentInput {
  invoiceId?: string;
  externalId?: string;
  /** Positive, to the cent, at most what remains on the invoice. */
  amount: number;
}

export type EmulatorStats = AccountStats & { pendingFaults: number };

export type { FaultRates, FaultSpec, ScriptedFault, TransactionStatus, TransactionType };
