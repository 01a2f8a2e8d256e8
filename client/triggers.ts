import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { getBill } from '../db/bills';
import { listBillConfigs } from '../db/configs';
import type { Db } from '../db/connect';
import { billSyncWorkflowId } from '../domain/externalId';
import type { BillSyncInput } from '../workflows/billSync';
import { billSyncSearchAttributes } from '../workflows/searchAttributes';
import { billEventSignal, type BillEventKind } from '../workflows/signals';

export interface TriggerDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/**
 * Tells every NetSuite integration of the organization that a bill was calculated or approved:
 * signalWithStart on the (config, bill) workflow id, so a running sync hears about it and otherwise a
 * new one starts. Repeating this is harmless: one workflow id, one invoice externalId.
 */
export async function notifyBillEvent(deps: TriggerDeps, event: { organizationId: string; billId: string; kind: BillEventKind }): Promise<string[]> {
  const bill = await getBill(deps.db, event.organizationId, event.billId);
  if (!bill) return [];
  const configs = await listBillConfigs(deps.db, event.organizationId);
  const started: string[] = [];
  for (const config of configs) {
    const workflowId = billSyncWorkflowId(config.id, bill.id);
    const input: BillSyncInput = { organizationId: event.organizationId, configId: config.id, billId: bill.id, trigger: event.kind };
    await deps.temporal.workflow.signalWithStart('billSync', {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [input],
      signal: billEventSignal,
      signalArgs: [{ kind: event.kind }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: billSyncSearchAttributes({ organizationId: event.organizationId, configId: config.id, billId: bill.id, accountId: bill.accountId }),
      staticSummary: `Bill ${bill.id} → NetSuite (${config.name})`,
    });
    started.push(workflowId);
  }
  return started;
}
