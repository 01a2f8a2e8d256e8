import crypto from 'node:crypto';
import { saveAndHandOff } from '../../usecases/bills';
import { createAccount } from '../../db/accounts';
import { INTEGRATION_EVENT_NAMES } from '../../db/schema';
import { sampleBill } from '../../demo/sampleBills';
import { seedIntegration, type SeededIntegration } from '../../demo/seed';
import { allPages, apiClient, type ApiClient } from '../support/api';
import { useFileWorld } from '../support/fileWorld';

/**
 * m3ter's events over real failures: a bill for an account NetSuite has no customer for stops before
 * anything is written (the customer is looked up by the account id), its run ends in ERROR and raises
 * integration.missingaccountmapping.error.
 */
const NS = '5550300';
const { h, api, keyPair } = useFileWorld();

interface World {
  client: ApiClient;
  seeded: SeededIntegration;
  good: string;
  bad: string;
}

async function world(): Promise<World> {
  const client = await apiClient(h, api);
  const seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NS, orgId: client.orgId, certificateId: `cert-${crypto.randomUUID()}` });
  const good = await createAccount(h.db, client.orgId, { code: `GOOD-${crypto.randomUUID().slice(0, 8)}`, name: 'Good Co', emailAddress: 'a@good.example' });
  await h.emulator.admin.addCustomer({ accountId: NS, externalId: good.id, name: good.name });
  const bad = await createAccount(h.db, client.orgId, { code: `MISSING-${crypto.randomUUID().slice(0, 8)}`, name: 'Missing Co', emailAddress: 'a@missing.example' });
  return { client, seeded, good: good.id, bad: bad.id };
}

/** One bill calculated for the account and synced to the end. */
async function sync(w: World, accountId: string) {
  const { bill, handoffs } = await saveAndHandOff(h.db, w.client.orgId, sampleBill(accountId), 'test');
  await h.settle(handoffs);
  return bill;
}


describe('events of failing bills', () => {
  let w: World;
  let failed: string[];
  beforeAll(async () => {
    w = await world();
    failed = [];
    for (let i = 0; i < 3; i++) failed.push((await sync(w, w.bad)).id);
    await sync(w, w.good);
  });

  it("lists a failed bill's missing-customer event in m3ter's form, with the run, the bill and the reason", async () => {
    const billId = failed[0]!;
    const response = await w.client.call('GET', `/organizations/{orgId}/events?resourceId=${billId}`);
    expect(response.status).toBe(200);
    expect(response.body.nextToken).toBeUndefined();
    expect(response.body.data).toHaveLength(1);
    const [event] = response.body.data;
    const [run] = (await w.client.call('GET', `/organizations/{orgId}/integrationruns/Bill/${billId}`)).body.data;
    expect(event).toEqual({
      id: expect.any(String),
      eventName: 'integration.missingaccountmapping.error',
      eventTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      dtActioned: null,
      m3terEvent: expect.objectContaining({ eventType: 'IntegrationEvent', configId: w.seeded.configId, entityType: 'Bill', entityId: billId, billId, accountId: w.bad, runId: run.id, reason: expect.stringContaining('has no customer with External ID'), details: expect.objectContaining({ status: 'ERROR' }) }),
    });
    expect(run).toMatchObject({ status: 'ERROR' });
    expect((await w.client.call('GET', `/organizations/{orgId}/events/${event.id}`)).body).toEqual(event);
  });

  it('filters by type, name, account, resource and ids, and pages until nextToken is absent', async () => {
    const all = await allPages(w.client, '/organizations/{orgId}/events?pageSize=1');
    expect(all).toHaveLength(3);
    expect(new Set(all.map((e) => e.id)).size).toBe(3);
    expect(new Set(all.map((e) => e.m3terEvent.billId))).toEqual(new Set(failed));
    const times = all.map((e) => Date.parse(e.eventTime));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const list = async (query: string) => (await w.client.call('GET', `/organizations/{orgId}/events?${query}`)).body.data as any[];
    expect(await list('eventType=IntegrationEvent')).toHaveLength(3);
    expect(await list('eventType=Notification')).toEqual([]);
    expect(await list('eventName=integration.missingaccountmapping.error')).toHaveLength(3);
    expect(await list('eventName=integration.authentication.error')).toEqual([]);
    expect(await list('eventName=configuration.commitment.created')).toEqual([]);
    expect(await list(`accountId=${w.bad}`)).toHaveLength(3);
    expect(await list(`accountId=${w.good}`)).toEqual([]);
    expect(await list(`resourceId=${w.seeded.configId}`)).toHaveLength(3);
    expect(await list(`resourceId=${crypto.randomUUID()}`)).toEqual([]);
    expect((await list(`ids=${all[0].id},${all[2].id}`)).map((e) => e.id)).toEqual([all[0].id, all[2].id]);
    expect(await list('ids=not-a-uuid')).toEqual([]);

    expect((await w.client.call('GET', '/organizations/{orgId}/events?accountId=nope')).status).toBe(400);
    expect((await w.client.call('GET', '/organizations/{orgId}/events?nextToken=abc')).status).toBe(400);
    expect((await w.client.call('GET', `/organizations/{orgId}/events/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it("names m3ter's five integration event types", async () => {
    const types = await w.client.call('GET', '/organizations/{orgId}/events/types');
    expect(types.status).toBe(200);
    expect(types.body).toEqual({ events: [...INTEGRATION_EVENT_NAMES] });
    expect(types.body.events).toHaveLength(5);
  });

  it('marks an event actioned once: a second call keeps the first time; includeActioned=false hides it', async () => {
    const [event] = (await w.client.call('GET', `/organizations/{orgId}/events?resourceId=${failed[1]}`)).body.data;
    const first = await w.client.call('PUT', `/organizations/{orgId}/events/${event.id}/actioned`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: event.id, dtActioned: expect.any(String), m3terEvent: expect.objectContaining({ actionedBy: 'api' }) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await w.client.call('POST', `/organizations/{orgId}/events/${event.id}/actioned`);
    expect(again.status).toBe(200);
    expect(again.body.dtActioned).toBe(first.body.dtActioned);
    expect((await w.client.call('GET', `/organizations/{orgId}/events/${event.id}`)).body.dtActioned).toBe(first.body.dtActioned);

    const open = (await w.client.call('GET', '/organizations/{orgId}/events?includeActioned=false')).body.data as any[];
    expect(open).toHaveLength(2);
    expect(open.map((e) => e.id)).not.toContain(event.id);
    expect((await w.client.call('GET', '/organizations/{orgId}/events?includeActioned=true')).body.data).toHaveLength(3);
    expect((await w.client.call('GET', '/organizations/{orgId}/events')).body.data).toHaveLength(3);

    expect((await w.client.call('PUT', `/organizations/{orgId}/events/${crypto.randomUUID()}/actioned`)).status).toBe(404);
  });
});

describe('paging', () => {
  it('pages exactly through events raised within the same millisecond (keyset on the stored microseconds)', async () => {
    const w = await world();
    const ids = Array.from({ length: 7 }, () => crypto.randomUUID());
    // Times a JS Date can't tell apart: an offset or a millisecond cursor would skip or repeat some.
    await h.db
      .insertInto('integrationEvent')
      .values(ids.map((id, i) => ({ id, organizationId: w.client.orgId, eventName: 'integration.perform.error' as const, configId: w.seeded.configId, eventTime: `2026-01-01T00:00:00.1234${i % 3}Z`, reason: `r${i}`, details: JSON.stringify({}) })))
      .execute();
    for (const pageSize of [1, 2, 3]) {
      const listed = await allPages(w.client, `/organizations/{orgId}/events?pageSize=${pageSize}`);
      expect(listed.map((e) => e.id).sort()).toEqual([...ids].sort());
    }
  });
});

describe('organizations', () => {
  it("another organization's events answer 404, can't be actioned and are not listed", async () => {
    const b = await world();
    await sync(b, b.bad);
    const [event] = (await b.client.call('GET', '/organizations/{orgId}/events')).body.data;
    expect(event).toBeDefined();
    const a = await apiClient(h, api);

    expect((await a.call('GET', `/organizations/{orgId}/events/${event.id}`)).status).toBe(404);
    expect((await a.call('PUT', `/organizations/{orgId}/events/${event.id}/actioned`)).status).toBe(404);
    expect((await a.call('GET', `/organizations/{orgId}/events?ids=${event.id}`)).body.data).toEqual([]);
    expect((await a.call('GET', '/organizations/{orgId}/events')).body.data).toEqual([]);
    const direct = await fetch(`${api.url}/organizations/${b.client.orgId}/events/${event.id}`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(direct.status).toBe(404);

    // Still open for B.
    expect((await b.client.call('GET', `/organizations/{orgId}/events/${event.id}`)).body.dtActioned).toBeNull();
  });
});
