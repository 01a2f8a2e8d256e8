import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { saveAndHandOff } from '../../usecases/bills';
import { replayFile, replayFromServer, type ReplayVerdict } from '../../client/replay';
import { listRuns } from '../../db/runs';
import { generateKeyPair } from '../../demo/keyPair';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration } from '../../demo/seed';
import { billSyncWorkflowId } from '../../temporal/contract';
import { resolveTemporalCli } from '../../stack/temporalCli';
import { runCli } from '../support/cli';
import { useFileWorld } from '../support/fileWorld';

/**
 * `cli replay` tells an operator, before a deploy, whether the new workflow code can carry on the
 * syncs already running: from the server or from a `temporal workflow show` file.
 */
const NS = '5550700';
const ROOT = path.join(__dirname, '..', '..');
const { h } = useFileWorld();
let workflowId: string;
let historyFile: string;

type JsonEvent = { eventId: string; eventType: string; [attributes: string]: unknown };

beforeAll(async () => {
  const keyPair = await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' });
  const seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NS });
  const { account } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId: NS, account: { code: 'REPLAYCLI' } });
  // NetSuite busy at first: the quick send defers, so the history holds a scheduled postInvoice to edit.
  await h.emulator.admin.scriptFaults(NS, ['error429']);
  const { bill, handoffs } = await saveAndHandOff(h.db, seeded.orgId, sampleBill(account.id), 'test');
  workflowId = billSyncWorkflowId(seeded.configId, bill.id);
  await h.settle(handoffs);
  expect((await listRuns(h.db, seeded.orgId, { billId: bill.id }))[0]?.status).toBe('COMPLETE');

  // Written the way the README tells users to.
  const cli = resolveTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH })!;
  historyFile = path.join(h.tmpDir, 'history.json');
  fs.writeFileSync(historyFile, execFileSync(cli, ['workflow', 'show', '--workflow-id', workflowId, '--address', h.temporalAddress, '--output', 'json']));
});

/**
 * The recorded history with one event changed, as a code change would disagree with it. The edits
 * touch postInvoice, the scheduled NetSuite send this sync took after NetSuite's 429.
 */
function editedHistory(name: string, edit: (events: JsonEvent[]) => JsonEvent): { file: string; event: JsonEvent } {
  const history = JSON.parse(fs.readFileSync(historyFile, 'utf8')) as { events: JsonEvent[] };
  const event = edit(history.events);
  const file = path.join(h.tmpDir, name);
  fs.writeFileSync(file, JSON.stringify(history));
  return { file, event };
}

function scheduled(events: JsonEvent[], activityType: string): JsonEvent & { activityTaskScheduledEventAttributes: { activityType: { name: string } } } {
  const found = events.find((e) => (e.activityTaskScheduledEventAttributes as { activityType?: { name?: string } } | undefined)?.activityType?.name === activityType);
  if (!found) throw new Error(`no ${activityType} in the recorded history`);
  return found as never;
}

const renamedActivity = () =>
  editedHistory('renamed-activity.json', (events) => {
    const event = scheduled(events, 'postInvoice');
    event.activityTaskScheduledEventAttributes.activityType.name = 'postInvoiceV0';
    return event;
  });

describe('cli replay', () => {
  it('replays a real sync fetched from the server: ok', async () => {
    const verdict = await replayFromServer(h.temporal, workflowId);
    expect(verdict).toMatchObject({ ok: true, workflowId, workflowType: 'billSync', source: 'server' });
    // Every event of the history was replayed.
    expect(verdict.events).toBe((await h.temporal.workflow.getHandle(workflowId).fetchHistory()).events?.length);
  });

  it('names an unknown workflow id instead of replaying nothing', async () => {
    await expect(replayFromServer(h.temporal, 'bill-sync/no/such')).rejects.toThrow('--workflow-id: no workflow bill-sync/no/such');
  });

  it('replays the same history from a `temporal workflow show` file, naming the workflow', async () => {
    await expect(replayFile(historyFile)).resolves.toMatchObject({ ok: true, workflowId, workflowType: 'billSync', source: historyFile });
  });

  it('reports an activity the code no longer schedules as non-deterministic, at its event', async () => {
    const { file, event } = renamedActivity();
    const verdict = await replayFile(file);
    expect(verdict).toMatchObject({ ok: false, error: 'nondeterminism', workflowId });
    expect(verdict.message).toContain("'postInvoiceV0' does not match activity type of activity command 'postInvoice'");
    expect(verdict.atEvents).toEqual([{ eventId: Number(event.eventId), eventType: 'ACTIVITY_TASK_SCHEDULED', name: 'postInvoiceV0' }]);
  });

  it('reports a history event the code has no command for (a timer where it schedules an activity), by its id', async () => {
    const { file, event } = editedHistory('timer.json', (events) => {
      const replaced = scheduled(events, 'postInvoice');
      const { activityTaskScheduledEventAttributes: attributes } = replaced as unknown as { activityTaskScheduledEventAttributes: { workflowTaskCompletedEventId: string } };
      delete (replaced as Partial<typeof replaced>).activityTaskScheduledEventAttributes;
      replaced.eventType = 'EVENT_TYPE_TIMER_STARTED';
      replaced.timerStartedEventAttributes = { timerId: '1', startToFireTimeout: '5s', workflowTaskCompletedEventId: attributes.workflowTaskCompletedEventId };
      return replaced;
    });
    const verdict = await replayFile(file);
    expect(verdict).toMatchObject({ ok: false, error: 'nondeterminism', workflowId });
    expect(verdict.atEvents).toEqual([{ eventId: Number(event.eventId), eventType: 'TIMER_STARTED', name: '1' }]);
  });

  it('as a program: prints the verdict as JSON, the event on stderr, and exits 1 for a non-deterministic history', () => {
    const { file, event } = renamedActivity();
    const run = spawnSync(process.execPath, ['-r', path.join(ROOT, 'test', 'support', 'registerTs.js'), path.join(ROOT, 'client', 'cli.ts'), 'replay', '--file', file], {
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'warn' },
      timeout: 120_000,
    });
    expect(run.status).toBe(1);
    const verdict = JSON.parse(run.stdout) as ReplayVerdict;
    expect(verdict).toMatchObject({ ok: false, error: 'nondeterminism', workflowId });
    expect(run.stderr).toContain(`NOT deterministic: billSync ${workflowId}`);
    expect(run.stderr).toContain(`at event ${event.eventId} (ACTIVITY_TASK_SCHEDULED postInvoiceV0)`);
  });

  it('as a command: fetches the history by --workflow-id and prints ok', async () => {
    const { out, exitCode } = await runCli(h, ['replay', '--workflow-id', workflowId]);
    expect(exitCode).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ ok: true, workflowId, source: 'server' });
  });
});
