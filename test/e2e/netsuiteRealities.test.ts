import crypto from 'node:crypto';
import { createAccount } from '../../db/accounts';
import { listEvents } from '../../db/events';
import { listRuns } from '../../db/runs';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration, type SeededIntegration } from '../../demo/seed';
import { invoiceExternalId } from '../../domain/externalId';
import { waitForDelivery } from '../../handoff/outbox';
import { failureCountQuery, failureWorkflowId } from '../../temporal/contract';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { apiClient } from '../support/api';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { createHarness, type Harness } from '../support/harness';
import { useFileWorld } from '../support/fileWorld';

/**
 * NetSuite as a finance team meets it in its first month, end to end against the emulator (which
 * refuses as NetSuite does): an integration set up before its credential, amounts NetSuite can't hold,
 * negative bills, closed periods, paid invoices, a customer NetSuite doesn't know, time limits.
 */
const { h, api, keyPair } = useFileWorld();
let n = 0;

async function world(configData: Record<string, unknown> = {}) {
  const netsuiteAccountId = String(6_200_000 + ++n);
  const client = await apiClient(h, api);
  const seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId, orgId: client.orgId, certificateId: `cert-${n}`, configData });
  const { account } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId, account: { code: `R${n}` } });
  return { client, seeded, account };
}

const runsOf = (seeded: SeededIntegration, billId: string) => listRuns(h.db, seeded.orgId, { billId, configId: seeded.configId });

describe('an integration configured before its credential', () => {
  it('lets bills wait (WAITING, not an error, nothing counted), and sends them once a credential is connected', async () => {
    const { client, seeded, account } = await world();
    const config = (await client.call('GET', `/organizations/{orgId}/integrationconfigs/${seeded.configId}`)).body;
    const disconnected = await client.call('PUT', `/organizations/{orgId}/integrationconfigs/${seeded.configId}`, { ...config, integrationCredentialsId: null });
    expect(disconnected.status).toBe(200);

    const bills = await Promise.all(Array.from({ length: 12 }, () => saveAndHandOff(h.db, seeded.orgId, sampleBill(account.id), 'test')));
    await waitForDelivery(h.db, bills.flatMap((b) => b.handoffs));
    for (const { bill } of bills) await eventually(() => runsOf(seeded, bill.id), (runs) => runs[0]?.status === 'WAITING', 'the bill waiting for a credential');
    const [waiting] = await runsOf(seeded, bills[0]!.bill.id);
    expect(waiting?.error).toMatch(/no NetSuite credential is connected yet/);
    // Twelve bills and no credential: no event, and the integration is still enabled (10 errors would disable it).
    expect(await listEvents(h.db, seeded.orgId, { configId: seeded.configId })).toEqual([]);
    expect((await client.call('GET', `/organizations/{orgId}/integrationconfigs/${seeded.configId}`)).body.enabled).toBe(true);
    expect(await h.emulator.admin.listInvoices(seeded.netsuiteAccountId)).toEqual([]);

    const connected = await client.call('PUT', `/organizations/{orgId}/integrationconfigs/${seeded.configId}`, { ...config, version: disconnected.body.version, integrationCredentialsId: seeded.credentialId });
    expect(connected.status).toBe(200);
    await h.settleConfig(seeded.configId);
    const invoices = await h.emulator.admin.listInvoices(seeded.netsuiteAccountId);
    expect(invoices.map((i) => i.externalId).sort()).toEqual(bills.map((b) => invoiceExternalId(seeded.configId, b.bill.id)).sort());
    for (const { bill } of bills) expect((await runsOf(seeded, bill.id)).map((r) => r.status)).toEqual(['COMPLETE']);
  });
});

describe('amounts NetSuite can take', () => {
  it.each([
    ['subtotal 1e308', { subtotal: 1e308 }, 'lineItems.0.subtotal'],
    ['quantity 1e-320', { quantity: 1e-320 }, 'lineItems.0.quantity'],
  ])('a bill PUT with %s answers 400 naming the field, stores nothing, and the organization still lists its bills', async (_name, line, field) => {
    const { client, account } = await world();
    const id = crypto.randomUUID();
    const bill = { ...sampleBill(account.id), lineItems: [{ lineItemType: 'USAGE', description: 'API calls', quantity: 10, subtotal: 5, ...line }] };
    const put = await client.call('PUT', `/organizations/{orgId}/bills/${id}`, bill);
    expect(put.status).toBe(400);
    expect(put.body.message).toContain(`${field}:`);
    expect((await client.call('GET', `/organizations/{orgId}/bills/${id}`)).status).toBe(404);
    expect((await client.call('GET', '/organizations/{orgId}/bills')).status).toBe(200);
  });

  it('never sends an invoice line without an amount or rate: a quantity too large for a rate goes as one unit of the amount', async () => {
    const { seeded, account } = await world();
    const { bill, handoffs } = await saveAndHandOff(h.db, seeded.orgId, { ...sampleBill(account.id), lineItems: [{ lineItemType: 'USAGE', description: 'Events', quantity: 123_456_789_012_345, subtotal: 1234.56 }] }, 'test');
    await h.settle(handoffs);
    await h.settle((await approveAndHandOff(h.db, seeded.orgId, [bill.id], 'test')).handoffs);
    const [invoice] = await h.emulator.admin.listInvoices(seeded.netsuiteAccountId);
    expect(invoice?.item.items.map((l) => [l.quantity, l.rate, l.amount])).toEqual([[1, 1234.56, 1234.56]]);
    expect(invoice?.total).toBe(1234.56);
  });
});

/** A bill whose credits are larger than its charges: its total is -150.00. */
function creditBill(accountId: string, id?: string) {
  return {
    ...sampleBill(accountId),
    ...(id ? { id } : {}),
    lineItems: [
      { lineItemType: 'STANDING_CHARGE' as const, description: 'Platform', quantity: 1, subtotal: 100 },
      { lineItemType: 'USAGE_CREDIT' as const, description: 'Service credit', quantity: 1, subtotal: 250 },
    ],
  };
}

async function records(seeded: SeededIntegration) {
  return { invoices: await h.emulator.admin.listInvoices(seeded.netsuiteAccountId), creditMemos: await h.emulator.admin.listCreditMemos(seeded.netsuiteAccountId) };
}

/** Stores the bill (new or recalculated) and approves it, waiting for every sync. */
async function sendBill(seeded: SeededIntegration, bill: ReturnType<typeof sampleBill> & { id?: string }) {
  const saved = await saveAndHandOff(h.db, seeded.orgId, bill, 'test');
  await h.settle(saved.handoffs);
  await h.settle((await approveAndHandOff(h.db, seeded.orgId, [saved.bill.id], 'test')).handoffs);
  return saved.bill;
}

describe('negative bills', () => {
  it('become a credit memo of the amount credited, with its own externalId, a run that says so and a link to its NetSuite page', async () => {
    const { seeded, account } = await world();
    const bill = await sendBill(seeded, creditBill(account.id));
    const { invoices, creditMemos } = await records(seeded);
    expect(invoices).toEqual([]);
    expect(creditMemos.map((m) => [m.externalId, m.total, m.writes])).toEqual([[`${invoiceExternalId(seeded.configId, bill.id)}-cm`, 150, 2]]);
    const [run] = await runsOf(seeded, bill.id);
    expect(run).toMatchObject({ status: 'COMPLETE', recordType: 'creditMemo', externalId: creditMemos[0]!.id });
    // The link opens the credit memo's page in NetSuite (the emulator serves it), not the REST endpoint.
    expect(run?.url).toMatch(/\/app\/accounting\/transactions\/custcred\.nl\?id=\d+$/);
    const page = await fetch(run!.url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(creditMemos[0]!.externalId!);
  });

  it('a bill that changes sign between recalculations never leaves both an invoice and a credit memo in NetSuite', async () => {
    const { seeded, account } = await world();
    const bill = await sendBill(seeded, sampleBill(account.id));
    expect((await records(seeded)).invoices).toHaveLength(1);
    // Recalculated as a credit: the invoice goes, the credit memo comes.
    await sendBill(seeded, creditBill(account.id, bill.id));
    let now = await records(seeded);
    expect([now.invoices.length, now.creditMemos.map((m) => m.total)]).toEqual([0, [150]]);
    // And back: the credit memo goes, an invoice again.
    await sendBill(seeded, { ...sampleBill(account.id), id: bill.id });
    now = await records(seeded);
    expect([now.invoices.map((i) => i.externalId), now.creditMemos.length]).toEqual([[invoiceExternalId(seeded.configId, bill.id)], 0]);
    expect((await runsOf(seeded, bill.id)).every((r) => r.status === 'COMPLETE')).toBe(true);
  });

  it('a zero bill is an invoice of 0.00, and recalculated to an amount it is updated: NetSuite shows 0.00 as "Paid In Full" with nothing paid', async () => {
    const { seeded, account } = await world();
    const zero = { ...sampleBill(account.id), lineItems: [{ lineItemType: 'STANDING_CHARGE' as const, description: 'Platform', quantity: 1, subtotal: 0 }] };
    const sent = await sendBill(seeded, zero);
    const { invoices, creditMemos } = await records(seeded);
    expect([invoices.map((i) => i.total), creditMemos]).toEqual([[0], []]);
    const recalculated = await sendBill(seeded, { ...sampleBill(account.id), id: sent.id });
    expect((await records(seeded)).invoices.map((i) => i.total)).toEqual([Number(recalculated.billTotal)]);
    expect((await runsOf(seeded, sent.id)).map((r) => r.status)).not.toContain('INVOICE_ALREADY_PAID');
    expect((await runsOf(seeded, sent.id))[0]?.status).toBe('COMPLETE');
  });
});

describe('a closed accounting period', () => {
  it('ends the run ACCOUNTING_PERIOD_CLOSED without retrying or counting, with one event that says what to do; reopened, a re-run sends', async () => {
    const { client, seeded, account } = await world({ onlySendBillOnApproval: true });
    const saved = await saveAndHandOff(h.db, seeded.orgId, sampleBill(account.id), 'test');
    await waitForDelivery(h.db, saved.handoffs);
    await h.emulator.admin.closePeriod(seeded.netsuiteAccountId, '2026-10', 'closed');
    const before = (await h.emulator.admin.getStats(seeded.netsuiteAccountId)).requests.upsert;
    await h.settle((await approveAndHandOff(h.db, seeded.orgId, [saved.bill.id], 'test')).handoffs);

    const [run] = await runsOf(seeded, saved.bill.id);
    expect(run).toMatchObject({ status: 'ACCOUNTING_PERIOD_CLOSED' });
    expect(run?.error).toMatch(/Reopen the period in NetSuite .* and re-run the bill, or leave it/);
    // Refused once, not retried.
    expect((await h.emulator.admin.getStats(seeded.netsuiteAccountId)).requests.upsert).toBe(before + 1);
    const events = await listEvents(h.db, seeded.orgId, { billId: saved.bill.id });
    expect(events.map((e) => [e.eventName, e.details.failure])).toEqual([['integration.validation.error', 'periodClosed']]);
    expect((await records(seeded)).invoices).toEqual([]);
    // Finance's decision, not the integration's fault: nothing counted towards auto-disable.
    const counter = await h.temporal.workflow.getHandle(failureWorkflowId(seeded.configId)).query(failureCountQuery).catch(() => undefined);
    expect(counter?.successiveErrors ?? 0).toBe(0);

    await h.emulator.admin.reopenPeriod(seeded.netsuiteAccountId, '2026-10');
    expect((await client.call('POST', `/organizations/{orgId}/integrationruns/${run!.id}/rerun`)).status).toBe(202);
    await h.settleBill(saved.bill.id);
    expect((await runsOf(seeded, saved.bill.id))[0]).toMatchObject({ status: 'COMPLETE', parentIntegrationRunId: run!.id });
    expect((await records(seeded)).invoices).toHaveLength(1);
  });
});

describe('a paid invoice', () => {
  it.each([
    ['partly', 100],
    ['in full', 593.5],
  ])('paid %s is not overwritten: a recalculation ends INVOICE_ALREADY_PAID, one event, the invoice untouched', async (_how, paid) => {
    const { seeded, account } = await world();
    const bill = await sendBill(seeded, sampleBill(account.id));
    const [sent] = (await records(seeded)).invoices;
    await h.emulator.admin.recordPayment(seeded.netsuiteAccountId, { externalId: sent!.externalId!, amount: paid });

    await sendBill(seeded, { ...sampleBill(account.id, { usageUnits: 2_000_000 }), id: bill.id });
    const [untouched] = (await records(seeded)).invoices;
    expect([untouched?.writes, untouched?.total, untouched?.amountPaid]).toEqual([sent!.writes, sent!.total, paid]);
    const runs = await runsOf(seeded, bill.id);
    expect(runs.slice(0, 2).map((r) => r.status)).toEqual(['INVOICE_ALREADY_PAID', 'INVOICE_ALREADY_PAID']);
    expect(runs[0]?.error).toMatch(new RegExp(`NetSuite invoice ${sent!.id} is paid \\(${paid.toFixed(2)} of 593\\.50 paid\\).*left as it is`));
    const events = await listEvents(h.db, seeded.orgId, { billId: bill.id });
    expect(events.map((e) => e.details.failure)).toEqual(['invoiceAlreadyPaid', 'invoiceAlreadyPaid']);
  });

  it('is not removed when the bill turns into a credit either', async () => {
    const { seeded, account } = await world();
    const bill = await sendBill(seeded, sampleBill(account.id));
    const [sent] = (await records(seeded)).invoices;
    await h.emulator.admin.recordPayment(seeded.netsuiteAccountId, { externalId: sent!.externalId!, amount: 10 });
    await sendBill(seeded, creditBill(account.id, bill.id));
    const now = await records(seeded);
    expect([now.invoices.map((i) => i.writes), now.creditMemos]).toEqual([[sent!.writes], []]);
    expect((await runsOf(seeded, bill.id))[0]).toMatchObject({ status: 'INVOICE_ALREADY_PAID' });
  });
});

describe('the customer', () => {
  it("is NetSuite's customer looked up by the m3ter account id, sent by internal id; one NetSuite lacks stops the run before anything is written, and a re-run after it is created sends", async () => {
    const { seeded } = await world();
    const newcomer = await createAccount(h.db, seeded.orgId, { code: `NEW-${n}`, name: 'Newcomer', emailAddress: 'n@example.com' });
    const writesBefore = (await h.emulator.admin.getStats(seeded.netsuiteAccountId)).requests.upsert;
    const { bill, handoffs } = await saveAndHandOff(h.db, seeded.orgId, sampleBill(newcomer.id), 'test');
    await h.settle(handoffs);
    const [run] = await runsOf(seeded, bill.id);
    expect(run).toMatchObject({ status: 'ERROR' });
    expect(run?.error).toMatch(/has no customer with External ID .*: create the customer with that External ID in NetSuite, or map the account/);
    expect((await listEvents(h.db, seeded.orgId, { billId: bill.id })).map((e) => e.eventName)).toEqual(['integration.missingaccountmapping.error']);
    expect((await h.emulator.admin.getStats(seeded.netsuiteAccountId)).requests.upsert).toBe(writesBefore);

    const customer = await h.emulator.admin.addCustomer({ accountId: seeded.netsuiteAccountId, externalId: newcomer.id, name: 'Newcomer' });
    // Re-run from the CLI, as the failure's event and email suggest (the API's rerun is the same use case).
    const rerun = await runCli(h, ['runs', 'rerun', run!.id, '--org', seeded.orgId]);
    expect([rerun.exitCode, JSON.parse(rerun.out)]).toEqual([0, expect.objectContaining({ workflowId: `bill-sync/${seeded.configId}/${bill.id}` })]);
    await h.settleBill(bill.id);
    expect((await runsOf(seeded, bill.id)).map((r) => [r.status, r.parentIntegrationRunId ?? null])).toEqual([['COMPLETE', run!.id], ['ERROR', null]]);
    await expect(runCli(h, ['runs', 'rerun', crypto.randomUUID(), '--org', seeded.orgId])).rejects.toThrow('<runId>: no integration run');
    const [invoice] = (await records(seeded)).invoices.filter((i) => i.externalId === invoiceExternalId(seeded.configId, bill.id));
    expect(invoice?.entity.id).toBe(customer.id);
  });
});

describe('a time limit on NetSuite retries', () => {
  let limited: Harness;
  beforeAll(async () => {
    // Retries that would go on for long (a thousand attempts), but a run may take 1.5 s at most.
    limited = await createHarness({ retry: { baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 1000, timeLimitMs: 1_500 } });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('ends a run NetSuite keeps throttling with TIMEOUT_LIMIT_EXCEEDED and its event, not ERROR, and counts it', async () => {
    const seeded = await seedIntegration({ db: limited.db, cipher: limited.cipher, emulator: limited.emulator.admin, keyPair, netsuiteAccountId: '6299001' });
    const { account } = await seedCustomer({ db: limited.db, emulator: limited.emulator.admin, orgId: seeded.orgId, netsuiteAccountId: '6299001', account: { code: 'SLOW' } });
    await limited.emulator.admin.setFaultRates('6299001', { error429Rate: 1, seed: 3 });
    const { bill, handoffs } = await saveAndHandOff(limited.db, seeded.orgId, sampleBill(account.id), 'test');
    await limited.settle(handoffs);
    const [run] = await listRuns(limited.db, seeded.orgId, { billId: bill.id });
    expect(run).toMatchObject({ status: 'TIMEOUT_LIMIT_EXCEEDED' });
    expect(run?.error).toMatch(/within the run's time limit of 2 seconds/);
    const events = await listEvents(limited.db, seeded.orgId, { billId: bill.id });
    expect(events.map((e) => [e.eventName, e.details.failure])).toEqual([['integration.perform.error', 'timeLimitExceeded']]);
    // NetSuite being away is the integration's trouble: it counts towards auto-disable.
    const counter = limited.temporal.workflow.getHandle(failureWorkflowId(seeded.configId));
    expect((await eventually(() => counter.query(failureCountQuery), (c) => c.successiveErrors === 1, 'the failure counted')).successiveErrors).toBe(1);
  });
});
