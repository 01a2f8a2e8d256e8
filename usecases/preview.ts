import { loadSubject, planFilters, planInvoice } from './syncPlan';
import type { Db } from '../db/connect';
import type { Decision, NetSuiteInvoice } from '../domain/invoiceBuilder';
import type { FilterCheck, FilterOutcome } from '../domain/filters';

export interface Preview {
  configId: string;
  billId: string;
  billVersion: number;
  /** What a real sync would do now: SEND, or why it would not. */
  outcome: FilterOutcome | 'ERROR';
  filters: FilterCheck[];
  /** The exact body of `PUT invoice/eid:{externalId}`, also when a filter would stop the send. */
  invoice?: NetSuiteInvoice;
  decisions: Decision[];
  error?: string;
}

/**
 * The dry run: every filter's verdict, the exact invoice body and every decision for one (config,
 * bill), computed by the same code as a real sync, with nothing sent and nothing recorded.
 */
export async function previewBill(db: Db, organizationId: string, configId: string, billId: string): Promise<Preview> {
  const subject = await loadSubject(db, { organizationId, configId, billId });
  const verdict = planFilters(subject);
  const built = await planInvoice(db, subject);
  const base = { configId, billId, billVersion: subject.billVersion, filters: verdict.checks, decisions: built.decisions };
  if (!built.ok) return { ...base, outcome: verdict.outcome === 'SEND' ? 'ERROR' : verdict.outcome, error: built.reason };
  return { ...base, outcome: verdict.outcome, invoice: built.invoice };
}
