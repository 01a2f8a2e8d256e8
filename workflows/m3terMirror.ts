import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { MirrorActivities } from '../activities';
import { mirrorNudgeSignal, mirrorStatusQuery, type M3terMirrorInput, type M3terMirrorStatus } from '../temporal/contract';

const { mirrorPass } = proxyActivities<MirrorActivities>({
  // A pass of thousands of bills takes minutes; it heartbeats after every page and every 10 s, so a
  // worker that died mid-pass is noticed within half a minute and the pass resumes on another.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  // No attempt limit: m3ter or PostgreSQL away only delays the mirror, and each attempt resumes from
  // the pass's committed cursor.
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/** Passes made by one run before continuing as new, well under history limits. */
const PASSES_PER_RUN = 200;

/**
 * One long-lived mirror per connected m3ter source (id `m3ter-mirror/{sourceId}`): a pass now, then one
 * every interval, or sooner when nudged. The interval is read from the source on each pass, so a
 * reconnect with new settings needs nothing from here. Ends when the source is disconnected.
 */
export async function m3terMirror(input: M3terMirrorInput): Promise<void> {
  let nudged = true;
  const status: M3terMirrorStatus = { phase: 'waiting', passes: 0 };
  setHandler(mirrorNudgeSignal, () => {
    nudged = true;
  });
  setHandler(mirrorStatusQuery, () => status);

  for (let passes = 0; passes < PASSES_PER_RUN && !workflowInfo().continueAsNewSuggested; passes++) {
    nudged = false;
    status.phase = 'mirroring';
    const result = await mirrorPass({ organizationId: input.organizationId, sourceId: input.sourceId });
    if (result.kind === 'gone') return;
    status.passes += 1;
    status.lastOutcome = result.kind;
    status.phase = 'waiting';
    await condition(() => nudged, result.intervalMs);
  }
  await continueAsNew<typeof m3terMirror>(input);
}
