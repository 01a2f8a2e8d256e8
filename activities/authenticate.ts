import { getConfig } from '../db/configs';
import { getRun } from '../db/runs';
import { ApplicationFailure } from '@temporalio/activity';
import { loadCredential } from './credential';
import type { ActivityDeps } from './deps';
import { toActivityFailure } from './netsuiteFailure';
import { withHeartbeat } from './heartbeat';

/**
 * Makes sure this worker holds a NetSuite access token for the run's credential. Returns only when it
 * expires: the token itself stays in the worker's memory, out of workflow history.
 */
export function makeAuthenticate(deps: ActivityDeps) {
  return async function authenticate({ runId }: { runId: string }): Promise<{ ok: true }> {
    const run = await getRun(deps.db, runId);
    const config = run && (await getConfig(deps.db, run.organizationId, run.configId));
    if (!config) throw ApplicationFailure.nonRetryable(`run ${runId} or its config no longer exists`, 'MissingConfig');
    const credential = await loadCredential(deps, config);
    try {
      await withHeartbeat(() => deps.tokens.get(credential));
      return { ok: true };
    } catch (error) {
      throw toActivityFailure(error, deps.retry);
    }
  };
}
