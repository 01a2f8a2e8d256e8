import crypto from 'node:crypto';
import { createAccount } from '../../db/accounts';
import { saveBill } from '../../db/bills';
import { generateKeyPair } from '../../demo/keyPair';
import { sampleBill } from '../../demo/sampleBills';
import { seedIntegration, type SeededIntegration } from '../../demo/seed';
import { invoiceExternalId } from '../../domain/externalId';
import { backlog } from '../../handoff/outbox';
import { startChaosStack, type ChaosStack } from '../support/chaosStack';
import { eventually } from '../support/eventually';
import { deliveriesByHandoff } from '../support/handoffDeliveries';
import type { WorkerProcess } from '../support/workerProcess';

/**
 * The hand-off from an API call to Temporal, hurt where it is fragile: the process that took the
 * approval killed while it hands the bills over, Temporal away while approvals arrive, and several
 * processes relaying the same outbox at once. Each ends with what a finance team checks: every bill
 * the API shows APPROVED (or was sent on calculation) has exactly one invoice and a COMPLETE run.
 */
let s: ChaosStack;
let accounts = 0;

beforeAll(async () => {
  s = await startChaosStack();
}, 300_000);

afterAll(async () => {
  await s?.stop();
});

interface World {
  seeded: SeededIntegration;
  customers: string[];
  token: string;
}

async function world(netsuiteAccountId: string, configData: Record<string, unknown>, api: WorkerProcess): Promise<World> {
  const keyPair = await generateKeyPair({ dir: `${s.tmpDir}/${netsuiteAccountId}`, kind: 'ec256' });
  const seeded = await seedIntegration({ db: s.db, cipher: s.cipher, emulator: s.emulator.admin, keyPair, netsuiteAccountId, configData });
  const customers = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const account = await createAccount(s.db, seeded.orgId, { code: `H${++accounts}-${i}`, name: `Customer ${i}`, emailAddress: `c${i}@example.com` });
      await s.emulator.admin.addCustomer({ accountId: netsuiteAccountId, externalId: account.id, name: account.name });
      return account.id;
    }),
  );
  return { seeded, customers, token: await token(api, seeded) };
}

async function token(api: WorkerProcess, seeded: SeededIntegration): Promise<string> {
  const response = await fetch(`${api.url()}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${seeded.apiKey}:${seeded.apiSecret}`).toString('base64')}`, 'content-type': 'application/json' },
    body: '{"grant_type":"client_credentials"}',
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function call(api: WorkerProcess, w: World, method: string, route: string, body?: unknown): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${api.url()}/organizations/${w.seeded.orgId}${route}`, { method, headers: { authorization: `Bearer ${w.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: await response.json(), ms: performance.now() - started };
}

/** Calculated bills stored directly (their calculation needs no sync here): the test is about what follows. */
async function calculatedBills(w: World, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await saveBill(s.db, w.seeded.orgId, sampleBill(w.customers[i % w.customers.length]!, { usageUnits: 1000 + i }))).id);
  return ids;
}

/** Every bill synced once its runs say so: a COMPLETE run for each, the outbox empty for the config. */
async function synced(w: World, billIds: string[]): Promise<void> {
  await eventually(
    async () => {
      const complete = await s.db.selectFrom('integrationRun').select('entityId').distinct().where('configId', '=', w.seeded.configId).where('status', '=', 'COMPLETE').execute();
      return complete.length;
    },
    (count) => count >= billIds.length,
    `${billIds.length} bills synced`,
    600_000,
  );
}

async function expectExactlyOnce(w: World, billIds: string[]): Promise<void> {
  const invoices = await s.emulator.admin.listInvoices(w.seeded.netsuiteAccountId);
  const counts = new Map<string, number>();
  for (const invoice of invoices) counts.set(invoice.externalId ?? '', (counts.get(invoice.externalId ?? '') ?? 0) + 1);
  expect(billIds.filter((id) => counts.get(invoiceExternalId(w.seeded.configId, id)) !== 1)).toEqual([]);
  expect(invoices).toHaveLength(billIds.length);
  const runs = await s.db.selectFrom('integrationRun').select(['entityId', 'status']).where('configId', '=', w.seeded.configId).execute();
  const complete = new Set(runs.filter((r) => r.status === 'COMPLETE').map((r) => r.entityId));
  expect(billIds.filter((id) => !complete.has(id))).toEqual([]);
  expect(runs.filter((r) => r.status !== 'COMPLETE')).toEqual([]);
  const undelivered = await s.db.selectFrom('outbox').select('id').where('configId', '=', w.seeded.configId).where('dtDelivered', 'is', null).execute();
  expect(undelivered).toEqual([]);
}

/** Temporal's own count of the deliveries (starts and signals) each hand-off became: none lost; how many were repeated. */
async function repeatedHandoffs(w: World): Promise<number> {
  const rows = await s.db.selectFrom('outbox').select(['id', 'deliveredRunId']).where('configId', '=', w.seeded.configId).where('kind', '=', 'billEvent').execute();
  const deliveries = await deliveriesByHandoff(s.temporal, w.seeded.configId, rows.map((r) => r.deliveredRunId));
  expect(rows.filter((r) => (deliveries.get(r.id) ?? 0) < 1)).toEqual([]);
  return rows.filter((r) => (deliveries.get(r.id) ?? 0) > 1).length;
}

describe('the hand-off to Temporal, hurt', () => {
  it('300 bills approved in one API call, the process that took the call SIGKILLed ~1 s later and restarted: every APPROVED bill has exactly one invoice', async () => {
    // A slow relay (2 signals at a time) so the kill lands while the bills are being handed over.
    const first = await s.startWorker({ OUTBOX_RELAY_CONCURRENCY: '2' });
    const w = await world('8890001', { onlySendBillOnApproval: true }, first);
    const billIds = await calculatedBills(w, 300);

    const approved = await call(first, w, 'POST', '/bills/approve', { billIds });
    expect(approved).toMatchObject({ status: 200, body: { message: 'Approved 300 bills' } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await s.killWorker(first);
    // The kill landed mid-hand-off: some approvals were still owed to Temporal.
    const owed = (await backlog(s.db)).undelivered;
    expect(owed).toBeGreaterThan(0);

    // Its sweep second-guesses changes after 3 s, far less than the syncs wait here: a hand-off
    // delivered but not yet answered must not be handed over again (it raced the sync's end into a
    // second run, seen in CI when the syncs waited longer than the default 2 minutes).
    const second = await s.startWorker({ OUTBOX_SWEEP_GRACE_SECONDS: '3', OUTBOX_SWEEP_INTERVAL_SECONDS: '2' });
    await synced(w, billIds);
    const listed: string[] = [];
    for (let page = (await call(second, w, 'GET', '/bills?excludeLineItems=true&pageSize=200')).body; ; ) {
      listed.push(...page.data.filter((b: { status: string }) => b.status === 'APPROVED').map((b: { id: string }) => b.id));
      if (!page.nextToken) break;
      page = (await call(second, w, 'GET', `/bills?excludeLineItems=true&pageSize=200&nextToken=${page.nextToken}`)).body;
    }
    expect(listed.sort()).toEqual([...billIds].sort());
    await expectExactlyOnce(w, billIds);
    await repeatedHandoffs(w);
    await s.killWorker(second);
  }, 900_000);

  it('Temporal stopped: 300 approvals and 50 bill PUTs answer 200 at once; Temporal back, all of them are synced exactly once', async () => {
    const service = await s.startWorker();
    const approving = await world('8890002', { onlySendBillOnApproval: true }, service);
    const onCalculation = await world('8890003', {}, service);
    const billIds = await calculatedBills(approving, 300);

    const putIds: string[] = [];
    await s.stopTemporal();
    try {
      const approved = await call(service, approving, 'POST', '/bills/approve', { billIds });
      expect(approved).toMatchObject({ status: 200, body: { message: 'Approved 300 bills' } });
      expect(approved.ms).toBeLessThan(10_000); // bounds a broken test, not a speed target (npm run bench measures that)
      for (let i = 0; i < 50; i++) {
        const put = await call(service, onCalculation, 'PUT', `/bills/${crypto.randomUUID()}`, sampleBill(onCalculation.customers[i % 20]!, { usageUnits: 5000 + i }));
        expect(put.status).toBe(200);
        putIds.push(put.body.id as string);
      }
      // The service says what is going on: changes accepted, Temporal unreachable, hand-offs waiting.
      const ready = await fetch(`${service.url()}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'degraded', postgres: { ok: true }, temporal: { ok: false }, outbox: { undelivered: 350 } });
    } finally {
      await s.startTemporal();
    }
    // A worker that lost Temporal for long may have exited (its supervisor restarts it): so do we.
    const worker = s.workers.includes(service) && (await alive(service)) ? service : await s.startWorker();
    await synced(approving, billIds);
    await synced(onCalculation, putIds);
    await expectExactlyOnce(approving, billIds);
    await expectExactlyOnce(onCalculation, putIds);
    await s.killWorker(worker);
  }, 900_000);

  it('two api processes and two workers relay the same outbox under load: no hand-off delivered twice, none lost', async () => {
    const apis = [await s.startWorker({ SERVICE_ROLE: 'api' }), await s.startWorker({ SERVICE_ROLE: 'api' })];
    const workers = [await s.startWorker({ SERVICE_ROLE: 'worker' }), await s.startWorker({ SERVICE_ROLE: 'worker' })];
    const approving = await world('8890004', { onlySendBillOnApproval: true }, apis[0]!);
    const onCalculation = await world('8890005', {}, apis[1]!);
    const billIds = await calculatedBills(approving, 400);

    // Approvals in four calls, two to each api process, while 100 bills are PUT through both.
    const approvals = [0, 1, 2, 3].map((i) => call(apis[i % 2]!, approving, 'POST', '/bills/approve', { billIds: billIds.slice(i * 100, (i + 1) * 100) }));
    const puts = Array.from({ length: 100 }, (_, i) => call(apis[i % 2]!, onCalculation, 'PUT', `/bills/${crypto.randomUUID()}`, sampleBill(onCalculation.customers[i % 20]!, { usageUnits: 7000 + i })));
    for (const approved of await Promise.all(approvals)) expect(approved).toMatchObject({ status: 200, body: { message: 'Approved 100 bills' } });
    const put = await Promise.all(puts);
    expect(put.map((p) => p.status)).toEqual(put.map(() => 200));
    const putIds = put.map((p) => p.body.id as string);

    await synced(approving, billIds);
    await synced(onCalculation, putIds);
    await expectExactlyOnce(approving, billIds);
    await expectExactlyOnce(onCalculation, putIds);
    // Nothing crashed here, so nothing may have been delivered twice either.
    expect(await repeatedHandoffs(approving)).toBe(0);
    expect(await repeatedHandoffs(onCalculation)).toBe(0);
    for (const process of [...apis, ...workers]) await s.killWorker(process);
  }, 900_000);
});

async function alive(process: WorkerProcess): Promise<boolean> {
  return fetch(`${process.url()}/health`).then(
    (r) => r.ok,
    () => false,
  );
}
