import crypto from 'node:crypto';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { createAccount } from '../../db/accounts';
import { sampleBill } from '../../demo/sampleBills';
import { seedIntegration, type SeededIntegration } from '../../demo/seed';
import { allPages, apiClient, type ApiClient } from '../support/api';
import { useFileWorld } from '../support/fileWorld';

/**
 * m3ter's integration-run endpoints over real syncs: bills go through Temporal into the NetSuite
 * emulator, and the API lists what happened. A bill fails the way it does in production (NetSuite
 * refuses an account it has no customer for) until the customer is added.
 */
const NS = '5550200';
const { h, api, keyPair } = useFileWorld();

interface World {
  client: ApiClient;
  seeded: SeededIntegration;
  accountId: string;
}

/** An organization reached through the API, with a NetSuite integration and an account (not yet a NetSuite customer). */
async function world(): Promise<World> {
  const client = await apiClient(h, api);
  const seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NS, orgId: client.orgId, certificateId: `cert-${crypto.randomUUID()}` });
  const account = await createAccount(h.db, client.orgId, { code: `ACME-${crypto.randomUUID().slice(0, 8)}`, name: 'Acme Ltd', emailAddress: 'ap@acme.example' });
  return { client, seeded, accountId: account.id };
}

const addCustomer = (w: World) => h.emulator.admin.addCustomer({ accountId: NS, externalId: w.accountId, name: 'Acme Ltd' });

/** A bill with three finished runs, oldest first: ERROR (no customer yet), COMPLETE, COMPLETE. */
async function billWithThreeRuns(w: World) {
  const { bill, handoffs } = await saveAndHandOff(h.db, w.client.orgId, sampleBill(w.accountId), 'test');
  await h.settle(handoffs);
  await addCustomer(w);
  await h.settle((await approveAndHandOff(h.db, w.client.orgId, [bill.id], 'test')).handoffs);
  await h.settle((await approveAndHandOff(h.db, w.client.orgId, [bill.id], 'test')).handoffs);
  return bill;
}


const invoicesOf = async (billId: string) => (await h.emulator.admin.listInvoices(NS)).filter((i) => i.externalId?.endsWith(billId.replace(/-/g, '')));

describe('integration runs of a bill', () => {
  let w: World;
  let billId: string;
  beforeAll(async () => {
    w = await world();
    billId = (await billWithThreeRuns(w)).id;
  });

  it('lists them newest first in m3ter run form, page by page until nextToken is absent', async () => {
    const runs = await allPages(w.client, `/organizations/{orgId}/integrationruns/Bill/${billId}?pageSize=1`);
    expect(runs).toHaveLength(3);
    expect(new Set(runs.map((r) => r.id)).size).toBe(3);
    expect(runs.map((r) => r.status)).toEqual(['COMPLETE', 'COMPLETE', 'ERROR']);
    expect(runs.map((r) => r.trigger)).toEqual(['approved', 'approved', 'calculated']);
    const started = runs.map((r) => Date.parse(r.dtStarted));
    expect([...started].sort((a, b) => b - a)).toEqual(started);

    const [newest] = runs;
    expect(newest).toMatchObject({
      entityType: 'Bill',
      entityId: billId,
      destination: 'Netsuite',
      destinationId: w.seeded.configId,
      configId: w.seeded.configId,
      status: 'COMPLETE',
      error: null,
      externalId: expect.any(String),
      url: expect.stringContaining('/app/accounting/transactions/custinvc.nl?id='),
      invoiceExternalId: expect.stringMatching(/^m3ter-/),
      parentIntegrationRunId: null,
      workflowId: `bill-sync/${w.seeded.configId}/${billId}`,
      workflowRunId: expect.any(String),
      entityVersion: 1,
      version: expect.any(Number),
      dtCreated: expect.any(String),
      dtLastModified: expect.any(String),
      dtCompleted: expect.any(String),
    });
    expect(runs[2]).toMatchObject({ status: 'ERROR', error: expect.stringContaining('has no customer with External ID'), externalId: null });
    // One request with the default page size gives the same runs and no nextToken.
    const whole = await w.client.call('GET', `/organizations/{orgId}/integrationruns/Bill/${billId}`);
    expect(whole.body.data.map((r: any) => r.id)).toEqual(runs.map((r) => r.id));
    expect(whole.body.nextToken).toBeUndefined();
  });

  it('filters by status and by start date, and refuses an unknown status or a forged token', async () => {
    const path = `/organizations/{orgId}/integrationruns/Bill/${billId}`;
    expect((await w.client.call('GET', `${path}?status=ERROR`)).body.data.map((r: any) => r.status)).toEqual(['ERROR']);
    expect((await allPages(w.client, `${path}?status=COMPLETE&pageSize=1`)).map((r) => r.status)).toEqual(['COMPLETE', 'COMPLETE']);
    expect((await w.client.call('GET', `${path}?status=ERROR,COMPLETE`)).body.data).toHaveLength(3);
    expect((await w.client.call('GET', `${path}?status=TIMEOUT_LIMIT_EXCEEDED`)).body.data).toEqual([]);

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await w.client.call('GET', `${path}?startDate=${yesterday}&endDate=${tomorrow}`)).body.data).toHaveLength(3);
    expect((await w.client.call('GET', `${path}?startDate=${tomorrow}`)).body.data).toEqual([]);
    expect((await w.client.call('GET', `${path}?endDate=${yesterday}`)).body.data).toEqual([]);

    const unknown = await w.client.call('GET', `${path}?status=DONE`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('status');
    const forged = await w.client.call('GET', `${path}?nextToken=abc`);
    expect(forged.status).toBe(400);
    expect(forged.body.message).toContain('nextToken');
  });

  it('gives the latest run, and 404 for a bill with none', async () => {
    const all = (await w.client.call('GET', `/organizations/{orgId}/integrationruns/Bill/${billId}`)).body.data;
    const latest = await w.client.call('GET', `/organizations/{orgId}/integrationruns/Bill/latest/${billId}`);
    expect(latest.status).toBe(200);
    expect(latest.body).toEqual(all[0]);
    const none = await w.client.call('GET', `/organizations/{orgId}/integrationruns/Bill/latest/${crypto.randomUUID()}`);
    expect(none.status).toBe(404);
    expect(none.body.message).toContain('not found');
  });

  it('shows one run with the decisions behind its invoice and the body sent', async () => {
    const [newest] = (await w.client.call('GET', `/organizations/{orgId}/integrationruns/Bill/${billId}`)).body.data;
    const one = await w.client.call('GET', `/organizations/{orgId}/integrationruns/${newest.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ ...newest, decisions: expect.any(Array), invoiceBody: expect.any(Object) });
    expect(one.body.decisions.map((d: any) => d.kind)).toEqual(expect.arrayContaining(['customer', 'line']));
    expect(one.body.invoiceBody).toMatchObject({ externalId: newest.invoiceExternalId, entity: { externalId: w.accountId } });
    expect((await w.client.call('GET', `/organizations/{orgId}/integrationruns/${crypto.randomUUID()}`)).status).toBe(404);
  });
});

describe('integration runs of a destination', () => {
  it('lists every run of the integration config, newest first by default, oldest first with order=ASC', async () => {
    const w = await world();
    await addCustomer(w);
    for (let i = 0; i < 3; i++) await h.settle((await saveAndHandOff(h.db, w.client.orgId, sampleBill(w.accountId, { month: `2026-0${i + 1}` }), 'test')).handoffs);
    const path = `/organizations/{orgId}/integrationruns/destinations/${w.seeded.configId}`;

    const desc = await allPages(w.client, `${path}?pageSize=2`);
    expect(desc).toHaveLength(3);
    const asc = await allPages(w.client, `${path}?order=ASC&pageSize=2&destination=Netsuite`);
    expect(asc.map((r) => r.id)).toEqual([...desc].reverse().map((r) => r.id));
    const ascStarts = asc.map((r) => Date.parse(r.dtStarted));
    expect([...ascStarts].sort((a, b) => a - b)).toEqual(ascStarts);
    expect((await w.client.call('GET', `${path}?order=DESC`)).body.data.map((r: any) => r.id)).toEqual(desc.map((r) => r.id));
    expect(asc.every((r) => r.destinationId === w.seeded.configId && r.status === 'COMPLETE')).toBe(true);

    expect((await w.client.call('GET', `${path}?destination=Xero`)).body.data).toEqual([]);
    expect((await w.client.call('GET', `/organizations/{orgId}/integrationruns/destinations/${crypto.randomUUID()}`)).body.data).toEqual([]);
    expect((await w.client.call('GET', `${path}?order=sideways`)).status).toBe(400);
  });
});

describe('paging', () => {
  it('pages exactly through runs started within the same millisecond, in both orders', async () => {
    const w = await world();
    const billId = crypto.randomUUID();
    const ids = Array.from({ length: 7 }, () => crypto.randomUUID());
    // Start times a JS Date can't tell apart: a millisecond cursor would skip or repeat some.
    await h.db
      .insertInto('integrationRun')
      .values(
        ids.map((id, i) => ({
          id,
          organizationId: w.client.orgId,
          configId: w.seeded.configId,
          entityType: 'Bill',
          entityId: billId,
          destination: 'Netsuite',
          trigger: 'manual',
          status: 'ERROR' as const,
          dtStarted: `2026-01-01T00:00:00.1234${i % 3}Z`,
          workflowId: 'wf',
          workflowRunId: 'wf-run',
          decisions: JSON.stringify([]),
        })),
      )
      .execute();
    for (const pageSize of [1, 2, 3]) {
      const listed = await allPages(w.client, `/organizations/{orgId}/integrationruns/Bill/${billId}?pageSize=${pageSize}`);
      expect(listed.map((r) => r.id).sort()).toEqual([...ids].sort());
      const asc = await allPages(w.client, `/organizations/{orgId}/integrationruns/destinations/${w.seeded.configId}?order=ASC&pageSize=${pageSize}`);
      expect(asc.map((r) => r.id)).toEqual([...listed].reverse().map((r) => r.id));
    }
  });
});

describe('re-running a run', () => {
  it('starts a new run of the same bill with parentIntegrationRunId set; NetSuite still has one invoice', async () => {
    const w = await world();
    await addCustomer(w);
    const { bill, handoffs } = await saveAndHandOff(h.db, w.client.orgId, sampleBill(w.accountId), 'test');
    await h.settle(handoffs);
    const [first] = (await w.client.call('GET', `/organizations/{orgId}/integrationruns/Bill/${bill.id}`)).body.data;
    expect(first).toMatchObject({ status: 'COMPLETE' });

    const rerun = await w.client.call('POST', `/organizations/{orgId}/integrationruns/${first.id}/rerun`);
    expect(rerun.status).toBe(202);
    expect(rerun.body).toEqual({ workflowId: `bill-sync/${w.seeded.configId}/${bill.id}` });
    await h.settleBill(bill.id);

    const runs = (await w.client.call('GET', `/organizations/{orgId}/integrationruns/Bill/${bill.id}`)).body.data;
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ status: 'COMPLETE', trigger: 'rerun', parentIntegrationRunId: first.id, externalId: first.externalId });
    const latest = (await w.client.call('GET', `/organizations/{orgId}/integrationruns/Bill/latest/${bill.id}`)).body;
    expect(latest.id).toBe(runs[0].id);
    const invoices = await invoicesOf(bill.id);
    expect(invoices).toHaveLength(1);
    expect(invoices[0]!.writes).toBe(2);

    expect((await w.client.call('POST', `/organizations/{orgId}/integrationruns/${crypto.randomUUID()}/rerun`)).status).toBe(404);
  });
});

describe('organizations', () => {
  it("another organization's runs answer 404 and can't be re-run", async () => {
    const b = await world();
    await addCustomer(b);
    const { bill, handoffs } = await saveAndHandOff(h.db, b.client.orgId, sampleBill(b.accountId), 'test');
    await h.settle(handoffs);
    const [run] = (await b.client.call('GET', `/organizations/{orgId}/integrationruns/Bill/${bill.id}`)).body.data;
    const a = await apiClient(h, api);

    expect((await a.call('GET', `/organizations/{orgId}/integrationruns/${run.id}`)).status).toBe(404);
    expect((await a.call('GET', `/organizations/{orgId}/integrationruns/Bill/latest/${bill.id}`)).status).toBe(404);
    expect((await a.call('GET', `/organizations/{orgId}/integrationruns/Bill/${bill.id}`)).body.data).toEqual([]);
    expect((await a.call('GET', `/organizations/{orgId}/integrationruns/destinations/${b.seeded.configId}`)).body.data).toEqual([]);
    expect((await a.call('POST', `/organizations/{orgId}/integrationruns/${run.id}/rerun`)).status).toBe(404);
    // B's paths with A's token: as if B did not exist.
    const direct = await fetch(`${api.url}/organizations/${b.client.orgId}/integrationruns/${run.id}/rerun`, { method: 'POST', headers: { authorization: `Bearer ${a.token}` } });
    expect(direct.status).toBe(404);

    // Nothing was started for B: still one run.
    expect((await b.client.call('GET', `/organizations/{orgId}/integrationruns/Bill/${bill.id}`)).body.data).toHaveLength(1);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/organizations/{orgId}/integrationruns/{entityType}/{entityId}',
        '/organizations/{orgId}/integrationruns/{entityType}/latest/{entityId}',
        '/organizations/{orgId}/integrationruns/destinations/{destinationId}',
        '/organizations/{orgId}/integrationruns/{id}',
        '/organizations/{orgId}/integrationruns/{id}/rerun',
      ]),
    );
  });
});
