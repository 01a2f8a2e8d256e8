import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { FailureActivities } from '../activities';
import { applyToCounter, initialCounterState, successiveErrors, type CounterInput } from '../domain/failureCounter';
import { configEnabledSignal, failureCountQuery, runOutcomeSignal, type IntegrationFailuresInput } from '../temporal/contract';

const activities = proxyActivities<FailureActivities>({
  startToCloseTimeout: '1 minute',
  // No attempt limit: disabling and notifying must eventually happen, however long the database is away.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Inputs handled by one run before continuing as new, well under history limits. */
const INPUTS_PER_RUN = 1000;

/**
 * One long-lived workflow per integration config (id `integration-failures/{configId}`). Every bill
 * sync reports its outcome here; at the threshold of successive error events it disables the config
 * once, raises integration.disabled.error and emails the chosen users. Its state is durable: a worker
 * restart mid-count loses nothing.
 */
export async function integrationFailures(input: IntegrationFailuresInput): Promise<void> {
  let state = input.state ?? initialCounterState();
  const inbox: CounterInput[] = [];
  setHandler(runOutcomeSignal, (report) => {
    if (report.kind === 'error' && report.resetBy) {
      const { resetBy, ...error } = report;
      inbox.push(error, { kind: 'success', ...resetBy });
    } else inbox.push(report);
  });
  setHandler(configEnabledSignal, ({ at }) => {
    inbox.push({ kind: 'enabled', at });
  });
  setHandler(failureCountQuery, () => ({ successiveErrors: successiveErrors(state), disabled: state.disabled, state }));

  let handled = 0;
  for (;;) {
    await condition(() => inbox.length > 0 || workflowInfo().continueAsNewSuggested);
    while (inbox.length > 0) {
      const next = inbox.shift()!;
      const result = applyToCounter(state, next, input.threshold);
      state = result.state;
      handled++;
      if (result.disableNow) {
        const eventId = uuid4();
        const lastErrors = state.recent.slice(-input.threshold);
        await activities.disableIntegration({ organizationId: input.organizationId, configId: input.configId, eventId, threshold: input.threshold, lastErrors });
        await activities.notifyDisabled({ organizationId: input.organizationId, configId: input.configId, eventId });
      }
    }
    if (handled >= INPUTS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (inbox.length === 0) await continueAsNew<typeof integrationFailures>({ ...input, state });
    }
  }
}
