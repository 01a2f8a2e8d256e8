import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { listRuns } from '../../db/runs';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration, type SeededIntegration } from '../../demo/seed';
import { useFileWorld } from '../support/fileWorld';

const NETSUITE_ACCOUNT = '1234567_SB1';

const { h, keyPair } = useFileWorld();
let seeded: SeededIntegration;

beforeAll(async () => {
  seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NETSUITE_ACCOUNT });
});

async function newCustomerBill(code: string, month = '2026-10') {
  const { account } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId: NETSUITE_ACCOUNT, account: { code } });
  const { bill, handoffs } = await saveAndHandOff(h.db, seeded.orgId, sampleBill(account.id, { month }), 'test');
  await h.settle(handoffs);
  return { account, bill };
}

describe('a bill approved in the service', () => {
  it('becomes exactly one NetSuite invoice whose lines and total match the bill, and its run is COMPLETE', async () => {
    const { bill } = await newCustomerBill('ACME');
    const { handoffs } = await approveAndHandOff(h.db, seeded.orgId, [bill.id], 'test');
    await h.settle(handoffs);

    const invoices = (await h.emulator.admin.listInvoices(NETSUITE_ACCOUNT)).filter((i) => i.externalId?.endsWith(bill.id.replace(/-/g, '')));
    expect(invoices).toHaveLength(1);
    const invoice = invoices[0]!;
    expect(invoice.total).toBeCloseTo(Number(bill.billTotal), 2);
    expect(invoice.item.items.map((l) => [l.description, l.amount])).toEqual(bill.lineItems.map((l) => [l.description, l.lineItemType === 'USAGE_CREDIT' ? -l.subtotal : l.subtotal]));

    const runs = await listRuns(h.db, seeded.orgId, { billId: bill.id });
    const approvedRun = runs.find((r) => r.trigger === 'approved');
    expect(approvedRun).toMatchObject({ status: 'COMPLETE', externalId: invoice.id, error: null });
    // A link a finance user can open: the record's page in NetSuite's UI, not the REST endpoint.
    expect(approvedRun?.url).toBe(`${h.urlTemplate.replace('{account}', '1234567-sb1')}/app/accounting/transactions/custinvc.nl?id=${invoice.id}`);
  });

  it('approved again, updates the same invoice instead of creating a second one', async () => {
    const { bill } = await newCustomerBill('GLOBEX');
    await h.settle((await approveAndHandOff(h.db, seeded.orgId, [bill.id], 'test')).handoffs);
    await h.settle((await approveAndHandOff(h.db, seeded.orgId, [bill.id], 'test')).handoffs);

    const invoices = (await h.emulator.admin.listInvoices(NETSUITE_ACCOUNT)).filter((i) => i.externalId?.endsWith(bill.id.replace(/-/g, '')));
    expect(invoices).toHaveLength(1);
    // Calculated once, approved twice: three sends, one invoice.
    expect(invoices[0]!.writes).toBe(3);
    const runs = await listRuns(h.db, seeded.orgId, { billId: bill.id });
    expect(runs.map((r) => r.status)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE']);
    expect(new Set(runs.map((r) => r.externalId))).toEqual(new Set([invoices[0]!.id]));
  });

  it('survives NetSuite throttling, a server error and a lost answer: retried, still exactly one invoice', async () => {
    const { account } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId: NETSUITE_ACCOUNT, account: { code: 'INITECH' } });
    await h.emulator.admin.scriptFaults(NETSUITE_ACCOUNT, [{ kind: 'error429' }, { kind: 'error500' }, { kind: 'lostAnswer' }, { kind: 'drop' }]);
    const { bill, handoffs } = await saveAndHandOff(h.db, seeded.orgId, sampleBill(account.id), 'test');
    await h.settle(handoffs);

    const invoices = (await h.emulator.admin.listInvoices(NETSUITE_ACCOUNT)).filter((i) => i.externalId?.endsWith(bill.id.replace(/-/g, '')));
    expect(invoices).toHaveLength(1);
    expect(await h.emulator.admin.listFaults(NETSUITE_ACCOUNT)).toEqual([]);
    const runs = await listRuns(h.db, seeded.orgId, { billId: bill.id });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'COMPLETE', externalId: invoices[0]!.id });
  });
});
