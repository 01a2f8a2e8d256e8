import crypto from 'node:crypto';
import type { ActivityDeps } from '../../activities/deps';
import { makeStartRun, type StartRunInput } from '../../activities/startRun';
import { createConfig } from '../../db/configs';
import { createOrganization } from '../../db/organizations';
import { getRun } from '../../db/runs';
import { useFileWorld } from '../support/fileWorld';

/**
 * startRun's answer to a hand-off delivered twice, on PostgreSQL: a repeat starts nothing, but its
 * own earlier attempt (committed, its answer lost) is no repeat — found in the chaos suite, where a
 * worker SIGKILLed between the commit and the workflow task's completion left 22 bills unsent.
 */
const { h } = useFileWorld();

/** A first run's input, for a config of a new organization. */
async function input(): Promise<StartRunInput> {
  const org = await createOrganization(h.db, `start-${crypto.randomUUID()}`);
  const config = await createConfig(h.db, org.orgId, { destination: 'Netsuite', entityType: 'Bill', name: 'starts', configData: { netsuiteDefaultItemId: '10' } });
  const billId = crypto.randomUUID();
  return { runId: crypto.randomUUID(), organizationId: org.orgId, configId: config.id, billId, trigger: 'approved', workflowId: `bill-sync/${config.id}/${billId}`, workflowRunId: crypto.randomUUID(), handoffIds: ['7001'], unidentified: false };
}

describe('startRun and hand-offs delivered more than once', () => {
  const startRun = () => makeStartRun({ db: h.db } as ActivityDeps);

  it('retried with the same run id after its commit, it goes on (the run is this call\'s own)', async () => {
    const first = await input();
    expect(await startRun()(first)).toEqual({ started: true });
    expect(await startRun()(first)).toEqual({ started: true });
    expect((await getRun(h.db, first.runId))?.status).toBe('STARTED');
  });

  it('the same hand-off for a new run of the sync starts nothing: another run answers it', async () => {
    const first = await input();
    await startRun()(first);
    expect(await startRun()({ ...first, runId: crypto.randomUUID() })).toEqual({ started: false });
  });

  it('redelivered to the run the sync is waiting with, it starts nothing: the run goes on waiting', async () => {
    const first = await input();
    await startRun()(first);
    expect(await startRun()({ ...first, resumesWaitingRun: true })).toEqual({ started: false });
    // A new hand-off (the approval) resumes it.
    expect(await startRun()({ ...first, resumesWaitingRun: true, handoffIds: ['7002'] })).toEqual({ started: true });
  });
});
