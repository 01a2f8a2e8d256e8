import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Worker } from '@temporalio/worker';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { generateKeyPair } from '../../demo/keyPair';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration } from '../../demo/seed';
import { WORKFLOWS_PATH } from '../../worker/createWorker';
import { resolveTemporalCli } from '../../stack/temporalCli';
import { listRuns } from '../../db/runs';
import { createAccount } from '../../db/accounts';
import { approveBills } from '../../db/bills';
import { getConfig } from '../../db/configs';
import { eventually } from '../support/eventually';
import { createHarness, type Harness } from '../support/harness';
import { billSyncWorkflowId, failureWorkflowId, m3terMirrorWorkflowId, mirrorNudgeSignal, rerunSignal } from '../../temporal/contract';
import { createLogger } from '../../config/logger';
import { createOrganization } from '../../db/organizations';
import { startM3terSide } from '../../demo/m3terSide';
import { connectSource } from '../../usecases/sources';
import { createTestDatabase } from '../support/database';

/**
 * Workflow code must replay its own histories: a change that breaks determinism would strand every
 * running sync. Histories checked in under test/replay/ pin the shapes that already exist in
 * deployments; histories made now check the current code end to end.
 */
const NS = '5550500';
const NS_DOOMED = '5550501';
const REPLAY_DIR = path.join(__dirname, '..', 'replay');
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ failureThreshold: 3 });
});

afterAll(async () => {
  await h?.close();
});

describe('workflow replay', () => {
  it('replays the histories of fresh syncs (waiting for approval, a retried send, a refused bill, a rerun signal), of the failure counter disabling a config, and of an m3ter mirror nudged then ended', async () => {
    const keyPair = await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' });
    const seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NS, configData: { onlySendBillOnApproval: true } });
    const { account } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId: NS, account: { code: 'REPLAY' } });
    const good = await saveAndHandOff(h.db, seeded.orgId, sampleBill(account.id), 'test');
    await eventually(() => listRuns(h.db, seeded.orgId, { billId: good.bill.id }), (runs) => runs[0]?.status === 'WAITING', 'the waiting run');
    // An account NetSuite has never heard of: its bill fails (no such customer), before anything is sent.
    const stranger = await createAccount(h.db, seeded.orgId, { code: 'NOT-IN-NETSUITE', name: 'Stranger', emailAddress: 's@example.com' });
    const missing = await saveAndHandOff(h.db, seeded.orgId, sampleBill(stranger.id), 'test');
    await h.emulator.admin.scriptFaults(NS, ['error429']);
    const approved = await approveAndHandOff(h.db, seeded.orgId, [good.bill.id, missing.bill.id], 'test');
    await h.settle(approved.handoffs);

    // Approved without a bill event, then nudged with the `rerun` signal, as from the Temporal UI.
    const { account: nudgedAccount } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId: NS, account: { code: 'NUDGED' } });
    const nudged = await saveAndHandOff(h.db, seeded.orgId, sampleBill(nudgedAccount.id), 'test');
    await eventually(() => listRuns(h.db, seeded.orgId, { billId: nudged.bill.id }), (runs) => runs[0]?.status === 'WAITING', 'the nudged run waiting');
    await approveBills(h.db, seeded.orgId, [nudged.bill.id], 'ops@example.com');
    const nudgedSync = h.temporal.workflow.getHandle(billSyncWorkflowId(seeded.configId, nudged.bill.id));
    await nudgedSync.signal(rerunSignal);
    await nudgedSync.result();

    // A second integration whose bills all fail: its failure counter disables it (threshold 3 here).
    const doomed = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NS_DOOMED });
    for (const code of ['LOST-1', 'LOST-2', 'LOST-3']) {
      const lost = await createAccount(h.db, doomed.orgId, { code, name: code, emailAddress: `${code.toLowerCase()}@example.com` });
      const { handoffs } = await saveAndHandOff(h.db, doomed.orgId, sampleBill(lost.id), 'test');
      await h.settle(handoffs);
    }
    await eventually(() => getConfig(h.db, doomed.orgId, doomed.configId), (config) => config?.enabled === false, 'the doomed integration disabled');

    // A mirror of an m3ter source: a pass, a nudge and a second pass, then the source gone and the mirror ended.
    const m3ter = await startM3terSide({ databaseUrl: await createTestDatabase(), logger: createLogger({ level: 'silent' }) });
    const remote = await createOrganization(m3ter.db, 'm3ter for replay');
    const { source } = await connectSource(h.db, h.cipher, seeded.orgId, { m3terOrgId: remote.orgId, baseUrl: m3ter.url, apiKey: remote.apiKey, apiSecret: remote.apiSecret, intervalSeconds: 3600 }, { actor: 'test', allowedBaseUrls: [m3ter.url] });
    const passes = () => h.db.selectFrom('m3terSource').select('passesCompleted').where('id', '=', source.id).executeTakeFirstOrThrow();
    await eventually(passes, (p) => p.passesCompleted === 1, 'the first pass');
    const mirror = h.temporal.workflow.getHandle(m3terMirrorWorkflowId(source.id));
    await mirror.signal(mirrorNudgeSignal);
    await eventually(passes, (p) => p.passesCompleted === 2, 'the nudged pass');
    await h.db.deleteFrom('m3terSource').where('id', '=', source.id).execute();
    await mirror.signal(mirrorNudgeSignal);
    await mirror.result();
    await m3ter.close();

    const histories = h.temporal.workflow.list({ query: `TaskQueue = "${h.taskQueue}"` }).intoHistories();
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'fresh' }, histories)) {
      expect(result.error).toBeUndefined();
      replayed++;
    }
    // Five bill syncs, two failure counters and a mirror.
    expect(replayed).toBeGreaterThanOrEqual(8);

    if (process.env.RECORD_REPLAY_HISTORIES) {
      // Recorded the way the README tells users to: `temporal workflow show --output json`.
      const cli = resolveTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH })!;
      const record = (workflowId: string, file: string) =>
        fs.writeFileSync(path.join(REPLAY_DIR, file), execFileSync(cli, ['workflow', 'show', '--workflow-id', workflowId, '--address', h.temporalAddress, '--output', 'json']));
      record(billSyncWorkflowId(seeded.configId, good.bill.id), 'billSync-wait-approve-retry.json');
      record(billSyncWorkflowId(seeded.configId, missing.bill.id), 'billSync-refused.json');
      record(billSyncWorkflowId(seeded.configId, nudged.bill.id), 'billSync-rerun-signal.json');
      record(failureWorkflowId(doomed.configId), 'integrationFailures-disables.json');
      record(m3terMirrorWorkflowId(source.id), 'm3terMirror-nudge-gone.json');
    }
  });

  it('replays every checked-in history', async () => {
    const files = fs.readdirSync(REPLAY_DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const history: unknown = JSON.parse(fs.readFileSync(path.join(REPLAY_DIR, file), 'utf8'));
      await expect(Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH, replayName: file }, history)).resolves.toBeUndefined();
    }
  });
});
