import crypto from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { MirrorActivities, MirrorPassResult } from '../../activities';
import { mirrorNudgeSignal, mirrorStatusQuery, type M3terMirrorInput } from '../../temporal/contract';
import { eventually } from '../support/eventually';
import { useWorkflowEnv } from '../support/workflowEnv';

/** The mirror's decisions with a stub pass: when it runs a pass, and when it stops. */
const workflows = useWorkflowEnv();
const HOUR = 3_600_000;

/** A stub pass that waits until the test lets each call finish, answering with `results` in turn. */
function stubPasses(results: MirrorPassResult[]) {
  const calls: Array<() => void> = [];
  const activities: MirrorActivities = {
    mirrorPass: () =>
      new Promise<MirrorPassResult>((resolve) => {
        const result = results[Math.min(calls.length, results.length - 1)]!;
        calls.push(() => resolve(result));
      }),
  };
  // Answering every call at the end lets the worker shut down: it waits for the activities it runs.
  return { activities, calls, finish: (index: number) => calls[index]!(), finishAll: () => calls.forEach((answer) => answer()) };
}

async function withMirror<T>({ activities, finishAll }: ReturnType<typeof stubPasses>, body: (handle: Awaited<ReturnType<typeof start>>) => Promise<T>): Promise<T> {
  const taskQueue = `stub-mirror-${crypto.randomUUID()}`;
  const worker = await Worker.create({ connection: workflows.env.nativeConnection, namespace: workflows.env.namespace ?? 'default', taskQueue, workflowBundle: workflows.bundle, activities });
  return worker.runUntil(async () => {
    const handle = await start(taskQueue);
    try {
      return await body(handle);
    } finally {
      await handle.terminate('test over').catch(() => undefined);
      finishAll();
    }
  });
}

function start(taskQueue: string) {
  const input: M3terMirrorInput = { organizationId: 'org-1', sourceId: crypto.randomUUID() };
  return workflows.env.client.workflow.start('m3terMirror', { taskQueue, workflowId: `stub-mirror/${input.sourceId}`, args: [input] });
}

const completed: MirrorPassResult = { kind: 'completed', pass: 1, intervalMs: HOUR, pages: 1 };

describe('m3terMirror, with a stub pass', () => {
  it('passes at once, and nudges during a pass make exactly one more pass after it', async () => {
    const stub = stubPasses([completed]);
    await withMirror(stub, async (handle) => {
      await eventually(async () => stub.calls.length, (n) => n === 1, 'the first pass started');
      for (let i = 0; i < 3; i++) await handle.signal(mirrorNudgeSignal);
      stub.finish(0);
      await eventually(async () => stub.calls.length, (n) => n === 2, 'one more pass for the nudges');
      stub.finish(1);
      await eventually(() => handle.query(mirrorStatusQuery), (s) => s.passes === 2 && s.phase === 'waiting', 'waiting after two passes');
      // An hour's interval: nothing more happens until the next nudge.
      expect(stub.calls).toHaveLength(2);
      await handle.signal(mirrorNudgeSignal);
      await eventually(async () => stub.calls.length, (n) => n === 3, 'a pass for the nudge');
    });
  });

  it('keeps waiting after m3ter refused a pass, and ends when the source is gone', async () => {
    const stub = stubPasses([{ kind: 'refused', intervalMs: HOUR, reason: 'M3terAuthError' }, { kind: 'gone' }]);
    await withMirror(stub, async (handle) => {
      await eventually(async () => stub.calls.length, (n) => n === 1, 'the first pass');
      stub.finish(0);
      await eventually(() => handle.query(mirrorStatusQuery), (s) => s.lastOutcome === 'refused' && s.phase === 'waiting', 'waiting after the refusal');
      await handle.signal(mirrorNudgeSignal);
      await eventually(async () => stub.calls.length, (n) => n === 2, 'a pass for the nudge');
      stub.finish(1);
      await handle.result();
      expect((await handle.describe()).status.name).toBe('COMPLETED');
    });
  });
});
