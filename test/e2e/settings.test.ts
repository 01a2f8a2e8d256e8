import crypto from 'node:crypto';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { previewBill } from '../../usecases/preview';
import { createAccount } from '../../db/accounts';
import { createMapping } from '../../db/mappings';
import { listRuns } from '../../db/runs';
import type { AccountInput } from '../../domain/account';
import type { BillInput, LineItemInput } from '../../domain/bill';
import type { ConfigDataInput } from '../../domain/configData';
import { invoiceExternalId } from '../../domain/externalId';
import { seedIntegration, type SeededIntegration } from '../../demo/seed';
import type { AdminInvoice } from '../../emulator/adminTypes';
import { eventually } from '../support/eventually';
import { waitForDelivery } from '../../handoff/outbox';
import { billSyncStatusQuery, billSyncWorkflowId } from '../../temporal/contract';
import { useFileWorld } from '../support/fileWorld';

/**
 * Every setting of the guide, shown changing what reaches NetSuite (the emulator) through the real
 * stack. Each test gets its own organization and integration on one NetSuite account.
 */
const NS = '5550001';
const { h, keyPair } = useFileWorld();

beforeAll(async () => {
  for (const scriptId of ['custcol_service_start', 'custcol_service_end']) await h.emulator.admin.addCustomField({ accountId: NS, scriptId }).catch(() => undefined);
});

async function integration(configData: Partial<ConfigDataInput>, netsuiteAccountId = NS): Promise<SeededIntegration> {
  const seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId, certificateId: `cert-${crypto.randomUUID()}`, configData });
  await h.emulator.admin.addCustomField({ accountId: netsuiteAccountId, scriptId: 'custcol_service_start' }).catch(() => undefined);
  await h.emulator.admin.addCustomField({ accountId: netsuiteAccountId, scriptId: 'custcol_service_end' }).catch(() => undefined);
  return seeded;
}

async function customer(orgId: string, input: Partial<AccountInput> = {}, netsuiteAccountId = NS) {
  const code = input.code ?? `C${crypto.randomBytes(4).toString('hex')}`;
  const account = await createAccount(h.db, orgId, { name: code, emailAddress: `billing@${code.toLowerCase()}.example`, ...input, code });
  const ns = await h.emulator.admin.addCustomer({ accountId: netsuiteAccountId, externalId: account.id, name: account.name });
  return { account, netsuiteCustomerId: ns.id };
}

const LINES: LineItemInput[] = [
  { lineItemType: 'STANDING_CHARGE', description: 'Subscription', quantity: 1, subtotal: 100, productId: 'p-sub', servicePeriodStartDate: '2026-10-01', servicePeriodEndDate: '2026-11-01', aggregationId: 'b' },
  {
    lineItemType: 'USAGE',
    description: 'API calls',
    quantity: 3000,
    subtotal: 250,
    productId: 'p-api',
    aggregationId: 'a',
    usagePerPricingBand: [
      { lowerLimit: 0, bandUnits: 1000, unitPrice: 0.1, bandSubtotal: 100 },
      { lowerLimit: 1000, bandUnits: 2000, unitPrice: 0.075, bandSubtotal: 150 },
    ],
  },
  { lineItemType: 'USAGE_CREDIT', description: 'Credit', quantity: 1, subtotal: 20 },
  { lineItemType: 'COMMITMENT_FEE', description: 'Commitment fee', quantity: 1, subtotal: 30 },
  { lineItemType: 'MINIMUM_SPEND', description: 'Minimum spend top-up', quantity: 1, subtotal: 5 },
];

function bill(accountId: string, overrides: Partial<BillInput> = {}): BillInput {
  return { accountId, billDate: '2026-10-31', dueDate: '2026-11-30', currency: 'USD', lineItems: LINES, ...overrides };
}

/** Creates the bill (a calculation event), approves it, waits for every sync, returns runs and the invoice. */
async function send(seeded: SeededIntegration, accountId: string, overrides: Partial<BillInput> = {}, netsuiteAccountId = NS) {
  const saved = await saveAndHandOff(h.db, seeded.orgId, bill(accountId, overrides), 'test');
  // The calculation's sync settles first, so the approval is its own sync and not coalesced into it:
  // what a user sees when approving a bill some time after it was calculated.
  for (const sync of await waitForDelivery(h.db, saved.handoffs)) await eventually(() => settled(billSyncWorkflowId(sync.configId!, saved.bill.id)), (done) => done, `the sync of the calculation (${sync.configId})`);
  const approved = await approveAndHandOff(h.db, seeded.orgId, [saved.bill.id], 'test');
  await h.settle([...saved.handoffs, ...approved.handoffs]);
  return { bill: saved.bill, runs: await listRuns(h.db, seeded.orgId, { billId: saved.bill.id }), invoice: await invoiceOf(seeded.configId, saved.bill.id, netsuiteAccountId) };
}

/** A sync that finished, or sleeps until the bill is approved. */
async function settled(workflowId: string): Promise<boolean> {
  const handle = h.temporal.workflow.getHandle(workflowId);
  if ((await handle.describe()).status.name !== 'RUNNING') return true;
  return (await handle.query(billSyncStatusQuery)).phase === 'waitingForApproval';
}

async function invoiceOf(configId: string, billId: string, netsuiteAccountId = NS): Promise<AdminInvoice | undefined> {
  const externalId = invoiceExternalId(configId, billId);
  return (await h.emulator.admin.listInvoices(netsuiteAccountId)).find((i) => i.externalId === externalId);
}

const items = (invoice: AdminInvoice | undefined) => invoice?.item.items.map((l) => [l.description, l.item.id, l.amount]);

describe('accountIds and restrictedAccountIds', () => {
  it('send only the listed accounts, and never a restricted one even when it is listed too', async () => {
    const seeded = await integration({ accountIds: ['LISTED', 'BOTH'], restrictedAccountIds: ['BOTH'] });
    const listed = await customer(seeded.orgId, { code: 'LISTED' });
    const other = await customer(seeded.orgId, { code: 'OTHER' });
    const both = await customer(seeded.orgId, { code: 'BOTH' });

    expect((await send(seeded, listed.account.id)).invoice).toBeDefined();
    const skipped = await send(seeded, other.account.id);
    expect(skipped.invoice).toBeUndefined();
    // Calculated, then approved: two runs, both skipped with the reason.
    expect(skipped.runs.map((r) => [r.status, r.error])).toEqual([
      ['SKIPPED', "Account OTHER is not one of the integration's Account ids, so its bills are not sent here."],
      ['SKIPPED', "Account OTHER is not one of the integration's Account ids, so its bills are not sent here."],
    ]);
    const restricted = await send(seeded, both.account.id);
    expect(restricted.invoice).toBeUndefined();
    expect(restricted.runs[0]).toMatchObject({ status: 'SKIPPED', error: "Account BOTH is one of the integration's Restricted account ids, so its bills are not sent here." });
  });
});

describe('accountFilter', () => {
  it("works with the guide's example verbatim", async () => {
    const seeded = await integration({ accountFilter: 'customFields != null AND customFields.country = = UK' });
    const uk = await customer(seeded.orgId, { customFields: { country: 'UK' } });
    const us = await customer(seeded.orgId, { customFields: { country: 'US' } });
    const none = await customer(seeded.orgId);

    expect((await send(seeded, uk.account.id)).invoice).toBeDefined();
    for (const c of [us, none]) {
      const result = await send(seeded, c.account.id);
      expect(result.invoice).toBeUndefined();
      expect(result.runs[0]?.status).toBe('SKIPPED');
      expect(result.runs[0]?.error).toContain('The Account filter');
    }
  });
});

describe('onlySendBillOnApproval', () => {
  it('on: a calculated bill waits (WAITING, nothing sent) and is sent once approved', async () => {
    const seeded = await integration({ onlySendBillOnApproval: true });
    const { account } = await customer(seeded.orgId);
    const saved = await saveAndHandOff(h.db, seeded.orgId, bill(account.id), 'test');
    const waiting = await eventually(() => listRuns(h.db, seeded.orgId, { billId: saved.bill.id }), (runs) => runs[0]?.status === 'WAITING', 'the run waiting for approval');
    expect(waiting).toHaveLength(1);
    expect(await invoiceOf(seeded.configId, saved.bill.id)).toBeUndefined();

    const approved = await approveAndHandOff(h.db, seeded.orgId, [saved.bill.id], 'test');
    await h.settle(approved.handoffs);
    const runs = await listRuns(h.db, seeded.orgId, { billId: saved.bill.id });
    // The waiting run itself goes on to COMPLETE: one run per send.
    expect(runs.map((r) => [r.id, r.status])).toEqual([[waiting[0]!.id, 'COMPLETE']]);
    expect((await invoiceOf(seeded.configId, saved.bill.id))?.writes).toBe(1);
  });

  it('off: every calculation is sent, and the approval sends it again to the same invoice', async () => {
    const seeded = await integration({ onlySendBillOnApproval: false });
    const { account } = await customer(seeded.orgId);
    const saved = await saveAndHandOff(h.db, seeded.orgId, bill(account.id), 'test');
    await h.settle(saved.handoffs);
    expect((await invoiceOf(seeded.configId, saved.bill.id))?.writes).toBe(1);
    await h.settle((await approveAndHandOff(h.db, seeded.orgId, [saved.bill.id], 'test')).handoffs);
    expect((await invoiceOf(seeded.configId, saved.bill.id))?.writes).toBe(2);
    expect(await h.emulator.admin.listInvoices(NS).then((all) => all.filter((i) => i.externalId === invoiceExternalId(seeded.configId, saved.bill.id)))).toHaveLength(1);
  });
});

describe('useExternalMappingAccountCode', () => {
  it('on: the customer is the mapped NetSuite customer; without a mapping the run fails and says how to fix it', async () => {
    const seeded = await integration({ useExternalMappingAccountCode: true });
    const mapped = await customer(seeded.orgId);
    const target = await h.emulator.admin.addCustomer({ accountId: NS, name: 'Mapped customer' });
    await createMapping(h.db, seeded.orgId, { externalSystem: 'Netsuite', externalTable: 'Customer', externalId: target.id, m3terEntity: 'Account', m3terId: mapped.account.id });
    expect((await send(seeded, mapped.account.id)).invoice?.entity.id).toBe(target.id);

    const unmapped = await customer(seeded.orgId);
    const failed = await send(seeded, unmapped.account.id);
    expect(failed.invoice).toBeUndefined();
    expect(failed.runs[0]?.status).toBe('ERROR');
    expect(failed.runs[0]?.error).toMatch(/no external mapping Account → NetSuite Customer.*Add one/);
  });

  it('off: the m3ter account id is the NetSuite customer externalId', async () => {
    const seeded = await integration({});
    const c = await customer(seeded.orgId);
    expect((await send(seeded, c.account.id)).invoice?.entity.id).toBe(c.netsuiteCustomerId);
  });
});

describe('line items', () => {
  it('excludedLineItemTypes drops those lines', async () => {
    const seeded = await integration({ excludedLineItemTypes: ['USAGE_CREDIT', 'MINIMUM_SPEND'] });
    const { account } = await customer(seeded.orgId);
    const { invoice } = await send(seeded, account.id);
    expect(invoice?.item.items.map((l) => l.description)).toEqual(['Subscription', 'API calls', 'Commitment fee']);
    expect(invoice?.total).toBe(380);
  });

  it('item per product (default) and item per usage band', async () => {
    const perProduct = await integration({});
    const a = await customer(perProduct.orgId);
    expect((await send(perProduct, a.account.id)).invoice?.item.items.filter((l) => String(l.description).startsWith('API calls'))).toHaveLength(1);

    const perBand = await integration({ splitUsageLineItems: 'ITEM_PER_USAGE_BAND' });
    const b = await customer(perBand.orgId);
    const { invoice } = await send(perBand, b.account.id);
    const bands = invoice?.item.items.filter((l) => String(l.description).startsWith('API calls'));
    expect(bands?.map((l) => [l.quantity, l.rate, l.amount])).toEqual([
      [1000, 0.1, 100],
      [2000, 0.075, 150],
    ]);
    expect(invoice?.total).toBe(365);
  });

  it('items: netsuiteItemMapping, commitment and minimum-spend items, default item, and product mappings first', async () => {
    const seeded = await integration({ netsuiteDefaultItemId: '10', netsuiteItemMapping: { STANDING_CHARGE: '20' }, netsuiteCommitmentItemId: '40', netsuiteMinimumSpendItemId: '50' });
    await createMapping(h.db, seeded.orgId, { externalSystem: 'Netsuite', externalTable: 'Item', externalId: '30', m3terEntity: 'Product', m3terId: 'p-api' });
    const { account } = await customer(seeded.orgId);
    expect(items((await send(seeded, account.id)).invoice)).toEqual([
      ['Subscription', '20', 100],
      ['API calls', '30', 250],
      ['Credit', '10', -20],
      ['Commitment fee', '40', 30],
      ['Minimum spend top-up', '50', 5],
    ]);
  });

  it('enforceExternalMappingsForConfig uses only mappings linked to the config', async () => {
    const seeded = await integration({ enforceExternalMappingsForConfig: true });
    await createMapping(h.db, seeded.orgId, { externalSystem: 'Netsuite', externalTable: 'Item', externalId: '30', m3terEntity: 'Product', m3terId: 'p-api' });
    await createMapping(h.db, seeded.orgId, { externalSystem: 'Netsuite', externalTable: 'Item', externalId: '20', m3terEntity: 'Product', m3terId: 'p-sub', integrationConfigId: seeded.configId });
    const { account } = await customer(seeded.orgId);
    const lines = items((await send(seeded, account.id)).invoice);
    expect(lines?.[0]).toEqual(['Subscription', '20', 100]);
    // The unlinked mapping of p-api is ignored: the default item is used.
    expect(lines?.[1]).toEqual(['API calls', '10', 250]);
  });

  it('netsuiteItemCustomFieldMapping writes service periods into the custom columns; every line traces back to m3ter', async () => {
    const seeded = await integration({ netsuiteItemCustomFieldMapping: { servicePeriodStart: '_service_start', servicePeriodEnd: 'custcol_service_end' } });
    const { account } = await customer(seeded.orgId);
    const { invoice, bill: saved } = await send(seeded, account.id);
    expect(invoice?.item.items[0]).toMatchObject({ custcol_service_start: '2026-10-01', custcol_service_end: '2026-11-01' });
    expect(invoice?.item.items.map((l) => l.custcol_m3ter_external_line_item)).toEqual(saved.lineItems.map((l) => l.id));
  });

  it('sortLineItemsBy SUBTOTAL sends the largest amounts first; AGGREGATION_ID sorts by aggregation', async () => {
    const bySubtotal = await integration({ sortLineItemsBy: 'SUBTOTAL' });
    const a = await customer(bySubtotal.orgId);
    expect((await send(bySubtotal, a.account.id)).invoice?.item.items.map((l) => l.description)).toEqual(['API calls', 'Subscription', 'Commitment fee', 'Credit', 'Minimum spend top-up']);

    const byAggregation = await integration({ sortLineItemsBy: 'AGGREGATION_ID' });
    const b = await customer(byAggregation.orgId);
    expect((await send(byAggregation, b.account.id)).invoice?.item.items.map((l) => l.description).slice(0, 2)).toEqual(['API calls', 'Subscription']);
  });
});

describe('netsuiteSendDueDate', () => {
  it("on sends the bill's due date; off leaves it to the customer's terms", async () => {
    const on = await integration({ netsuiteSendDueDate: true });
    const a = await customer(on.orgId);
    expect((await send(on, a.account.id)).invoice?.dueDate).toBe('2026-11-30');
    const off = await integration({});
    const b = await customer(off.orgId);
    expect((await send(off, b.account.id)).invoice?.dueDate).toBeUndefined();
  });
});

describe('a recalculated bill', () => {
  it('updates the same invoice with its lines replaced, never a second invoice', async () => {
    const seeded = await integration({});
    const { account } = await customer(seeded.orgId);
    const first = await send(seeded, account.id);
    const recalculated = await send(seeded, account.id, { id: first.bill.id, lineItems: [{ lineItemType: 'STANDING_CHARGE', description: 'Subscription (prorated)', quantity: 1, subtotal: 60 }] });
    expect(recalculated.bill.version).toBe(2);
    const invoices = (await h.emulator.admin.listInvoices(NS)).filter((i) => i.externalId === invoiceExternalId(seeded.configId, first.bill.id));
    expect(invoices).toHaveLength(1);
    expect(items(invoices[0])).toEqual([['Subscription (prorated)', '10', 60]]);
    expect(invoices[0]?.total).toBe(60);
  });
});

describe('two integrations side by side', () => {
  it('send each bill only to the NetSuite account its account filter and linked mappings choose', async () => {
    const EU = '5550002';
    const US = '5550003';
    const eu = await integration({ accountFilter: 'address.country == UK OR address.country == DE', enforceExternalMappingsForConfig: true }, EU);
    // The second integration lives in the same organization, on another NetSuite account.
    const us = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: US, orgId: eu.orgId, certificateId: 'cert-us', configName: 'US books', configData: { accountFilter: 'address.country == US', enforceExternalMappingsForConfig: true } });
    await createMapping(h.db, eu.orgId, { externalSystem: 'Netsuite', externalTable: 'Item', externalId: '30', m3terEntity: 'Product', m3terId: 'p-api', integrationConfigId: eu.configId });
    await createMapping(h.db, eu.orgId, { externalSystem: 'Netsuite', externalTable: 'Item', externalId: '20', m3terEntity: 'Product', m3terId: 'p-api', integrationConfigId: us.configId });

    const german = await createAccount(h.db, eu.orgId, { code: 'DE1', name: 'Berlin GmbH', emailAddress: 'a@de.example', address: { country: 'DE' } });
    const american = await createAccount(h.db, eu.orgId, { code: 'US1', name: 'Austin Inc', emailAddress: 'a@us.example', address: { country: 'US' } });
    await h.emulator.admin.addCustomer({ accountId: EU, externalId: german.id, name: german.name });
    await h.emulator.admin.addCustomer({ accountId: US, externalId: american.id, name: american.name });

    const de = await send(eu, german.id, {}, EU);
    const usBill = await send(eu, american.id, {}, EU);

    expect(items(de.invoice)?.[1]).toEqual(['API calls', '30', 250]);
    expect(await invoiceOf(us.configId, de.bill.id, US)).toBeUndefined();
    expect(items(await invoiceOf(us.configId, usBill.bill.id, US))?.[1]).toEqual(['API calls', '20', 250]);
    expect(usBill.invoice).toBeUndefined();
    expect((await h.emulator.admin.listInvoices(EU)).map((i) => i.entity.id)).toEqual([expect.any(String)]);
    expect((await h.emulator.admin.listInvoices(US))).toHaveLength(1);
  });
});

describe('the dry run', () => {
  it('shows every filter verdict, the exact invoice and the decisions without sending anything', async () => {
    const seeded = await integration({ excludedLineItemTypes: ['MINIMUM_SPEND'], onlySendBillOnApproval: true });
    const { account } = await customer(seeded.orgId);
    const saved = await saveAndHandOff(h.db, seeded.orgId, bill(account.id), 'test');
    await eventually(() => listRuns(h.db, seeded.orgId, { billId: saved.bill.id }), (runs) => runs[0]?.status === 'WAITING', 'the waiting run');
    const before = await h.emulator.admin.getStats(NS);

    const preview = await previewBill(h.db, seeded.orgId, seeded.configId, saved.bill.id);
    expect(preview.outcome).toBe('WAIT');
    expect(preview.filters.map((f) => [f.filter, f.passed])).toEqual([
      ['configEnabled', true],
      ['credentialConnected', true],
      ['accountIds', true],
      ['approval', false],
    ]);
    expect(preview.invoice?.externalId).toBe(invoiceExternalId(seeded.configId, saved.bill.id));
    expect(preview.invoice?.item.items).toHaveLength(4);
    expect(preview.decisions).toContainEqual(expect.objectContaining({ kind: 'excluded', lineItemType: 'MINIMUM_SPEND' }));
    expect((await h.emulator.admin.getStats(NS)).requests).toEqual(before.requests);

    // Approved, the real send puts exactly the previewed body on the wire.
    const approved = await approveAndHandOff(h.db, seeded.orgId, [saved.bill.id], 'test');
    await h.settle(approved.handoffs);
    const [run] = await listRuns(h.db, seeded.orgId, { billId: saved.bill.id });
    expect(run?.invoiceBody).toEqual(preview.invoice);
  });
});
