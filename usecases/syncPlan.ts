import { findAccount, toAccountView } from '../db/accounts';
import { getBill, getLineItems } from '../db/bills';
import { getConfig, parseConfigData } from '../db/configs';
import type { Db } from '../db/connect';
import { mappingsFor } from '../db/mappings';
import type { AccountRow, BillRow, IntegrationConfigRow } from '../db/schema';
import { compileAccountFilter } from '../domain/accountFilter';
import type { LineItem } from '../domain/bill';
import type { ConfigData } from '../domain/configData';
import { evaluateFilters, type FilterVerdict } from '../domain/filters';
import { buildInvoice, type BuildResult } from '../domain/invoiceBuilder';

export class PlanSubjectMissingError extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'PlanSubjectMissingError';
  }
}

/** Everything one (config, bill) sync looks at, read from the database at one bill version. */
export interface SyncSubject {
  configRow: IntegrationConfigRow;
  config: ConfigData;
  bill: BillRow;
  billVersion: number;
  lineItems: LineItem[];
  account: AccountRow;
}

export async function loadSubject(db: Db, ids: { organizationId: string; configId: string; billId: string; billVersion?: number | null }): Promise<SyncSubject> {
  const configRow = await getConfig(db, ids.organizationId, ids.configId);
  if (!configRow) throw new PlanSubjectMissingError(`integration config ${ids.configId} does not exist in this organization`);
  const bill = await getBill(db, ids.organizationId, ids.billId);
  if (!bill) throw new PlanSubjectMissingError(`bill ${ids.billId} does not exist in this organization`);
  const account = await findAccount(db, ids.organizationId, bill.accountId);
  if (!account) throw new PlanSubjectMissingError(`account ${bill.accountId} of bill ${bill.id} does not exist`);
  const billVersion = ids.billVersion ?? bill.version;
  const lineItems = await getLineItems(db, bill.id, billVersion);
  return { configRow, config: parseConfigData(configRow.configData), bill, billVersion, lineItems, account };
}

/** The filters of the guide applied to the subject; nothing is written. */
export function planFilters(subject: SyncSubject): FilterVerdict {
  return evaluateFilters({
    config: subject.config,
    enabled: subject.configRow.enabled,
    disabledReason: subject.configRow.disabledReason,
    credentialConnected: subject.configRow.integrationCredentialsId !== null,
    account: toAccountView(subject.account),
    billStatus: subject.bill.status,
    lineItemTypes: subject.lineItems.map((l) => l.lineItemType),
    accountFilterMatches: compileAccountFilter(subject.config.accountFilter),
  });
}

/** The exact invoice a send would put on the wire, with every decision behind it; nothing is sent. */
export async function planInvoice(db: Db, subject: SyncSubject): Promise<BuildResult> {
  const ids = [subject.account.id, subject.bill.currency, ...subject.lineItems.flatMap((l) => (l.productId ? [l.productId] : []))];
  const mappings = await mappingsFor(db, subject.configRow.organizationId, ids);
  return buildInvoice({
    configId: subject.configRow.id,
    config: subject.config,
    account: toAccountView(subject.account),
    mappings,
    bill: { ...subject.bill, lineItems: subject.lineItems },
  });
}
