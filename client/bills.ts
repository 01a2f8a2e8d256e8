import { approveBills, saveBill } from '../db/bills';
import type { BillInput } from '../domain/bill';
import { notifyBillEvent, type TriggerDeps } from './triggers';

/**
 * Approves bills and signals their syncs. Approving an already approved bill signals again, which
 * re-sends it: the upsert by externalId turns that into an update of the same invoice.
 */
export async function approveAndNotify(deps: TriggerDeps, organizationId: string, billIds: string[], approvedBy = 'api'): Promise<{ approved: string[]; workflows: string[] }> {
  const approved = await approveBills(deps.db, organizationId, billIds, approvedBy);
  const workflows: string[] = [];
  for (const billId of approved) workflows.push(...(await notifyBillEvent(deps, { organizationId, billId, kind: 'approved' })));
  return { approved, workflows };
}

/** Stores a bill (new or recalculated) and tells the integrations a new version exists. */
export async function saveAndNotify(deps: TriggerDeps, organizationId: string, input: BillInput) {
  const bill = await saveBill(deps.db, organizationId, input);
  const workflows = await notifyBillEvent(deps, { organizationId, billId: bill.id, kind: 'calculated' });
  return { bill, workflows };
}
