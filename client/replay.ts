import fs from 'node:fs';
import path from 'node:path';
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../worker/createWorker';
import { billSyncWorkflowId } from '../temporal/contract';

/** A history event as a person reads it in the Temporal UI: its number, type and what it names. */
export interface EventSummary {
  eventId: number;
  eventType: string;
  /** What a command event carries: the activity type, timer id, child workflow type or marker name. */
  name?: string;
}

export interface ReplayVerdict {
  ok: boolean;
  workflowId: string;
  runId?: string;
  workflowType?: string;
  /** Where the history came from: `server` or the file's path. */
  source: string;
  events: number;
  /** When not ok: `nondeterminism` (the code takes another path than the history) or `failure`. */
  error?: 'nondeterminism' | 'failure';
  message?: string;
  /** The history event(s) the code disagrees with, when the error lets us find them. */
  atEvents?: EventSummary[];
}

/**
 * Replays one workflow history against the workflow code this program was built with (its own
 * `workflows/`), as a worker of the new code would on picking the workflow up after a deploy. The
 * verdict says which event the code no longer agrees with.
 */
export async function replayHistory(history: History, ids: { workflowId: string; source: string }): Promise<ReplayVerdict> {
  const summaries = (history.events ?? []).map(summarize);
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const base = {
    workflowId: ids.workflowId,
    runId: started?.originalExecutionRunId ?? undefined,
    workflowType: started?.workflowType?.name ?? undefined,
    source: ids.source,
    events: summaries.length,
  };
  try {
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH, replayName: `replay ${ids.workflowId}` }, history, ids.workflowId);
    return { ok: true, ...base };
  } catch (error) {
    const full = error instanceof Error ? error.message : String(error);
    // By name: the error comes from the worker's own realm, where instanceof can miss.
    const nondeterministic = (error as Error)?.name === 'DeterminismViolationError';
    const message = coreMessage(full);
    return { ok: false, ...base, error: nondeterministic ? 'nondeterminism' : 'failure', message, atEvents: eventsNamedIn(message, summaries) };
  }
}

const GRPC_NOT_FOUND = 5;

/** Replays the history the Temporal server holds for a workflow (its latest run unless `runId`). */
export async function replayFromServer(client: Client, workflowId: string, runId?: string): Promise<ReplayVerdict> {
  let history: History;
  try {
    history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  } catch (error) {
    // fetchHistory passes the server's gRPC NOT_FOUND through rather than a WorkflowNotFoundError.
    const notFound = error instanceof WorkflowNotFoundError || (isGrpcServiceError(error) && error.code === GRPC_NOT_FOUND);
    if (!notFound) throw error;
    throw new Error(`--workflow-id: no workflow ${workflowId}${runId ? ` with run ${runId}` : ''} in namespace ${client.options.namespace}; check the id (bill syncs are bill-sync/{configId}/{billId}) and TEMPORAL_NAMESPACE`);
  }
  return replayHistory(history, { workflowId, source: 'server' });
}

/** Replays a history file written by `temporal workflow show --workflow-id … --output json`. */
export async function replayFile(file: string, workflowId?: string): Promise<ReplayVerdict> {
  let history: History;
  try {
    history = historyFromJSON(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (error) {
    throw new Error(`--file: ${file} is not a workflow history in JSON (write one with \`temporal workflow show --workflow-id <id> --output json\`): ${(error as Error).message}`);
  }
  return replayHistory(history, { workflowId: workflowId ?? billSyncIdOf(history) ?? path.basename(file), source: file });
}

/**
 * A history file doesn't hold its workflow id; a bill sync's is rebuilt from the config and bill ids
 * it is tagged with.
 */
function billSyncIdOf(history: History): string | undefined {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (started?.workflowType?.name !== 'billSync') return undefined;
  const fields = started.searchAttributes?.indexedFields ?? {};
  const configId = keyword(fields.IntegrationConfigId ?? fields.ConfigId);
  const billId = keyword(fields.BillId);
  return configId && billId ? billSyncWorkflowId(configId, billId) : undefined;
}

function keyword(payload: { data?: Uint8Array | null } | undefined): string | undefined {
  if (!payload?.data) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload.data).toString('utf8'));
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** One line for a person, next to the JSON verdict. */
export function describeVerdict(verdict: ReplayVerdict): string {
  const what = `${verdict.workflowType ?? 'workflow'} ${verdict.workflowId}${verdict.runId ? ` (run ${verdict.runId})` : ''}`;
  if (verdict.ok) return `replay ok: ${what} — ${verdict.events} events replay against this code`;
  const where = verdict.atEvents?.length ? ` at ${verdict.atEvents.length > 1 ? 'one of ' : ''}${verdict.atEvents.map((e) => `event ${e.eventId} (${e.eventType}${e.name ? ` ${e.name}` : ''})`).join(', ')}` : '';
  const kind = verdict.error === 'nondeterminism' ? 'NOT deterministic' : 'replay failed';
  return `${kind}: ${what}${where}: ${verdict.message}`;
}

/** The replay worker's own log lines would bury the verdict; warnings and errors still show. */
export function quietReplayLogs(): void {
  try {
    // Core's own "Failing workflow task" warning repeats the verdict, so core logs only errors.
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  } catch {
    // A runtime exists already (a test process): its logger stays.
  }
}

/** Core's explanation, without the Rust debug wrapping around it. */
function coreMessage(full: string): string {
  const inner = /message: "(?:\[TMPRL\d+\] )?((?:[^"\\]|\\.)*)"/.exec(full);
  return inner?.[1]?.replace(/\\"/g, '"') ?? full;
}

/**
 * Core names the event by id ("HistoryEvent(id: 22, …)") or by what it carries ("scheduled event
 * 'buildInvoice'"); in the second case every event carrying that name is a candidate.
 */
function eventsNamedIn(message: string, events: EventSummary[]): EventSummary[] {
  const byId = /HistoryEvent\(id: (\d+)/.exec(message);
  if (byId) return events.filter((e) => e.eventId === Number(byId[1]));
  for (const [, quoted] of message.matchAll(/'([^']+)'/g)) {
    const named = events.filter((e) => e.name === quoted);
    if (named.length > 0) return named;
  }
  return [];
}

function summarize(event: temporal.api.history.v1.IHistoryEvent): EventSummary {
  const eventType = (temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType)).replace(/^EVENT_TYPE_/, '');
  const name =
    event.activityTaskScheduledEventAttributes?.activityType?.name ??
    event.timerStartedEventAttributes?.timerId ??
    event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name ??
    event.markerRecordedEventAttributes?.markerName ??
    undefined;
  return { eventId: Number(String(event.eventId ?? 0)), eventType, ...(name ? { name } : {}) };
}
