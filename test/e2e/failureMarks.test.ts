import crypto from 'node:crypto';
import { createConfig } from '../../db/configs';
import { latestSuccessAfter, markCountedError, markSuccessReported, successNeedsReport } from '../../db/failureMarks';
import { createOrganization } from '../../db/organizations';
import { recordRunStart, updateRun } from '../../db/runs';
import { useFileWorld } from '../support/fileWorld';

/**
 * The marks that let a success skip the failure counter, on PostgreSQL, in both orders an error and a
 * success can finish in: whichever way they interleave, the counter hears of the success that resets
 * the error — from the success itself, or carried by the error's report.
 */
const { h } = useFileWorld();

async function config(): Promise<{ configId: string; orgId: string }> {
  const org = await createOrganization(h.db, `marks-${crypto.randomUUID()}`);
  const row = await createConfig(h.db, org.orgId, { destination: 'Netsuite', entityType: 'Bill', name: 'marks', configData: { netsuiteDefaultItemId: '10' } });
  return { configId: row.id, orgId: org.orgId };
}

async function completedRun(c: { configId: string; orgId: string }, status: 'COMPLETE' | 'ERROR', at: Date): Promise<string> {
  const id = crypto.randomUUID();
  const billId = crypto.randomUUID();
  const workflowId = `bill-sync/${c.configId}/${billId}`;
  await recordRunStart(h.db, { id, organizationId: c.orgId, configId: c.configId, entityType: 'Bill', entityId: billId, entityVersion: 1, destination: 'Netsuite', trigger: 'approved', status: 'STARTED', dtStarted: new Date(at.getTime() - 1000), workflowId, workflowRunId: crypto.randomUUID(), decisions: '[]' });
  await updateRun(h.db, id, { status, dtCompleted: at });
  return id;
}

describe('the failure counter marks', () => {
  it('a config that never had a counted error: no success needs telling', async () => {
    const c = await config();
    await completedRun(c, 'COMPLETE', new Date());
    expect(await successNeedsReport(h.db, c.configId)).toBe(false);
  });

  it('an error marked first: the success after it needs telling, and once told, the next does not', async () => {
    const c = await config();
    const t = Date.now();
    await markCountedError(h.db, c.configId, new Date(t));
    await completedRun(c, 'COMPLETE', new Date(t + 10));
    expect(await successNeedsReport(h.db, c.configId)).toBe(true);
    await markSuccessReported(h.db, c.configId, new Date(t + 10));
    expect(await successNeedsReport(h.db, c.configId)).toBe(false);
    await markCountedError(h.db, c.configId, new Date(t + 20));
    expect(await successNeedsReport(h.db, c.configId)).toBe(true);
  });

  it('a success that looked before the error was marked: the error report carries it', async () => {
    const c = await config();
    const t = Date.now();
    const success = await completedRun(c, 'COMPLETE', new Date(t + 10));
    expect(await successNeedsReport(h.db, c.configId)).toBe(false);
    // The error completed earlier, and marked itself only now.
    await completedRun(c, 'ERROR', new Date(t));
    await markCountedError(h.db, c.configId, new Date(t));
    expect(await latestSuccessAfter(h.db, c.configId, new Date(t))).toEqual({ runId: success, at: new Date(t + 10) });
    // A success before the error resets nothing and is not carried.
    expect(await latestSuccessAfter(h.db, c.configId, new Date(t + 10))).toBeUndefined();
  });
});
