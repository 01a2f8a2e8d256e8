import { sql } from 'kysely';
import type { Db } from '../db/connect';
import type { HandoffKind } from '../db/schema';
import { BILL_ENTITY_TYPE, NETSUITE_DESTINATION } from '../domain/configData';
import { TERMINAL_STATUSES, type RunStatus } from '../domain/runStatus';
import type { SyncTrigger } from '../temporal/contract';

/**
 * The transactional outbox. A change that must reach a workflow is stored together with a row here,
 * in one transaction, so the change and the duty to tell Temporal about it commit or vanish together;
 * the relay (handoff/relay.ts) then delivers the rows. Every writer takes the caller's transaction.
 */

/** NOTIFY channel: a row was written, relays wake up at once instead of at their next poll. */
export const HANDOFF_CHANNEL = 'outbox_handoff';

/** What a billEvent row carries to the bill sync's `billEvent` signal. */
export interface BillEventPayload {
  trigger: SyncTrigger;
  accountId?: string;
  parentIntegrationRunId?: string;
}

/** What a configEnabled row carries to the failure counter's `configEnabled` signal: when it was re-enabled. */
export interface ConfigEnabledPayload {
  at: number;
}

/** A row written: what to wait for, and which (config, bill) — or, for a source's rows, nothing of either — it concerns. */
export interface Handoff {
  id: string;
  kind: HandoffKind;
  configId: string | null;
  billId: string | null;
}

export interface BillEventRequest {
  organizationId: string;
  billIds: readonly string[];
  trigger: SyncTrigger;
  origin: string;
  /** Only this integration; by default every NetSuite bill integration of the organization. */
  configId?: string;
  parentIntegrationRunId?: string;
}

/**
 * One row per (NetSuite integration, bill) for bills of the organization: each of its bill syncs must
 * hear of the event. A single INSERT … SELECT, so approving a thousand bills stays one round trip.
 */
export async function handOffBillEvents(tx: Db, request: BillEventRequest): Promise<Handoff[]> {
  if (request.billIds.length === 0) return [];
  let source = tx
    .selectFrom('bill')
    .innerJoin('integrationConfig as config', (join) =>
      join.onRef('config.organizationId', '=', 'bill.organizationId').on('config.destination', '=', NETSUITE_DESTINATION).on('config.entityType', '=', BILL_ENTITY_TYPE),
    )
    .where('bill.organizationId', '=', request.organizationId)
    .where('bill.id', 'in', [...request.billIds]);
  if (request.configId) source = source.where('config.id', '=', request.configId);
  const rows = await tx
    .insertInto('outbox')
    .columns(['organizationId', 'configId', 'billId', 'kind', 'payload', 'origin'])
    .expression(
      source.select((eb) => [
        'bill.organizationId',
        'config.id',
        'bill.id',
        sql<HandoffKind>`'billEvent'`.as('kind'),
        sql<string>`jsonb_strip_nulls(jsonb_build_object('trigger', ${request.trigger}::text, 'accountId', ${eb.ref('bill.accountId')}, 'parentIntegrationRunId', ${request.parentIntegrationRunId ?? null}::text))`.as('payload'),
        sql<string>`${request.origin}::text`.as('origin'),
      ]),
    )
    .returning(['id', 'kind', 'configId', 'billId'])
    .execute();
  if (rows.length > 0) await notifyRelays(tx);
  return rows;
}

/** What a config holds a bill's sync at until the config changes: waiting (for approval or a credential), or disabled. */
export type HeldRunStatus = Extract<RunStatus, 'WAITING' | 'DISABLED'>;

/**
 * Hands over again each bill of a config whose latest run of it was held (`statuses`), after the
 * config changed: a credential connected or onlySendBillOnApproval turned off wakes the WAITING ones;
 * re-enabling the config, the DISABLED ones, so the bills approved while it was off are not left out.
 * Each is looked at again, as the bill is now: sent, skipped, or held again.
 */
export async function handOffHeldSyncs(tx: Db, request: { organizationId: string; configId: string; origin: string; statuses: readonly HeldRunStatus[] }): Promise<Handoff[]> {
  const { rows } = await sql<Handoff>`
    insert into outbox (organization_id, config_id, bill_id, kind, payload, origin)
    select r.organization_id, r.config_id, r.entity_id, 'billEvent',
           jsonb_build_object('trigger', case when b.status = 'APPROVED' then 'approved' else 'calculated' end, 'accountId', b.account_id),
           ${request.origin}::text
    from integration_run r
    join bill b on b.id = r.entity_id and b.organization_id = r.organization_id
    where r.organization_id = ${request.organizationId} and r.config_id = ${request.configId} and r.status = any(${[...request.statuses]}::text[])
      and not exists (select 1 from integration_run later where later.config_id = r.config_id and later.entity_id = r.entity_id and later.dt_started > r.dt_started)
    returning id, kind, config_id as "configId", bill_id as "billId"`.execute(tx);
  if (rows.length > 0) await notifyRelays(tx);
  return rows;
}

/** The failure counter must restart its count: the config was re-enabled at `at`. */
export async function handOffConfigEnabled(tx: Db, request: { organizationId: string; configId: string; at: Date; origin: string }): Promise<Handoff> {
  const payload: ConfigEnabledPayload = { at: request.at.getTime() };
  return handOffConfig(tx, { ...request, kind: 'configEnabled', payload });
}

/** The config is gone: its running syncs and its failure counter are to be terminated. */
export async function handOffConfigDeleted(tx: Db, request: { organizationId: string; configId: string; origin: string }): Promise<Handoff> {
  return handOffConfig(tx, { ...request, kind: 'configDeleted', payload: {} });
}

async function handOffConfig(tx: Db, row: { organizationId: string; configId: string; origin: string; kind: HandoffKind; payload: object }): Promise<Handoff> {
  const written = await tx
    .insertInto('outbox')
    .values({ organizationId: row.organizationId, configId: row.configId, kind: row.kind, payload: JSON.stringify(row.payload), origin: row.origin })
    .returning(['id', 'kind', 'configId', 'billId'])
    .executeTakeFirstOrThrow();
  await notifyRelays(tx);
  return written;
}

/**
 * A source's mirror must hear of something: `sourceNudge` runs a pass now (starting the mirror if it
 * is not running), `sourceDisconnected` stops it.
 */
export async function handOffSource(tx: Db, request: { organizationId: string; sourceId: string; kind: 'sourceNudge' | 'sourceDisconnected'; origin: string; /** Not before (a deferred nudge); now by default. */ availableAt?: Date }): Promise<Handoff> {
  const written = await tx
    .insertInto('outbox')
    .values({ organizationId: request.organizationId, configId: null, sourceId: request.sourceId, kind: request.kind, payload: JSON.stringify({}), origin: request.origin, ...(request.availableAt ? { dtAvailable: request.availableAt } : {}) })
    .returning(['id', 'kind', 'configId', 'billId'])
    .executeTakeFirstOrThrow();
  await notifyRelays(tx);
  return written;
}

/** Delivered to every listening relay when the transaction commits, and dropped if it rolls back. */
export async function notifyRelays(tx: Db): Promise<void> {
  await sql`select pg_notify(${HANDOFF_CHANNEL}, '')`.execute(tx);
}

/** A row the relay has claimed and must deliver. */
export interface DueHandoff extends Handoff {
  organizationId: string;
  payload: Record<string, unknown>;
  attempts: number;
  /** False once the config is deleted: its bill events have nowhere to go. */
  configExists: boolean;
  /** The source a sourceNudge or sourceDisconnected row concerns. */
  sourceId: string | null;
  /** A run of the row's (config, bill) has not ended: its sync is most likely running (relay.ts signals rather than starts). */
  syncLive: boolean;
}

/**
 * Locks up to `limit` rows that are due, oldest first, skipping rows another relay holds: each row is
 * delivered by one relay at a time, and a relay that dies (its connection closes) frees its rows.
 */
export async function claimDue(tx: Db, limit: number): Promise<DueHandoff[]> {
  const rows = await tx
    .selectFrom('outbox')
    .select((eb) => [
      'outbox.id',
      'outbox.kind',
      'outbox.organizationId',
      'outbox.configId',
      'outbox.billId',
      'outbox.payload',
      'outbox.attempts',
      'outbox.sourceId',
      eb.exists(eb.selectFrom('integrationConfig').select('integrationConfig.id').whereRef('integrationConfig.id', '=', 'outbox.configId')).as('configExists'),
      eb
        .exists(
          eb
            .selectFrom('integrationRun')
            .select('integrationRun.id')
            .whereRef('integrationRun.organizationId', '=', 'outbox.organizationId')
            .where('integrationRun.entityType', '=', BILL_ENTITY_TYPE)
            .whereRef('integrationRun.entityId', '=', 'outbox.billId')
            .whereRef('integrationRun.configId', '=', 'outbox.configId')
            .where('integrationRun.status', 'not in', TERMINAL_STATUSES),
        )
        .as('syncLive'),
    ])
    .where('outbox.dtDelivered', 'is', null)
    .where('outbox.dtAvailable', '<=', sql<Date>`now()`)
    .orderBy('outbox.id')
    .limit(limit)
    .forUpdate('outbox')
    .skipLocked()
    .execute();
  return rows.map((row) => ({ ...row, configExists: Boolean(row.configExists), syncLive: Boolean(row.syncLive) }));
}

export interface Delivery {
  id: string;
  /** The Temporal run that received the signal; null when there was nothing to signal. */
  runId: string | null;
  /** Why nothing was delivered (a deleted config), kept as the row's last word. */
  note?: string;
}

export async function markDelivered(tx: Db, deliveries: readonly Delivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  await sql`
    update outbox set dt_delivered = now(), delivered_run_id = d.run_id, last_error = coalesce(d.note, outbox.last_error)
    from unnest(${deliveries.map((d) => d.id)}::bigint[], ${deliveries.map((d) => d.runId)}::text[], ${deliveries.map((d) => d.note ?? null)}::text[]) as d(id, run_id, note)
    where outbox.id = d.id`.execute(tx);
}

export interface FailedDelivery {
  id: string;
  error: string;
  retryInMs: number;
}

/** Counts the attempt and makes the row due again after its back-off. */
export async function markFailed(tx: Db, failures: readonly FailedDelivery[]): Promise<void> {
  if (failures.length === 0) return;
  await sql`
    update outbox set attempts = outbox.attempts + 1, last_error = f.error, dt_available = now() + f.retry_ms * interval '1 millisecond'
    from unnest(${failures.map((f) => f.id)}::bigint[], ${failures.map((f) => f.error.slice(0, 1000))}::text[], ${failures.map((f) => Math.round(f.retryInMs))}::bigint[]) as f(id, error, retry_ms)
    where outbox.id = f.id`.execute(tx);
}

export interface Backlog {
  /** Rows not yet delivered. */
  undelivered: number;
  /** Age of the oldest of them in seconds; 0 when there is none. */
  oldestAgeSeconds: number;
}

export async function backlog(db: Db): Promise<Backlog> {
  const row = await db
    .selectFrom('outbox')
    .select([sql<number>`count(*)::int`.as('undelivered'), sql<number | null>`extract(epoch from now() - min(dt_created))::float8`.as('oldestAgeSeconds')])
    .where('dtDelivered', 'is', null)
    .executeTakeFirstOrThrow();
  return { undelivered: row.undelivered, oldestAgeSeconds: Math.max(0, row.oldestAgeSeconds ?? 0) };
}

/** Forgets delivered rows older than `days`; at most `limit` per call, so a large backlog is trimmed in steps. */
export async function pruneDelivered(db: Db, days: number, limit = 10_000): Promise<number> {
  const result = await sql`
    delete from outbox where id in (
      select id from outbox where dt_delivered is not null and dt_delivered < now() - ${days} * interval '1 day' limit ${limit})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** A delivered row: the run of the workflow that received it (null when there was nothing to signal). */
export interface DeliveredHandoff extends Handoff {
  deliveredRunId: string | null;
}

/** The hand-off was not delivered in time: Temporal is away, or no relay runs. It stays queued. */
export class HandoffPendingError extends Error {
  constructor(
    readonly pending: number,
    lastError: string | null,
  ) {
    super(
      `${pending} hand-off${pending === 1 ? ' is' : 's are'} still waiting in the outbox${lastError ? ` (last delivery error: ${lastError})` : ' (no relay has tried yet)'}; ` +
        'they stay queued and are delivered once Temporal is reachable and a service (npm start) runs',
    );
    this.name = 'HandoffPendingError';
  }
}

/**
 * Waits until the relay has delivered these rows and returns them with their runs, in the order
 * given. A check of stored state with growing pauses, not a timer on the relay's speed.
 */
export async function waitForDelivery(
  db: Db,
  handoffs: readonly Pick<Handoff, 'id'>[],
  options: { timeoutMs?: number; /** Give up as soon as a relay tried every pending row and failed. */ untilFailed?: boolean } = {},
): Promise<DeliveredHandoff[]> {
  if (handoffs.length === 0) return [];
  const ids = handoffs.map((h) => h.id);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let pauseMs = 20;
  for (;;) {
    const rows = await db.selectFrom('outbox').select(['id', 'kind', 'configId', 'billId', 'dtDelivered', 'deliveredRunId', 'lastError']).where('id', 'in', ids).execute();
    const pending = rows.filter((r) => !r.dtDelivered);
    if (pending.length === 0) {
      const byId = new Map(rows.map((r) => [r.id, { id: r.id, kind: r.kind, configId: r.configId, billId: r.billId, deliveredRunId: r.deliveredRunId }]));
      return ids.map((id) => byId.get(id)!);
    }
    if (Date.now() >= deadline || (options.untilFailed && pending.every((r) => r.lastError))) throw new HandoffPendingError(pending.length, pending.find((r) => r.lastError)?.lastError ?? null);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = Math.min(pauseMs * 2, 500);
  }
}
