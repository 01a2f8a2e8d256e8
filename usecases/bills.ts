import { approveBills, saveBill } from '../db/bills';
import type { Db } from '../db/connect';
import type { BillInput } from '../domain/bill';
import { handOffBillEvents, type Handoff } from '../handoff/outbox';
import { refuseMirrored } from './ownership';

/**
 * Approves bills (never a copy the m3ter mirror owns) and hands each approval to every NetSuite integration's sync, in one transaction:
 * once this returns, the approvals and the duty to send them are both stored, whatever Temporal is
 * doing; the outbox relay delivers them. Approving an approved bill hands it over again, which
 * re-sends it: the upsert by externalId turns that into an update of the same invoice.
 */
export async function approveAndHandOff(db: Db, organizationId: string, billIds: string[], approvedBy: string): Promise<{ approved: string[]; handoffs: Handoff[] }> {
  return db.transaction().execute(async (tx) => {
    await refuseMirrored(tx, 'bill', organizationId, billIds);
    const approved = await approveBills(tx, organizationId, billIds, approvedBy);
    const handoffs = await handOffBillEvents(tx, { organizationId, billIds: approved, trigger: 'approved', origin: approvedBy });
    return { approved, handoffs };
  });
}

/**
 * Stores a bill (new or recalculated) and, in the same transaction, tells the integrations a new
 * version exists. saveBill refuses, under the row's lock, a copy the m3ter mirror owns.
 */
export async function saveAndHandOff(db: Db, organizationId: string, input: BillInput, origin: string) {
  return db.transaction().execute(async (tx) => {
    const bill = await saveBill(tx, organizationId, input);
    const handoffs = await handOffBillEvents(tx, { organizationId, billIds: [bill.id], trigger: 'calculated', origin });
    return { bill, handoffs };
  });
}
