import type { Db } from './connect';
import type { IntegrationEvent, IntegrationEventName } from './schema';

export interface NewEvent {
  id: string;
  organizationId: string;
  eventName: IntegrationEventName;
  configId: string;
  entityId?: string | null;
  accountId?: string | null;
  runId?: string | null;
  reason: string;
  details?: Record<string, unknown>;
}

/** Raises an event once: a retried activity finds the one it raised before (same id or same run). */
export async function raiseEvent(db: Db, event: NewEvent): Promise<IntegrationEvent> {
  const inserted = await db
    .insertInto('integrationEvent')
    .values({
      id: event.id,
      organizationId: event.organizationId,
      eventName: event.eventName,
      configId: event.configId,
      entityType: event.entityId ? 'Bill' : null,
      entityId: event.entityId ?? null,
      accountId: event.accountId ?? null,
      runId: event.runId ?? null,
      reason: event.reason,
      details: JSON.stringify(event.details ?? {}),
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return inserted;
  const query = db.selectFrom('integrationEvent').selectAll();
  return (event.runId ? query.where('runId', '=', event.runId) : query.where('id', '=', event.id)).executeTakeFirstOrThrow();
}

/** The event a run raised, if it raised one (a run raises at most one: raiseEvent). */
export async function getRunEvent(db: Db, runId: string): Promise<IntegrationEvent | undefined> {
  return db.selectFrom('integrationEvent').selectAll().where('runId', '=', runId).executeTakeFirst();
}

export interface EventFilter {
  configId?: string;
  billId?: string;
  /** m3ter's `resourceId`: events about this bill or this integration config. */
  resourceId?: string;
  accountId?: string;
  eventName?: string;
  ids?: string[];
  includeActioned?: boolean;
  limit?: number;
  /** Keyset paging: events strictly older than this (eventTime, id). */
  before?: { eventTime: Date; id: string };
  /**
   * Keyset paging by the last event of the previous page: events after it in the listing's order.
   * Exact where `before` is not: event times hold microseconds that a JS Date rounds away.
   */
  afterEventId?: string;
}

export async function listEvents(db: Db, organizationId: string, filter: EventFilter = {}): Promise<IntegrationEvent[]> {
  let query = db.selectFrom('integrationEvent').selectAll().where('organizationId', '=', organizationId);
  if (filter.configId) query = query.where('configId', '=', filter.configId);
  if (filter.billId) query = query.where('entityId', '=', filter.billId);
  if (filter.resourceId) {
    const resourceId = filter.resourceId;
    query = query.where((eb) => eb.or([eb('entityId', '=', resourceId), eb('configId', '=', resourceId)]));
  }
  if (filter.accountId) query = query.where('accountId', '=', filter.accountId);
  if (filter.eventName) query = query.where('eventName', '=', filter.eventName as IntegrationEventName);
  if (filter.ids && filter.ids.length > 0) query = query.where('id', 'in', filter.ids);
  if (filter.includeActioned === false) query = query.where('dtActioned', 'is', null);
  if (filter.before) {
    const { eventTime, id } = filter.before;
    query = query.where((eb) => eb.or([eb('eventTime', '<', eventTime), eb.and([eb('eventTime', '=', eventTime), eb('id', '<', id)])]));
  }
  if (filter.afterEventId) {
    const cursorId = filter.afterEventId;
    query = query.where((eb) => {
      const cursorTime = eb.selectFrom('integrationEvent as cursor').select('cursor.eventTime').where('cursor.id', '=', cursorId).where('cursor.organizationId', '=', organizationId);
      return eb.or([eb('eventTime', '<', cursorTime), eb.and([eb('eventTime', '=', cursorTime), eb('id', '<', cursorId)])]);
    });
  }
  return query.orderBy('eventTime', 'desc').orderBy('id', 'desc').limit(filter.limit ?? 100).execute();
}

export async function getEvent(db: Db, organizationId: string, id: string): Promise<IntegrationEvent | undefined> {
  return db.selectFrom('integrationEvent').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** Marks an event resolved; doing it again keeps the first time and person. */
export async function markEventActioned(db: Db, organizationId: string, id: string, by: string): Promise<IntegrationEvent | undefined> {
  await db.updateTable('integrationEvent').set({ dtActioned: new Date(), actionedBy: by }).where('organizationId', '=', organizationId).where('id', '=', id).where('dtActioned', 'is', null).execute();
  return getEvent(db, organizationId, id);
}
