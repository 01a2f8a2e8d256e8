import type { FaultRates, FaultSpec, ScriptedFault } from './faults';
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
  createdDate: string;
  lastModifiedDate: string;
  item: { items: InvoiceLineView[]; totalResults: number };
  writes: number;
  [field: string]: unknown;
}

export type AdminInvoice = AdminTransaction;
export type AdminCreditMemo = AdminTransaction;

export type EmulatorStats = AccountStats & { pendingFaults: number };

export type { FaultRates, FaultSpec, ScriptedFault, TransactionType };
