import { getBill, getLineItems } from '../db/bills';
import { findAccount } from '../db/accounts';
import { getConfig, parseConfigData } from '../db/configs';
import type { Db } from '../db/connect';
import { getRun } from '../db/runs';
import type { AccountRow, BillRow, IntegrationConfigRow, IntegrationRun } from '../db/schema';
import type { LineItem } from '../domain/bill';
import type { ConfigData } from '../domain/configData';
import { ApplicationFailure } from '@temporalio/activity';

export interface RunContext {
  run: IntegrationRun;
  configRow: IntegrationConfigRow;
  config: ConfigData;
  bill: BillRow;
  lineItems: LineItem[];
  account: AccountRow;
}

/**
 * Loads what one run works on, from the ids in workflow history. The bill is read at the version the
 * run started with, so a recalculation mid-run is sent by the next run, not half-mixed into this one.
 */
export async function loadRunContext(db: Db, runId: string, options: { latestVersion?: boolean } = {}): Promise<RunContext> {
  const run = await getRun(db, runId);
  if (!run) throw ApplicationFailure.nonRetryable(`integration run ${runId} does not exist`, 'MissingRun');
  const configRow = await getConfig(db, run.organizationId, run.configId);
  if (!configRow) throw ApplicationFailure.nonRetryable(`integration config ${run.configId} was deleted`, 'MissingConfig');
  const bill = await getBill(db, run.organizationId, run.entityId);
  if (!bill) throw ApplicationFailure.nonRetryable(`bill ${run.entityId} was deleted`, 'MissingBill');
  const account = await findAccount(db, run.organizationId, bill.accountId);
  if (!account) throw ApplicationFailure.nonRetryable(`account ${bill.accountId} of bill ${bill.id} was deleted`, 'MissingAccount');
  const version = options.latestVersion ? bill.version : (run.entityVersion ?? bill.version);
  const lineItems = await getLineItems(db, bill.id, version);
  return { run, configRow, config: parseConfigData(configRow.configData), bill, lineItems, account };
}
