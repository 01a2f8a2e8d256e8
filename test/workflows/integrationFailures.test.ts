import crypto from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { FailureActivities } from '../../activities';
import { failureCountQuery, runOutcomeSignal, type IntegrationFailuresInput, type OutcomeReport } from '../../temporal/contract';
import { eventually } from '../support/eventually';
import { useWorkflowEnv } from '../support/workflowEnv';

/** The failure counter's decisions with stub activities: what it counts from the reports it gets. */
const workflows = useWorkflowEnv();

async function withCounter<T>(body: (signal: (report: OutcomeReport) => Promise<void>, count: () => Promise<number>) => Promise<T>, disabled: string[] = []): Promise<T> {
  const taskQueue = `stub-counter-${crypto.randomUUID()}`;
  const activities: FailureActivities = {
    disableIntegration: async ({ configId }) => void disabled.push(configId),
    notifyDisabled: async () => ({ sent: 0 }),
  };
  const worker = await Worker.create({ connection: workflows.env.nativeConnection, namespace: workflows.env.namespace ?? 'default', taskQueue, workflowBundle: workflows.bundle, activities });
  return worker.runUntil(async () => {
    const input: IntegrationFailuresInput = { organizationId: 'org-1', configId: `config-${crypto.randomUUID()}`, threshold: 3 };
    const handle = await workflows.env.client.workflow.start('integrationFailures', { taskQueue, workflowId: `stub-counter/${input.configId}`, args: [input] });
    try {
      return await body(
        (report) => handle.signal(runOutcomeSignal, report),
        async () => (await handle.query(failureCountQuery)).successiveErrors,
      );
    } finally {
      await handle.terminate('test over');
    }
  });
}

const error = (at: number, extra: Partial<OutcomeReport & { kind: 'error' }> = {}): OutcomeReport => ({ kind: 'error', runId: crypto.randomUUID(), at, eventId: crypto.randomUUID(), eventName: 'integration.perform.error', reason: 'NetSuite away', ...extra });

describe('integrationFailures, with stub activities', () => {
  it('counts an error, and an error that carries a later success (one that did not see it) is reset by that success', async () => {
    await withCounter(async (signal, count) => {
      await signal(error(1_000));
      await eventually(count, (n) => n === 1, 'one error counted');
      await signal(error(2_000, { resetBy: { runId: crypto.randomUUID(), at: 2_500 } }));
      await eventually(count, (n) => n === 0, 'the carried success resetting both');
      // A carried success older than the error resets nothing of it.
      await signal(error(4_000, { resetBy: { runId: crypto.randomUUID(), at: 3_000 } }));
      await eventually(count, (n) => n === 1, 'the newer error still counted');
    });
  });

  it('disables once at the threshold, whatever order the reports arrive in', async () => {
    const disabled: string[] = [];
    await withCounter(async (signal, count) => {
      for (const at of [3_000, 1_000, 2_000, 4_000]) await signal(error(at));
      await eventually(count, (n) => n === 4, 'four errors counted');
      await eventually(async () => disabled.length, (n) => n === 1, 'the config disabled');
    }, disabled);
    expect(disabled).toHaveLength(1);
  });
});
