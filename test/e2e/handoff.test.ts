import crypto from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { sql } from 'kysely';
import { createLogger } from '../../config/logger';
import { createAccount } from '../../db/accounts';
import { approveBills, saveBill } from '../../db/bills';
import { listRuns } from '../../db/runs';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration, type SeededIntegration } from '../../demo/seed';
import { invoiceExternalId } from '../../domain/externalId';
import { backlog, waitForDelivery } from '../../handoff/outbox';
import { DEFAULT_RELAY_SETTINGS, relayPass, startRelay } from '../../handoff/relay';
import { sweepStranded } from '../../handoff/sweep';
import { readinessCheck } from '../../observability/readiness';
import { billSyncWorkflowId } from '../../temporal/contract';
import { connectClient } from '../../temporal/client';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { apiClient } from '../support/api';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { freePort } from '../support/freePort';
import { deliveriesByHandoff } from '../support/handoffDeliveries';
import { useFileWorld } from '../support/fileWorld';

/**
 * The hand-off from the database to Temporal: a change and the duty to tell its syncs are stored in
 * one transaction (the outbox), and relays deliver the duty at least once, never twice at the same
 * time; a sweep finds what no run answered. Here on the real stack, in-process; the chaos suite kills
 * the processes that hold the work (test/chaos/handoff.test.ts).
 */
const { h, api, keyPair } = useFileWorld();
let n = 0;
/** The account of each bill `world` made, to store a bill again under its own id. */
const accountOf = new Map<string, string>();
const quiet = createLogger({ level: 'silent' });
/** The sweep as the service runs it, but with no grace: the tests make the stranded bills themselves. */
const sweep = { graceMs: 0, staleRunMs: 30 * 60_000, lookbackDays: 30, limit: 1_000 };

/** An integration on its own NetSuite account, sending only approved bills, with `count` customers' calculated bills. */
async function world(count: number, configData: Record<string, unknown> = { onlySendBillOnApproval: true }) {
  const netsuiteAccountId = String(6_100_000 + ++n);
  const client = await apiClient(h, api);
  const seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId, orgId: client.orgId, certificateId: `cert-${n}`, configData });
  const billIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const { account } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId, account: { code: `C${n}-${i}` } });
    const bill = await saveBill(h.db, seeded.orgId, sampleBill(account.id));
    accountOf.set(bill.id, account.id);
    billIds.push(bill.id);
  }
  return { client, seeded, billIds };
}

async function invoicesByExternalId(seeded: SeededIntegration): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const invoice of await h.emulator.admin.listInvoices(seeded.netsuiteAccountId)) counts.set(invoice.externalId ?? '', (counts.get(invoice.externalId ?? '') ?? 0) + 1);
  return counts;
}

async function expectOneInvoiceEach(seeded: SeededIntegration, billIds: string[]): Promise<void> {
  const counts = await invoicesByExternalId(seeded);
  expect(billIds.map((id) => counts.get(invoiceExternalId(seeded.configId, id)) ?? 0)).toEqual(billIds.map(() => 1));
  expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(billIds.length);
}

const syncExists = (configId: string, billId: string) =>
  h.temporal.workflow
    .getHandle(billSyncWorkflowId(configId, billId))
    .describe()
    .then(
      () => true,
      (error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      },
    );

describe('an approval is stored with its hand-offs, whatever Temporal is doing', () => {
  it('answers the API at once with nothing delivered; once a relay runs, every bill is synced exactly once', async () => {
    const { client, seeded, billIds } = await world(20);
    await h.pauseRelay();
    try {
      const approved = await client.call('POST', '/organizations/{orgId}/bills/approve', { billIds });
      expect(approved).toMatchObject({ status: 200, body: { message: 'Approved 20 bills' } });
      // Stored, and owed: one hand-off per (integration, bill), none delivered, no sync started.
      const listed = await client.call('GET', '/organizations/{orgId}/bills?excludeLineItems=true');
      expect(listed.body.data.map((b: { status: string }) => b.status)).toEqual(billIds.map(() => 'APPROVED'));
      expect(await backlog(h.db)).toMatchObject({ undelivered: 20 });
      expect(await syncExists(seeded.configId, billIds[0]!)).toBe(false);
    } finally {
      h.resumeRelay();
    }
    await h.settle(await h.db.selectFrom('outbox').select(['id', 'kind', 'configId', 'billId']).where('configId', '=', seeded.configId).execute());
    await expectOneInvoiceEach(seeded, billIds);
    for (const billId of billIds) expect((await listRuns(h.db, seeded.orgId, { billId })).map((r) => r.status)).toEqual(['COMPLETE']);
    expect(await backlog(h.db)).toEqual({ undelivered: 0, oldestAgeSeconds: 0 });
  });

  it('a change and its hand-off commit together: when the hand-off cannot be written, the bill is not stored or approved either', async () => {
    const { client, seeded, billIds } = await world(1);
    // The outbox refuses this organization's rows (a full disk, say): nothing of the change may stay.
    await sql`create or replace function refuse_handoff() returns trigger language plpgsql as $$ begin raise exception 'outbox unavailable (test)'; end $$`.execute(h.db);
    await sql.raw(`create trigger refuse_handoff before insert on outbox for each row when (new.organization_id = '${seeded.orgId}') execute function refuse_handoff()`).execute(h.db);
    try {
      const newBill = crypto.randomUUID();
      const put = await client.call('PUT', `/organizations/{orgId}/bills/${newBill}`, sampleBill(accountOf.get(billIds[0]!)!));
      expect(put.status).toBe(500);
      expect((await client.call('GET', `/organizations/{orgId}/bills/${newBill}`)).status).toBe(404);
      const approve = await client.call('POST', '/organizations/{orgId}/bills/approve', { billIds });
      expect(approve.status).toBe(500);
      expect((await client.call('GET', `/organizations/{orgId}/bills/${billIds[0]}`)).body.status).toBe('PENDING');
    } finally {
      await sql`drop trigger refuse_handoff on outbox`.execute(h.db);
    }
    expect(await h.db.selectFrom('outbox').select('id').where('organizationId', '=', seeded.orgId).execute()).toEqual([]);
  });
});

describe('the relay', () => {
  it('keeps hand-offs while Temporal is unreachable, says why, and a relay that reaches Temporal delivers them', async () => {
    const { seeded, billIds } = await world(3);
    await h.pauseRelay();
    try {
      const { handoffs } = await approveAndHandOff(h.db, seeded.orgId, billIds, 'test');
      // A Temporal address nothing listens on: the relay fails fast, keeps every row, and backs off.
      const nowhere = connectClient(`127.0.0.1:${await freePort()}`, 'default');
      const pass = await relayPass({ db: h.db, temporal: nowhere, taskQueue: h.taskQueue, failureThreshold: 10 }, { ...DEFAULT_RELAY_SETTINGS, callTimeoutMs: 2_000 });
      await nowhere.connection.close();
      expect(pass).toMatchObject({ delivered: 0, unavailable: true });
      const rows = await h.db.selectFrom('outbox').selectAll().where('id', 'in', handoffs.map((x) => x.id)).execute();
      expect(rows.every((r) => r.dtDelivered === null)).toBe(true);
      expect(rows.some((r) => r.attempts === 1 && /unavailable|deadline|connect/i.test(r.lastError ?? ''))).toBe(true);
      expect(await syncExists(seeded.configId, billIds[0]!)).toBe(false);
    } finally {
      h.resumeRelay();
    }
    await h.settleConfig(seeded.configId);
    await expectOneInvoiceEach(seeded, billIds);
  });

  it('a pass past its time budget starts no more deliveries and commits those made; the rest stay due for the next pass', async () => {
    const { seeded, billIds } = await world(3);
    await h.pauseRelay();
    try {
      const { handoffs } = await approveAndHandOff(h.db, seeded.orgId, billIds, 'test');
      // A budget already spent: as after a minute of a slow Temporal. The first row still goes.
      const deps = { db: h.db, temporal: h.temporal, taskQueue: h.taskQueue, failureThreshold: 10 };
      expect(await relayPass(deps, { ...DEFAULT_RELAY_SETTINGS, passBudgetMs: 0 })).toEqual({ claimed: 3, delivered: 1, failed: 0, unavailable: false });
      const rows = await h.db.selectFrom('outbox').select(['dtDelivered', 'attempts']).where('id', 'in', handoffs.map((x) => x.id)).execute();
      expect(rows.filter((r) => r.dtDelivered !== null)).toHaveLength(1);
      expect(rows.filter((r) => r.dtDelivered === null).map((r) => r.attempts)).toEqual([0, 0]);
      expect(await relayPass(deps)).toMatchObject({ claimed: 2, delivered: 2 });
    } finally {
      h.resumeRelay();
    }
    await h.settleConfig(seeded.configId);
    await expectOneInvoiceEach(seeded, billIds);
  });

  it('several relays at once deliver each hand-off exactly once (Temporal counts the deliveries)', async () => {
    const { seeded, billIds } = await world(60, {});
    await h.pauseRelay();
    // Four relays, small batches, started together on the same rows.
    const relays = Array.from({ length: 4 }, () => startRelay({ db: h.db, temporal: h.temporal, taskQueue: h.taskQueue, failureThreshold: 10, logger: quiet, databaseUrl: h.databaseUrl, sweep: false, settings: { batchSize: 5, concurrency: 4 } }));
    try {
      const saved = await Promise.all(billIds.map((id) => saveAndHandOff(h.db, seeded.orgId, { ...sampleBill(accountOf.get(id)!), id }, 'test')));
      const approved = await approveAndHandOff(h.db, seeded.orgId, billIds, 'test');
      const handoffs = [...saved.flatMap((s) => s.handoffs), ...approved.handoffs];
      const delivered = await waitForDelivery(h.db, handoffs, { timeoutMs: 120_000 });
      await h.settle(handoffs);
      const deliveries = await deliveriesByHandoff(h.temporal, seeded.configId, delivered.map((d) => d.deliveredRunId));
      expect(handoffs.filter((x) => deliveries.get(x.id) !== 1)).toEqual([]);
      await expectOneInvoiceEach(seeded, billIds);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      h.resumeRelay();
    }
  });

  it('a hand-off delivered twice (the relay died between signalling and recording it) changes nothing: no second run, no second write, even for a bill that failed', async () => {
    const { seeded, billIds } = await world(2);
    // The second bill's customer is unknown to NetSuite: its run fails, and a repeat must not fail it again.
    const [, refused] = billIds as [string, string];
    const stranger = await createAccount(h.db, seeded.orgId, { code: `STRANGER-${n}`, name: 'Stranger', emailAddress: 's@example.com' });
    await h.db.updateTable('bill').set({ accountId: stranger.id }).where('id', '=', refused).execute();
    const { handoffs } = await approveAndHandOff(h.db, seeded.orgId, billIds, 'test');
    await h.settle(handoffs);
    const runsBefore = await h.db.selectFrom('integrationRun').select(['id', 'status']).where('configId', '=', seeded.configId).orderBy('id').execute();
    const eventsBefore = await h.db.selectFrom('integrationEvent').select('id').where('configId', '=', seeded.configId).execute();
    const invoicesBefore = await h.emulator.admin.listInvoices(seeded.netsuiteAccountId);
    expect(runsBefore.map((r) => r.status).sort()).toEqual(['COMPLETE', 'ERROR']);

    // What a relay that died before its commit leaves behind: the rows look undelivered, and go again.
    const deliveredTo = async () => (await waitForDelivery(h.db, handoffs)).map((r) => r.deliveredRunId);
    const first = await deliveredTo();
    await h.db.updateTable('outbox').set({ dtDelivered: null, deliveredRunId: null }).where('id', 'in', handoffs.map((x) => x.id)).execute();
    await h.settle(handoffs);
    const deliveries = await deliveriesByHandoff(h.temporal, seeded.configId, [...first, ...(await deliveredTo())]);
    expect(handoffs.map((x) => deliveries.get(x.id))).toEqual([2, 2]);
    expect(await h.db.selectFrom('integrationRun').select(['id', 'status']).where('configId', '=', seeded.configId).orderBy('id').execute()).toEqual(runsBefore);
    expect(await h.db.selectFrom('integrationEvent').select('id').where('configId', '=', seeded.configId).execute()).toEqual(eventsBefore);
    expect((await h.emulator.admin.listInvoices(seeded.netsuiteAccountId)).map((i) => [i.externalId, i.writes])).toEqual(invoicesBefore.map((i) => [i.externalId, i.writes]));
  });

  it('starts a sync with the event as its input when none runs, and signals the one waiting for approval', async () => {
    const { seeded, billIds } = await world(1);
    const [billId] = billIds as [string];
    const [calculated] = (await saveAndHandOff(h.db, seeded.orgId, { ...sampleBill(accountOf.get(billId)!), id: billId }, 'test')).handoffs;
    await eventually(() => listRuns(h.db, seeded.orgId, { billId }), (runs) => runs[0]?.status === 'WAITING', 'the sync waiting for approval');
    const { handoffs: [approved] } = await approveAndHandOff(h.db, seeded.orgId, [billId], 'test');
    await h.settle([approved!]);
    const [waited] = await waitForDelivery(h.db, [calculated!, approved!]).then((rows) => rows.map((r) => r.deliveredRunId));
    const history = await h.temporal.workflow.getHandle(billSyncWorkflowId(seeded.configId, billId), waited!).fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    expect(JSON.parse(Buffer.from(started.input!.payloads![0]!.data!).toString())).toMatchObject({ trigger: 'calculated', handoffId: calculated!.id });
    const signalled = history.events!.flatMap((e) => (e.workflowExecutionSignaledEventAttributes ? [JSON.parse(Buffer.from(e.workflowExecutionSignaledEventAttributes.input!.payloads![0]!.data!).toString())] : []));
    expect(signalled).toEqual([expect.objectContaining({ kind: 'approved', handoffId: approved!.id })]);
    expect((await listRuns(h.db, seeded.orgId, { billId })).map((r) => r.status)).toEqual(['COMPLETE']);
    await expectOneInvoiceEach(seeded, [billId]);
  });

  it('an event whose sync runs with no run recorded yet is signalled to that sync: the start finds it, nothing is started twice', async () => {
    const { seeded, billIds } = await world(1);
    const [billId] = billIds as [string];
    // No worker polls this queue: the sync the first event starts stays before its first run.
    const idle = { db: h.db, temporal: h.temporal, taskQueue: `nobody-${crypto.randomUUID()}`, failureThreshold: 10 };
    const bill = { ...sampleBill(accountOf.get(billId)!), id: billId };
    await h.pauseRelay();
    try {
      const [first] = (await saveAndHandOff(h.db, seeded.orgId, bill, 'test')).handoffs;
      expect(await relayPass(idle)).toMatchObject({ delivered: 1, failed: 0 });
      const [second] = (await saveAndHandOff(h.db, seeded.orgId, { ...sampleBill(accountOf.get(billId)!, { usageUnits: 7 }), id: billId }, 'test')).handoffs;
      expect(await relayPass(idle)).toMatchObject({ delivered: 1, failed: 0 });
      const rows = await waitForDelivery(h.db, [first!, second!]);
      expect(new Set(rows.map((r) => r.deliveredRunId)).size).toBe(1);
      const deliveries = await deliveriesByHandoff(h.temporal, seeded.configId, rows.map((r) => r.deliveredRunId));
      expect([deliveries.get(first!.id), deliveries.get(second!.id)]).toEqual([1, 1]);
      await h.temporal.workflow.getHandle(billSyncWorkflowId(seeded.configId, billId)).terminate('test: its task queue has no worker');
    } finally {
      h.resumeRelay();
    }
  });

  it("a deleted config's bill events go nowhere: delivered with a note, no sync started", async () => {
    const { client, seeded, billIds } = await world(1);
    await h.pauseRelay();
    try {
      const { handoffs } = await approveAndHandOff(h.db, seeded.orgId, billIds, 'test');
      expect((await client.call('DELETE', `/organizations/{orgId}/integrationconfigs/${seeded.configId}`)).status).toBe(200);
      h.resumeRelay();
      const [row] = await waitForDelivery(h.db, handoffs);
      expect(row?.deliveredRunId).toBeNull();
      expect((await h.db.selectFrom('outbox').select('lastError').where('id', '=', row!.id).executeTakeFirst())?.lastError).toMatch(/no longer exists/);
      expect(await syncExists(seeded.configId, billIds[0]!)).toBe(false);
    } finally {
      h.resumeRelay();
    }
  });
});

describe('the CLI', () => {
  it('delivers its own hand-offs when no service runs; with Temporal away it stores the approval and says the hand-off is queued, and why', async () => {
    const { seeded, billIds } = await world(2);
    const [first, second] = billIds as [string, string];
    await h.pauseRelay();
    try {
      const delivered = JSON.parse((await runCli(h, ['bill', 'approve', '--org', seeded.orgId, first])).out);
      expect(delivered).toEqual({ approved: [first], handoffs: { delivered: 1, queued: 0 } });
      expect(await syncExists(seeded.configId, first)).toBe(true);

      const away = await runCli(h, ['bill', 'approve', '--org', seeded.orgId, second], { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
      expect(away.exitCode).toBe(0);
      expect(JSON.parse(away.out)).toMatchObject({ approved: [second], handoffs: { delivered: 0, queued: 1, note: expect.stringMatching(/still waiting in the outbox.*delivered once Temporal is reachable/) } });
      expect((await h.db.selectFrom('bill').select('status').where('id', '=', second).executeTakeFirstOrThrow()).status).toBe('APPROVED');
    } finally {
      h.resumeRelay();
    }
    await h.settleConfig(seeded.configId);
    await expectOneInvoiceEach(seeded, billIds);
  });
});

describe('the sweep, the safety net under the outbox', () => {
  it('finds an approved bill whose hand-off was lost, and its waiting sync sends it', async () => {
    const { seeded, billIds } = await world(1);
    const [billId] = billIds as [string];
    // The calculation reached the sync, which waits for approval...
    await waitForDelivery(h.db, (await saveAndHandOff(h.db, seeded.orgId, { ...sampleBill(accountOf.get(billId)!), id: billId }, 'test')).handoffs);
    await eventually(() => listRuns(h.db, seeded.orgId, { billId }), (runs) => runs[0]?.status === 'WAITING', 'the sync waiting for approval');
    // ...and the approval is stored without its hand-off (as if lost): nothing would ever wake the sync.
    await approveBills(h.db, seeded.orgId, [billId], 'behind-the-back');
    expect(await sweepStranded(h.db, { ...sweep, graceMs: 60_000 })).toEqual([]); // too recent to second-guess
    const found = await sweepStranded(h.db, sweep);
    expect(found.map((x) => [x.configId, x.billId])).toEqual([[seeded.configId, billId]]);
    await h.settle(found);
    expect((await listRuns(h.db, seeded.orgId, { billId })).map((r) => r.status)).toEqual(['COMPLETE']);
    await expectOneInvoiceEach(seeded, [billId]);
    // Answered now: a second sweep leaves it alone.
    expect(await sweepStranded(h.db, sweep)).toEqual([]);
  });

  it('leaves alone bills that need nothing: synced, pending approval, or approved before their integration existed', async () => {
    const { seeded, billIds } = await world(3);
    const [synced, pending, older] = billIds as [string, string, string];
    await h.settle((await approveAndHandOff(h.db, seeded.orgId, [synced], 'test')).handoffs);
    await approveBills(h.db, seeded.orgId, [older], 'before-the-integration');
    await h.db.updateTable('integrationConfig').set({ dtCreated: new Date(Date.now() + 1_000) }).where('id', '=', seeded.configId).execute();
    const found = await sweepStranded(h.db, sweep);
    expect(found.filter((x) => x.configId === seeded.configId)).toEqual([]);
    expect((await listRuns(h.db, seeded.orgId, { billId: pending })).length + (await listRuns(h.db, seeded.orgId, { billId: older })).length).toBe(0);
  });

  it('deletes delivered hand-offs older than their retention, and nothing else, when it sweeps', async () => {
    const { seeded, billIds } = await world(2);
    const [old, recent] = await Promise.all(billIds.map(async (billId) => (await approveAndHandOff(h.db, seeded.orgId, [billId], 'test')).handoffs[0]!));
    await h.settle([old!, recent!]);
    await h.db.updateTable('outbox').set({ dtDelivered: new Date(Date.now() - 8 * 86_400_000) }).where('id', '=', old!.id).execute();
    await sweepStranded(h.db, { ...sweep, retentionDays: 7 });
    const kept = await h.db.selectFrom('outbox').select('id').where('id', 'in', [old!.id, recent!.id]).execute();
    expect(kept.map((r) => r.id)).toEqual([recent!.id]);
  });
});

describe('readiness', () => {
  it('is ready with both dependencies; degraded for the API and unavailable for a worker when Temporal is away', async () => {
    const ready = await readinessCheck({ db: h.db, temporal: h.temporal, needsTemporal: true })();
    expect(ready).toMatchObject({ status: 'ready', postgres: { ok: true }, temporal: { ok: true }, outbox: { undelivered: expect.any(Number) } });
    const nowhere = connectClient(`127.0.0.1:${await freePort()}`, 'default');
    try {
      expect(await readinessCheck({ db: h.db, temporal: nowhere, needsTemporal: false })()).toMatchObject({ status: 'degraded', postgres: { ok: true }, temporal: { ok: false, error: expect.any(String) } });
      expect(await readinessCheck({ db: h.db, temporal: nowhere, needsTemporal: true })()).toMatchObject({ status: 'unavailable' });
    } finally {
      await nowhere.connection.close();
    }
  });
});
