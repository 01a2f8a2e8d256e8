import type { Client } from '@temporalio/client';
import type { Db } from '../db/connect';
import { billSyncWorkflowId, type BillSyncResult, type BillSyncWorkflow } from '../temporal/contract';
import { waitForDelivery, type Handoff } from './outbox';

/**
 * Waits for what these hand-offs caused: each delivered, then each bill sync that received one run to
 * its end (the run it was delivered to, not a later one). Returns the syncs' results. For the demo, the
 * CLI and tests; the service itself never waits.
 */
export async function waitForSyncs(deps: { db: Db; temporal: Client }, handoffs: readonly Handoff[], options: { timeoutMs?: number } = {}): Promise<BillSyncResult[]> {
  const delivered = await waitForDelivery(deps.db, handoffs, options);
  const syncs = new Map<string, { workflowId: string; runId: string }>();
  for (const h of delivered) {
    if (h.kind !== 'billEvent' || !h.configId || !h.billId || !h.deliveredRunId) continue;
    syncs.set(h.deliveredRunId, { workflowId: billSyncWorkflowId(h.configId, h.billId), runId: h.deliveredRunId });
  }
  return Promise.all([...syncs.values()].map(({ workflowId, runId }) => deps.temporal.workflow.getHandle<BillSyncWorkflow>(workflowId, runId).result()));
}
