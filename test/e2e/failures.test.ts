import crypto from 'node:crypto';
import { saveAndHandOff } from '../../usecases/bills';
import { enableAndReset } from '../../usecases/configs';
import { createAccount } from '../../db/accounts';
import { getConfig } from '../../db/configs';
import { listEvents } from '../../db/events';
import { createOrganization } from '../../db/organizations';
import { listRuns } from '../../db/runs';
import { createUser } from '../../db/users';
import { generateKeyPair, type GeneratedKeyPair } from '../../demo/keyPair';
import { sampleBill } from '../../demo/sampleBills';
import { seedIntegration, type SeededIntegration } from '../../demo/seed';
import { eventually } from '../support/eventually';
import { createHarness, type Harness } from '../support/harness';
import { spawnWorkerProcess } from '../support/workerProcess';
import { failureCountQuery, failureWorkflowId } from '../../temporal/contract';

/**
 * The guide's safety net: after 10 successive error events an integration disables itself and emails
 * the chosen users. Bills fail here the way they do in production: the account was never created as a
 * customer in NetSuite, so its look-up finds none (integration.missingaccountmapping.error).
 */
const NS = '5550100';
let h: Harness;
let keyPair: GeneratedKeyPair;

beforeAll(async () => {
  h = await createHarness({ failureThreshold: 10 });
  keyPair = await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' });
});

afterAll(async () => {
  await h?.close();
});


interface World {
  seeded: SeededIntegration;
  users: Array<{ id: string; email: string }>;
  good: string;
  bad: string;
}

async function world(): Promise<World> {
  const org = await createOrganization(h.db, 'Failures');
  const users = [await createUser(h.db, org.orgId, { email: `ap-${crypto.randomUUID()}@example.com` }), await createUser(h.db, org.orgId, { email: `cfo-${crypto.randomUUID()}@example.com` })];
  const seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NS, orgId: org.orgId, certificateId: `cert-${crypto.randomUUID()}`, configData: { integrationDisabledNotificationUsers: users.map((u) => u.id) } });
  const good = await createAccount(h.db, org.orgId, { code: 'GOOD', name: 'Good Co', emailAddress: 'a@good.example' });
  await h.emulator.admin.addCustomer({ accountId: NS, externalId: good.id, name: good.name });
  const bad = await createAccount(h.db, org.orgId, { code: 'NOT-IN-NETSUITE', name: 'Missing Co', emailAddress: 'a@missing.example' });
  return { seeded, users, good: good.id, bad: bad.id };
}

/** One bill calculated for the account, synced to the end (its outcome reported to the counter). */
async function sync(w: World, accountId: string) {
  const { bill, handoffs } = await saveAndHandOff(h.db, w.seeded.orgId, sampleBill(accountId), 'test');
  await h.settle(handoffs);
  return bill;
}

async function counter(configId: string) {
  return h.temporal.workflow.getHandle(failureWorkflowId(configId)).query(failureCountQuery);
}

const waitForCount = (configId: string, n: number) => eventually(() => counter(configId), (c) => c.successiveErrors === n, `the counter reaching ${n}`);
const isEnabled = async (w: World) => (await getConfig(h.db, w.seeded.orgId, w.seeded.configId))?.enabled;
const mailTo = async (email: string) => (await h.readMail()).filter((m) => m.to.includes(email));

describe('the consecutive-failure workflow', () => {
  it('disables the config at the 10th successive error, raises one disabled event, emails each chosen user once; the 11th bill is held back, and sent when the config is enabled again', async () => {
    const w = await world();
    for (let i = 0; i < 9; i++) await sync(w, w.bad);
    await waitForCount(w.seeded.configId, 9);
    expect(await isEnabled(w)).toBe(true);

    await sync(w, w.bad);
    await eventually(() => isEnabled(w), (enabled) => enabled === false, 'the config being disabled');
    const disabled = await listEvents(h.db, w.seeded.orgId, { configId: w.seeded.configId, eventName: 'integration.disabled.error' });
    expect(disabled).toHaveLength(1);
    expect(await listEvents(h.db, w.seeded.orgId, { configId: w.seeded.configId, eventName: 'integration.missingaccountmapping.error' })).toHaveLength(10);
    for (const user of w.users) {
      const mails = await eventually(() => mailTo(user.email), (m) => m.length > 0, `mail to ${user.email}`);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toContain('disabled after 10 errors');
      expect(mails[0]?.text).toContain('config enable --config');
      expect(mails[0]?.text).toContain('has no customer with External ID');
    }

    const requestsBefore = (await h.emulator.admin.getStats(NS)).requests.upsert;
    const eleventh = await sync(w, w.good);
    expect((await listRuns(h.db, w.seeded.orgId, { billId: eleventh.id }))[0]).toMatchObject({ status: 'DISABLED' });
    expect((await h.emulator.admin.getStats(NS)).requests.upsert).toBe(requestsBefore);

    // Re-enabling sends the bill it held back, with nobody re-running it: its latest run is COMPLETE.
    const enabled = (await enableAndReset(h.db, w.seeded.orgId, w.seeded.configId, 'test'))!;
    expect(enabled.heldBack.map((handoff) => handoff.billId)).toEqual([eleventh.id]);
    await h.settle([enabled.handoff, ...enabled.heldBack]);
    await waitForCount(w.seeded.configId, 0);
    expect((await listRuns(h.db, w.seeded.orgId, { billId: eleventh.id })).map((run) => run.status)).toEqual(['COMPLETE', 'DISABLED']);
    expect((await h.emulator.admin.getStats(NS)).requests.upsert).toBe(requestsBefore + 1);
    expect((await counter(w.seeded.configId)).disabled).toBe(false);
  });

  it('9 errors, a success, 9 errors: still enabled', async () => {
    const w = await world();
    for (let i = 0; i < 9; i++) await sync(w, w.bad);
    await waitForCount(w.seeded.configId, 9);
    await sync(w, w.good);
    await waitForCount(w.seeded.configId, 0);
    for (let i = 0; i < 9; i++) await sync(w, w.bad);
    await waitForCount(w.seeded.configId, 9);
    expect(await isEnabled(w)).toBe(true);
    expect(await listEvents(h.db, w.seeded.orgId, { configId: w.seeded.configId, eventName: 'integration.disabled.error' })).toHaveLength(0);
  });

  it('50 bills failing at once: disabled exactly once, one email per user, even when sending an email has to be retried', async () => {
    const w = await world();
    // The second notification email is refused once by the SMTP server: the activity retries, and
    // the user already emailed is not emailed again.
    h.mailSink.rejectNth(2);
    const results = await Promise.all(Array.from({ length: 50 }, () => saveAndHandOff(h.db, w.seeded.orgId, sampleBill(w.bad), 'test')));
    await h.settle(results.flatMap((r) => r.handoffs));
    // A bill whose sync reached the filters after the 10th error found the integration disabled and
    // was not sent (DISABLED, which does not count); every other bill failed and counts once.
    const statuses = await Promise.all(results.map(async (r) => (await listRuns(h.db, w.seeded.orgId, { billId: r.bill.id })).map((run) => run.status)));
    const failed = statuses.filter((s) => s.join() === 'ERROR').length;
    expect(statuses.filter((s) => s.join() !== 'ERROR' && s.join() !== 'DISABLED')).toEqual([]);
    expect(failed).toBeGreaterThanOrEqual(10);
    await waitForCount(w.seeded.configId, failed);

    expect(await isEnabled(w)).toBe(false);
    expect(await listEvents(h.db, w.seeded.orgId, { configId: w.seeded.configId, eventName: 'integration.disabled.error' })).toHaveLength(1);
    for (const user of w.users) {
      expect(await eventually(() => mailTo(user.email), (m) => m.length > 0, `mail to ${user.email}`)).toHaveLength(1);
    }
    // Settle: the counter has no further work, and still exactly one mail each.
    await waitForCount(w.seeded.configId, failed);
    for (const user of w.users) expect(await mailTo(user.email)).toHaveLength(1);
  });

  it('keeps the right count across a worker restart in the middle of counting', async () => {
    const w = await world();
    for (let i = 0; i < 5; i++) await sync(w, w.bad);
    await waitForCount(w.seeded.configId, 5);
    // While no worker runs, five more failures are reported (bills fail as soon as a worker is back).
    let pending: Array<Promise<unknown>> = [];
    await h.restartWorker(async () => {
      const saved = await Promise.all(Array.from({ length: 5 }, () => saveAndHandOff(h.db, w.seeded.orgId, sampleBill(w.bad), 'test')));
      pending = [h.settle(saved.flatMap((s) => s.handoffs))];
    });
    await Promise.all(pending);
    await eventually(() => isEnabled(w), (enabled) => enabled === false, 'the config being disabled at 10');
    expect((await counter(w.seeded.configId)).successiveErrors).toBe(10);
    expect(await listEvents(h.db, w.seeded.orgId, { configId: w.seeded.configId, eventName: 'integration.disabled.error' })).toHaveLength(1);
  });

  it('successes alone never reach the counter; after an error the next success resets it, and the ones after are quiet again', async () => {
    const w = await world();
    for (let i = 0; i < 3; i++) await sync(w, w.good);
    // A good month end costs the counter nothing: it was never even started.
    await expect(h.temporal.workflow.getHandle(failureWorkflowId(w.seeded.configId)).describe()).rejects.toThrow(/not found/i);

    await sync(w, w.bad);
    await waitForCount(w.seeded.configId, 1);
    await sync(w, w.good);
    await waitForCount(w.seeded.configId, 0);
    const reports = async () => (await h.temporal.workflow.getHandle(failureWorkflowId(w.seeded.configId)).fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'runOutcome').length;
    const before = await reports();
    for (let i = 0; i < 3; i++) await sync(w, w.good);
    expect(await reports()).toBe(before);
    await sync(w, w.bad);
    await waitForCount(w.seeded.configId, 1);
  });

  it('transient 429/5xx bursts are retried inside the run: no error events, runs COMPLETE, the count untouched', async () => {
    const w = await world();
    for (let i = 0; i < 3; i++) await sync(w, w.bad);
    await waitForCount(w.seeded.configId, 3);
    await h.emulator.admin.scriptFaults(NS, ['error429', 'error429', 'error500', 'drop', 'error500', 'lostAnswer']);
    const bill = await sync(w, w.good);
    expect((await listRuns(h.db, w.seeded.orgId, { billId: bill.id })).map((r) => r.status)).toEqual(['COMPLETE']);
    expect(await listEvents(h.db, w.seeded.orgId, { billId: bill.id })).toHaveLength(0);
    expect(await h.emulator.admin.listFaults(NS)).toEqual([]);
    // The success resets the count; the transient trouble added nothing.
    await waitForCount(w.seeded.configId, 0);
  });
});

describe('the counter and a crashing worker', () => {
  it('keeps the right count when the worker process is SIGKILLed in the middle of counting', async () => {
    const w = await world();
    // A worker process of its own, on its own task queue, so killing it stops everything that counts;
    // its relay (not this file's) delivers the hand-offs, to its queue.
    const queue = `crash-${crypto.randomUUID()}`;
    const env = { ...h.serviceEnv(queue), FAILURE_THRESHOLD: '10' };
    const syncOn = async (n: number) => {
      const saved = await Promise.all(Array.from({ length: n }, () => saveAndHandOff(h.db, w.seeded.orgId, sampleBill(w.bad), 'test')));
      return saved.flatMap((s) => s.handoffs);
    };
    await h.pauseRelay();

    const first = spawnWorkerProcess(env);
    await first.ready;
    await h.settle(await syncOn(5));
    await waitForCount(w.seeded.configId, 5);

    const more = await syncOn(5);
    await first.kill();
    const second = spawnWorkerProcess(env);
    try {
      await second.ready;
      await h.settle(more);
      await eventually(() => isEnabled(w), (enabled) => enabled === false, 'the config being disabled at 10');
      expect((await counter(w.seeded.configId)).successiveErrors).toBe(10);
      expect(await listEvents(h.db, w.seeded.orgId, { configId: w.seeded.configId, eventName: 'integration.disabled.error' })).toHaveLength(1);
      expect(await listEvents(h.db, w.seeded.orgId, { configId: w.seeded.configId, eventName: 'integration.missingaccountmapping.error' })).toHaveLength(10);
    } finally {
      await second.stop();
      h.resumeRelay();
    }
  });
});
