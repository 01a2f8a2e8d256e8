import crypto from 'node:crypto';
import { approveAndHandOff } from '../../usecases/bills';
import { saveBill } from '../../db/bills';
import { createAccount } from '../../db/accounts';
import { listEvents } from '../../db/events';
import { generateKeyPair } from '../../demo/keyPair';
import { sampleBill } from '../../demo/sampleBills';
import { seedIntegration, type SeededIntegration } from '../../demo/seed';
import { invoiceExternalId } from '../../domain/externalId';
import type { Handoff } from '../../handoff/outbox';
import { waitForSyncs } from '../../handoff/syncs';
import { startChaosStack, type ChaosStack } from '../support/chaosStack';
import { eventually } from '../support/eventually';

/**
 * The promise users buy a durable-workflow design for: every approved bill reaches NetSuite exactly
 * once, whatever fails in between. Each scenario approves a burst of bills, hurts one part of the
 * deployment mid-burst, and then checks every bill: one invoice, its run COMPLETE, nothing left behind.
 */
let s: ChaosStack;
let keyDir: string;

beforeAll(async () => {
  s = await startChaosStack();
  keyDir = s.tmpDir;
  await s.startWorker();
}, 300_000);

afterAll(async () => {
  await s?.stop();
});

async function integration(netsuiteAccountId: string): Promise<SeededIntegration> {
  const keyPair = await generateKeyPair({ dir: `${keyDir}/${netsuiteAccountId}`, kind: 'ec256' });
  return seedIntegration({ db: s.db, cipher: s.cipher, emulator: s.emulator.admin, keyPair, netsuiteAccountId });
}

/** Creates `count` bills over 20 customers and approves them all at once. */
async function approveBurst(seeded: SeededIntegration, count: number): Promise<{ billIds: string[]; handoffs: Handoff[] }> {
  const customers = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const account = await createAccount(s.db, seeded.orgId, { code: `C${i}-${crypto.randomUUID()}`, name: `Customer ${i}`, emailAddress: `c${i}@example.com` });
      await s.emulator.admin.addCustomer({ accountId: seeded.netsuiteAccountId, externalId: account.id, name: account.name });
      return account.id;
    }),
  );
  const billIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = crypto.randomUUID();
    billIds.push(id);
    // Stored without events: the burst is the approval of all of them at once.
    await saveBill(s.db, seeded.orgId, { ...sampleBill(customers[i % customers.length]!, { usageUnits: 1000 + i }), id });
  }
  const { handoffs } = await approveAndHandOff(s.db, seeded.orgId, billIds, 'chaos');
  return { billIds, handoffs };
}

const invoicesSent = async (seeded: SeededIntegration) => (await s.emulator.admin.listInvoices(seeded.netsuiteAccountId)).length;

async function expectExactlyOnce(seeded: SeededIntegration, billIds: string[], handoffs: Handoff[]): Promise<void> {
  await waitForSyncs(s, handoffs, { timeoutMs: 600_000 });
  const invoices = await s.emulator.admin.listInvoices(seeded.netsuiteAccountId);
  const byExternalId = new Map(invoices.map((i) => [i.externalId, i]));
  expect(invoices).toHaveLength(billIds.length);
  for (const billId of billIds) expect(byExternalId.has(invoiceExternalId(seeded.configId, billId))).toBe(true);
  const runs = await s.db.selectFrom('integrationRun').select(['entityId', 'status']).where('configId', '=', seeded.configId).execute();
  const complete = new Set(runs.filter((r) => r.status === 'COMPLETE').map((r) => r.entityId));
  expect(billIds.filter((id) => !complete.has(id))).toEqual([]);
  // Nothing left half-way, and no error raised for trouble that was retried.
  expect(runs.filter((r) => r.status !== 'COMPLETE')).toEqual([]);
  expect(await listEvents(s.db, seeded.orgId, { configId: seeded.configId })).toEqual([]);
}

describe('exactly once, whatever fails', () => {
  it('a worker SIGKILLed three times during a burst of 300 approved bills', async () => {
    const seeded = await integration('8880001');
    const { billIds, handoffs } = await approveBurst(seeded, 300);
    for (const threshold of [50, 120, 200]) {
      await eventually(() => invoicesSent(seeded), (n) => n >= threshold, `${threshold} invoices`, 300_000);
      const victim = s.workers[0]!;
      await s.killWorker(victim);
      await s.startWorker();
    }
    await expectExactlyOnce(seeded, billIds, handoffs);
  }, 900_000);

  it('a worker SIGKILLed while NetSuite holds its quick send: the PUT arrived, COMPLETE was not yet stored', async () => {
    const seeded = await integration('8880005');
    const ns = seeded.netsuiteAccountId;
    // Every request takes 3 s, so the kill lands inside the PUT; NetSuite goes on and takes it.
    await s.emulator.admin.updateSettings(ns, { latencyMs: 3_000 });
    const { billIds, handoffs } = await approveBurst(seeded, 1);
    await eventually(() => s.emulator.admin.getStats(ns), (stats) => stats.requests.upsert >= 1, 'the PUT at NetSuite', 120_000);
    await s.killWorker(s.workers[0]!);
    await s.startWorker();
    await expectExactlyOnce(seeded, billIds, handoffs);
    // The next worker did the task again, and its PUT updated the record the first one created.
    const [invoice] = await s.emulator.admin.listInvoices(ns);
    expect(invoice!.writes).toBe(2);
  }, 900_000);

  it('the Temporal server restarted mid-burst', async () => {
    const seeded = await integration('8880002');
    const { billIds, handoffs } = await approveBurst(seeded, 100);
    await eventually(() => invoicesSent(seeded), (n) => n >= 30, '30 invoices', 300_000);
    await s.restartTemporal();
    await expectExactlyOnce(seeded, billIds, handoffs);
  }, 900_000);

  it('PostgreSQL restarted mid-burst', async () => {
    const seeded = await integration('8880003');
    const { billIds, handoffs } = await approveBurst(seeded, 100);
    await eventually(() => invoicesSent(seeded), (n) => n >= 30, '30 invoices', 300_000);
    await s.restartPostgres();
    await expectExactlyOnce(seeded, billIds, handoffs);
  }, 900_000);

  it('NetSuite misbehaving: 5xx, 429, dropped connections, lost answers, revoked tokens, latency spikes', async () => {
    const seeded = await integration('8880004');
    const ns = seeded.netsuiteAccountId;
    await s.emulator.admin.setFaultRates(ns, { error500Rate: 0.1, error429Rate: 0.05, dropRate: 0.02, lostAnswerRate: 0.03, seed: 7 });
    await s.emulator.admin.updateSettings(ns, { revokeTokensEveryN: 100, latencyMs: 20 });
    await s.emulator.admin.scriptFaults(ns, ['latency:1500', 'latency:3000', 'latency:1500']);
    const { billIds, handoffs } = await approveBurst(seeded, 200);
    await expectExactlyOnce(seeded, billIds, handoffs);
    const stats = await s.emulator.admin.getStats(ns);
    expect(Object.values(stats.faultsInjected).reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
  }, 900_000);
});
