import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { BillEvent, BillSyncInput } from '../../temporal/contract';
import { eventually } from './eventually';

/**
 * How often Temporal received each hand-off: in the histories of every bill sync of one integration
 * config, the start input (a sync the relay started) and the `billEvent` signals (syncs it signalled,
 * signalWithStart included), counted by the outbox row (handoffId) they carry. Temporal's own record,
 * so a row delivered twice — or never — shows here whatever the relay believes.
 */
export async function deliveriesByHandoff(temporal: Client, configId: string, deliveredTo: Iterable<string | null>): Promise<Map<string, number>> {
  // The runs the outbox rows say they were delivered to (null: delivered nowhere, a deleted config).
  const deliveredRunIds = new Set([...deliveredTo].filter((runId): runId is string => runId !== null));
  // Visibility may lag the executions, and a count is not enough to wait for: a hand-off delivered
  // again after its sync closed started another execution, so the listing can reach N while the
  // last ones started are still missing from it. Wait for every run the rows name.
  const executions = await eventually(
    async () => {
      const found: WorkflowExecutionInfo[] = [];
      for await (const info of temporal.workflow.list({ query: `IntegrationConfigId = "${configId}" AND WorkflowType = "billSync"` })) found.push(info);
      return found;
    },
    (found) => {
      const listed = new Set(found.map((info) => info.runId));
      return [...deliveredRunIds].every((runId) => listed.has(runId));
    },
    `the ${deliveredRunIds.size} bill syncs the hand-offs of ${configId} were delivered to, in visibility`,
    60_000,
  );
  const counts = new Map<string, number>();
  const count = (handoffId: string | undefined) => handoffId && counts.set(handoffId, (counts.get(handoffId) ?? 0) + 1);
  for (const execution of executions) {
    const history = await temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const signalled = (history.events ?? []).flatMap((event) => {
      const signal = event.workflowExecutionSignaledEventAttributes;
      return signal?.signalName === 'billEvent' ? [payload<BillEvent>(signal.input?.payloads?.[0]?.data)?.handoffId] : [];
    });
    signalled.forEach(count);
    // signalWithStart writes the hand-off into the input and the signal both: one delivery, counted once.
    const started = payload<BillSyncInput>(history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data)?.handoffId;
    if (started && history.events?.[1]?.workflowExecutionSignaledEventAttributes?.signalName !== 'billEvent') count(started);
  }
  return counts;
}

function payload<T>(data: Uint8Array | null | undefined): T | undefined {
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as T) : undefined;
}
