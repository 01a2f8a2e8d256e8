import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import {
  billEventSignal,
  billSyncSearchAttributes,
  billSyncWorkflowId,
  configEnabledSignal,
  failureWorkflowId,
  m3terMirrorWorkflowId,
  mirrorNudgeSignal,
  runOutcomeSignal,
  WORKFLOW_TYPES,
  type BillEvent,
  type BillSyncInput,
  type IntegrationFailuresInput,
  type M3terMirrorInput,
  type OutcomeReport,
} from './contract';

/**
 * The caller's side of the Temporal contract (temporal/contract.ts): the one place that starts or
 * signals each workflow, so every caller (the outbox relay, activities, the CLI) sends the same thing.
 */

/**
 * A client whose connection is made on first use, so a process that only needs Temporal now and then
 * (the API role: the relay delivers when Temporal is back) starts while Temporal is away.
 */
export function connectClient(address: string, namespace: string): Client {
  return new Client({ connection: Connection.lazy({ address }), namespace });
}

export interface BillSyncTarget {
  organizationId: string;
  configId: string;
  billId: string;
  /** Tags the execution for the UI's AccountId filter; the workflow sets it itself once it knows. */
  accountId?: string;
}

/**
 * Tells the sync of one (config, bill) about an event: signalWithStart on its business id, so a running
 * sync hears it and otherwise a new one starts. Repeating this is harmless: one workflow id, one
 * invoice externalId. Returns the run that received the signal.
 */
export async function signalBillSync(temporal: Client, taskQueue: string, target: BillSyncTarget, event: BillEvent): Promise<{ workflowId: string; runId: string }> {
  const handle = await temporal.workflow.signalWithStart(WORKFLOW_TYPES.billSync, {
    ...billSyncStart(taskQueue, target, event),
    signal: billEventSignal,
    signalArgs: [event],
  });
  return { workflowId: handle.workflowId, runId: handle.signaledRunId };
}

/**
 * Starts the sync of one (config, bill) with the event as its input, for an event that most likely
 * finds none running (a month end's approvals): a start costs the server one read less than
 * signalWithStart, and the history one event less. Undefined when a sync is running after all: the
 * caller signals it (signalBillSync).
 */
export async function startBillSync(temporal: Client, taskQueue: string, target: BillSyncTarget, event: BillEvent): Promise<{ workflowId: string; runId: string } | undefined> {
  try {
    const handle = await temporal.workflow.start(WORKFLOW_TYPES.billSync, billSyncStart(taskQueue, target, event));
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return undefined;
    throw error;
  }
}

/** The start both deliveries share: the event as the start input, the sync's id, tags and summary. */
function billSyncStart(taskQueue: string, target: BillSyncTarget, event: BillEvent) {
  const input: BillSyncInput = {
    organizationId: target.organizationId,
    configId: target.configId,
    billId: target.billId,
    trigger: event.kind,
    ...(event.parentIntegrationRunId ? { parentIntegrationRunId: event.parentIntegrationRunId } : {}),
    ...(event.handoffId ? { handoffId: event.handoffId } : {}),
  };
  return {
    taskQueue,
    workflowId: billSyncWorkflowId(target.configId, target.billId),
    args: [input] as [BillSyncInput],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: billSyncSearchAttributes(target),
    // Ids only: the UI renders the summary, and a tenant's text has no place there.
    staticSummary: `Bill ${target.billId} → NetSuite integration ${target.configId}`,
  };
}

/** Reports a finished run to its config's failure counter, starting the counter on its first report. */
export async function reportToFailureCounter(temporal: Client, taskQueue: string, input: IntegrationFailuresInput, report: OutcomeReport): Promise<void> {
  await temporal.workflow.signalWithStart(WORKFLOW_TYPES.integrationFailures, { ...failureCounterStart(taskQueue, input), signal: runOutcomeSignal, signalArgs: [report] });
}

/** Tells the failure counter the config was re-enabled at `at` (ms): the count restarts from zero. */
export async function signalConfigEnabled(temporal: Client, taskQueue: string, input: IntegrationFailuresInput, at: number): Promise<{ runId: string }> {
  const handle = await temporal.workflow.signalWithStart(WORKFLOW_TYPES.integrationFailures, { ...failureCounterStart(taskQueue, input), signal: configEnabledSignal, signalArgs: [{ at }] });
  return { runId: handle.signaledRunId };
}

function failureCounterStart(taskQueue: string, input: IntegrationFailuresInput) {
  return {
    taskQueue,
    workflowId: failureWorkflowId(input.configId),
    args: [input] as [IntegrationFailuresInput],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    staticSummary: `Successive-error counter of integration ${input.configId}`,
  };
}

/**
 * After a config is deleted its workflows have nothing left to work on: the syncs still running for
 * it (say, waiting for approval) and its failure counter are terminated, with the reason in history.
 */
export async function terminateConfigWorkflows(temporal: Client, configId: string): Promise<number> {
  const reason = `integration config ${configId} was deleted`;
  let stopped = 0;
  const running = temporal.workflow.list({ query: `IntegrationConfigId = "${configId}" AND ExecutionStatus = "Running"` });
  for await (const execution of running) {
    await temporal.workflow
      .getHandle(execution.workflowId, execution.runId)
      .terminate(reason)
      .then(() => stopped++)
      .catch((error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error; // closed meanwhile
      });
  }
  await temporal.workflow
    .getHandle(failureWorkflowId(configId))
    .terminate(reason)
    .then(() => stopped++)
    .catch((error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError)) throw error; // never started, or already closed: nothing to stop
    });
  return stopped;
}

/** Asks a source's mirror for a pass now, starting the mirror if it is not running. */
export async function nudgeMirror(temporal: Client, taskQueue: string, input: M3terMirrorInput): Promise<{ runId: string }> {
  const handle = await temporal.workflow.signalWithStart(WORKFLOW_TYPES.m3terMirror, {
    taskQueue,
    workflowId: m3terMirrorWorkflowId(input.sourceId),
    args: [input],
    signal: mirrorNudgeSignal,
    signalArgs: [],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    staticSummary: `m3ter mirror of source ${input.sourceId} (organization ${input.organizationId})`,
  });
  return { runId: handle.signaledRunId };
}

/** The source was disconnected: its mirror stops (a pass in flight also stops at its next page). */
export async function stopMirror(temporal: Client, sourceId: string): Promise<void> {
  await temporal.workflow
    .getHandle(m3terMirrorWorkflowId(sourceId))
    .terminate('the m3ter source was disconnected')
    .catch((error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError)) throw error; // never started, or already ended
    });
}
