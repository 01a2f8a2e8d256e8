import crypto from 'node:crypto';
import pino from 'pino';
import type { ActivityDeps } from '../../activities/deps';
import { makeFinishRun } from '../../activities/finishRun';
import { makeStartRun } from '../../activities/startRun';
import { createConfig } from '../../db/configs';
import { createOrganization } from '../../db/organizations';
import { getRun, noteRunWaiting } from '../../db/runs';
import { useFileWorld } from '../support/fileWorld';

/**
 * A send attempt Temporal has given up on (past its timeout, its heartbeat lost) may still be running
 * when a later attempt completes the run. Its late 429 or outage must not show on a run that ended:
 * the run would read RATE_LIMIT_RETRY while NetSuite holds the invoice, and the sweep would take it for
 * a stalled sync and send the bill again.
 */
const { h } = useFileWorld();

async function startedRun(): Promise<string> {
  const org = await createOrganization(h.db, `late-${crypto.randomUUID()}`);
  const config = await createConfig(h.db, org.orgId, { destination: 'Netsuite', entityType: 'Bill', name: 'late attempts', configData: { netsuiteDefaultItemId: '10' } });
  const billId = crypto.randomUUID();
  const runId = crypto.randomUUID();
  await makeStartRun({ db: h.db } as ActivityDeps)({ runId, organizationId: org.orgId, configId: config.id, billId, trigger: 'approved', workflowId: `bill-sync/${config.id}/${billId}`, workflowRunId: crypto.randomUUID(), handoffIds: [], unidentified: true });
  return runId;
}

describe('a late send attempt and the run it no longer owns', () => {
  it('shows a wait on NetSuite while the run is open, and leaves a completed run as it ended', async () => {
    const runId = await startedRun();
    expect(await noteRunWaiting(h.db, runId, 'RATE_LIMIT_RETRY', 'NetSuite answered 429')).toBe(true);
    expect(await getRun(h.db, runId)).toMatchObject({ status: 'RATE_LIMIT_RETRY', error: 'NetSuite answered 429' });

    const finishRun = makeFinishRun({ db: h.db, logger: pino({ level: 'silent' }), now: () => new Date() } as unknown as ActivityDeps);
    await finishRun({ runId, status: 'COMPLETE', netsuiteId: '4242', url: 'https://example.invalid/4242' });
    for (const status of ['RATE_LIMIT_RETRY', 'AWAITING_RETRY'] as const) {
      expect(await noteRunWaiting(h.db, runId, status, 'a late attempt failed')).toBe(false);
    }
    expect(await getRun(h.db, runId)).toMatchObject({ status: 'COMPLETE', error: null, externalId: '4242' });
  });
});
