import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { BillEvent } from '../../temporal/contract';
import { eventually } from './eventually';

/**
 * How often Temporal received each hand-off: the `billEvent` signals in the histories of every bill
 * sync of one integration config, counted by the outbox row (handoffId) they carry. Temporal's own
 * record, so a row delivered twice — or never — shows here whatever the relay believes.
 */
export async function signalsByHandoff(temporal: Client, configId: string, expectedExecutions: number): Promise<Map<string, number>> {
  // Visibility may lag the executions by a moment.
  const executions = await eventually(
    async () => {
      const found: WorkflowExecutionInfo[] = [];
      for await (const info of temporal.workflow.list({ query: `IntegrationConfigId = "${configId}" AND WorkflowType = "billSync"` })) found.push(info);
      return found;
    },
    (found) => found.length >= expectedExecutions,
    `${expectedExecutions} bill syncs of ${configId} in visibility`,
    60_000,
  );
  const counts = new Map<string, number>();
  for (const execution of executions) {
    const history = await temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    for (const event of history.events ?? []) {
      const signaled = event.workflowExecutionSignaledEventAttributes;
      if (signaled?.signalName !== 'billEvent') continue;
      const data = signaled.input?.payloads?.[0]?.data;
      const handoffId = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as BillEvent).handoffId : undefined;
      if (handoffId) counts.set(handoffId, (counts.get(handoffId) ?? 0) + 1);
    }
  }
  return counts;
}
