import crypto from 'node:crypto';
import { listEvents } from '../../db/events';
import { listRuns } from '../../db/runs';
import { generateKeyPair, type GeneratedKeyPair } from '../../demo/keyPair';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration, type SeededIntegration } from '../../demo/seed';
import { invoiceExternalId } from '../../domain/externalId';
import { waitForDelivery } from '../../handoff/outbox';
import { failureCountQuery, failureWorkflowId } from '../../temporal/contract';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { apiClient, startApi, type ApiWorld } from '../support/api';
import { eventually } from '../support/eventually';
import { createHarness, type Harness } from '../support/harness';

/**
 * NetSuite as a finance team meets it in its first month, end to end against the emulator (which
 * refuses as NetSuite does): an integration set up before its credential, amounts NetSuite can't hold,
 * negative bills, closed periods, paid invoices, a customer NetSuite doesn't know, time limits.
 */
let h: Harness;
let api: ApiWorld;
let keyPair: GeneratedKeyPair;
let n = 0;

beforeAll(async () => {
  h = await createHarness();
  api = await startApi(h);
  keyPair = await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' });
});

afterAll(async () => {
  await api?.close();
  await h?.close();
});

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
