import { saveAndHandOff } from '../../usecases/bills';
import { listRuns } from '../../db/runs';
import type { LineItemInput } from '../../domain/bill';
import { invoiceExternalId } from '../../domain/externalId';
import { billSyncWorkflowId } from '../../temporal/contract';
import { generateKeyPair } from '../../demo/keyPair';
import { seedCustomer, seedIntegration } from '../../demo/seed';
import { useFileWorld } from '../support/fileWorld';

const NS = '5550400';
const { h } = useFileWorld();

describe('a bill with 10,000 line items', () => {
  it('syncs completely, while the workflow history stays small (payloads by reference)', async () => {
    const keyPair = await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' });
    const seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NS });
    const { account } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId: NS, account: { code: 'HUGE' } });
    const lineItems: LineItemInput[] = Array.from({ length: 10_000 }, (_, i) => ({ lineItemType: 'USAGE', description: `Meter ${i}`, quantity: i + 1, subtotal: Math.round((i + 1) * 0.37 * 100) / 100 }));
    const { bill, handoffs } = await saveAndHandOff(h.db, seeded.orgId, { accountId: account.id, billDate: '2026-10-31', currency: 'USD', lineItems }, 'test');
    await h.settle(handoffs);

    expect((await listRuns(h.db, seeded.orgId, { billId: bill.id }))[0]?.status).toBe('COMPLETE');
    const invoice = (await h.emulator.admin.listInvoices(NS)).find((i) => i.externalId === invoiceExternalId(seeded.configId, bill.id));
    expect(invoice?.item.items).toHaveLength(10_000);
    expect(invoice?.total).toBeCloseTo(Number(bill.billTotal), 2);

    const history = JSON.stringify(await h.temporal.workflow.getHandle(billSyncWorkflowId(seeded.configId, bill.id)).fetchHistory());
    // The invoice body alone is megabytes; the history holds ids and statuses only.
    expect(history.length).toBeLessThan(64 * 1024);
  }, 300_000);
});
