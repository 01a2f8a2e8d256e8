import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/createWorker';

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Temporal's test environment on the tests' dev server, with the workflows bundled once per file, for
 * workflow tests with stub activities. Nothing needs time skipping: the bill sync and the failure
 * counter have no timers, and the mirror's tests give it an interval of an hour, so every wait ends on
 * a signal or a stub's answer.
 */
export function useWorkflowEnv(): { env: TestWorkflowEnvironment; bundle: WorkflowBundleWithSourceMap } {
  const world = {} as { env: TestWorkflowEnvironment; bundle: WorkflowBundleWithSourceMap };
  beforeAll(async () => {
    world.env = await TestWorkflowEnvironment.createFromExistingServer({ address: process.env.TEST_TEMPORAL_ADDRESS, namespace: process.env.TEST_TEMPORAL_NAMESPACE ?? 'default' });
    world.bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  });
  afterAll(async () => {
    await world.env?.teardown();
  });
  return world;
}
