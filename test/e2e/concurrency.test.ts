import crypto from 'node:crypto';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { createAccount } from '../../db/accounts';
import { listEvents } from '../../db/events';
import { listRuns } from '../../db/runs';
import { generateKeyPair } from '../../demo/keyPair';
import { sampleBill } from '../../demo/sampleBills';
import { seedIntegration, type SeededIntegration } from '../../demo/seed';
import { spawnWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { useFileWorld } from '../support/fileWorld';

/**
 * NetSuite's concurrency limit is per account and shared by every integration. Two worker processes
 * (as in a scaled deployment) must never have more requests in flight on one account than the
 * credential allows; the emulator's peak-concurrency counter is the judge.
 */
const NS = '5550300';
const { h, stopBeforeClosing } = useFileWorld();
let seeded: SeededIntegration;
let workers: WorkerProcess[] = [];
const queue = `governed-${crypto.randomUUID()}`;

beforeAll(async () => {
  // The two worker processes deliver the hand-offs (to their own task queue), not this file's relay.
  await h.pauseRelay();
  const keyPair = await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' });
  seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NS });
  await h.db.updateTable('netsuiteCredential').set({ concurrencyLimit: 3 }).where('id', '=', seeded.credentialId).execute();
  const env = h.serviceEnv(queue);
  workers = [spawnWorkerProcess(env), spawnWorkerProcess(env)];
  await Promise.all(workers.map((w) => w.ready));
}, 180_000);

stopBeforeClosing(async () => {
  await Promise.all(workers.map((w) => w.stop()));
});

async function burst(count: number) {
  const bills = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const account = await createAccount(h.db, seeded.orgId, { code: `C-${crypto.randomUUID()}`, name: `Customer ${i}`, emailAddress: `c${i}@example.com` });
      await h.emulator.admin.addCustomer({ accountId: NS, externalId: account.id, name: account.name });
      return (await saveAndHandOff(h.db, seeded.orgId, sampleBill(account.id), 'test')).bill;
    }),
  );
  const { handoffs } = await approveAndHandOff(h.db, seeded.orgId, bills.map((b) => b.id), 'test');
  await h.settle(handoffs);
  return bills;
}

describe('NetSuite concurrency governance', () => {
  it("never has more requests in flight on an account than the credential's limit, across two worker processes", async () => {
    // NetSuite itself would allow 50 here: what we measure is our own restraint.
    await h.emulator.admin.updateSettings(NS, { concurrencyLimit: 50, latencyMs: 100 });
    await h.emulator.admin.resetPeak(NS);
    const bills = await burst(30);
    const stats = await h.emulator.admin.getStats(NS);
    expect(stats.peakConcurrency).toBeLessThanOrEqual(3);
    expect(stats.peakConcurrency).toBeGreaterThanOrEqual(2);
    const invoices = await h.emulator.admin.listInvoices(NS);
    for (const bill of bills) expect(invoices.filter((i) => i.externalId?.endsWith(bill.id.replace(/-/g, '')))).toHaveLength(1);
  });

  it('backs off and completes when NetSuite answers 429 anyway (other integrations share the limit)', async () => {
    // Another integration is using most of the account: NetSuite admits only 2 at once.
    await h.emulator.admin.updateSettings(NS, { concurrencyLimit: 2, latencyMs: 100 });
    const before = (await h.emulator.admin.getStats(NS)).rejectedByConcurrency;
    const bills = await burst(20);
    expect((await h.emulator.admin.getStats(NS)).rejectedByConcurrency).toBeGreaterThan(before);
    for (const bill of bills) {
      expect((await listRuns(h.db, seeded.orgId, { billId: bill.id })).every((r) => r.status === 'COMPLETE')).toBe(true);
      expect(await listEvents(h.db, seeded.orgId, { billId: bill.id })).toEqual([]);
    }
  });
});
