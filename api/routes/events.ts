import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getEvent, listEvents, markEventActioned } from '../../db/events';
import { INTEGRATION_EVENT_NAMES, type IntegrationEvent } from '../../db/schema';
import { orgOf } from '../auth';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { commaList, decodeKeysetToken, encodeKeysetToken, listEnvelope, pageQuery } from '../pagination';
import { errorResponses, iso, orgIdParams, orgParams, queryBoolean } from '../schemas';

/** The one m3ter event type this service raises; the others (Notification, …) have no events here. */
const INTEGRATION_EVENT_TYPE = 'IntegrationEvent';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const m3terEventSchema = z
  .object({
    eventType: z.literal(INTEGRATION_EVENT_TYPE),
    configId: z.string(),
    entityType: z.string().nullable(),
    entityId: z.string().nullable(),
    billId: z.string().nullable(),
    accountId: z.string().nullable(),
    runId: z.string().nullable(),
    reason: z.string(),
    details: z.record(z.string(), z.unknown()),
    actionedBy: z.string().nullable(),
  })
  .describe('What happened: the integration config, the bill (entityId) and its account, the run, and why');

const eventSchema = z.object({
  id: z.string(),
  eventName: z.string(),
  eventTime: z.string(),
  dtActioned: z.string().nullable().describe('When a user marked the event resolved; null until then'),
  m3terEvent: m3terEventSchema,
});

const toEvent = (e: IntegrationEvent) => ({
  id: e.id,
  eventName: e.eventName,
  eventTime: iso(e.eventTime) ?? '',
  dtActioned: iso(e.dtActioned) ?? null,
  m3terEvent: {
    eventType: INTEGRATION_EVENT_TYPE,
    configId: e.configId,
    entityType: e.entityType,
    entityId: e.entityId,
    billId: e.entityId,
    accountId: e.accountId,
    runId: e.runId,
    reason: e.reason,
    details: e.details ?? {},
    actionedBy: e.actionedBy,
  } as const,
});


const optionalUuid = (what: string) => z.string().uuid({ message: `expected the ${what} (a UUID)` }).optional();

const listQuery = z.object({
  eventType: z.string().max(100).optional().describe(`Only ${INTEGRATION_EVENT_TYPE} has events here; any other type lists none`),
  eventName: z.string().max(200).optional().describe(`One of ${INTEGRATION_EVENT_NAMES.join(', ')}`),
  accountId: optionalUuid('account id'),
  resourceId: optionalUuid('bill id or integration config id').describe('Events about this bill or this integration config'),
  includeActioned: queryBoolean.describe('false leaves out events marked actioned (default true)'),
  ids: commaList.describe('Only these event ids (comma-joined)'),
  ...pageQuery(),
});

/** m3ter's events (list, get, the event types) plus our own: marking an event actioned. */
export function registerEventRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['events'];

  r.get('/organizations/:orgId/events', { schema: { tags, summary: 'List events, newest first', params: orgParams, querystring: listQuery, response: { 200: listEnvelope(eventSchema), ...errorResponses } } }, async (request) => {
    const q = request.query;
    const afterEventId = decodeKeysetToken('event', q.nextToken);
    if (q.eventType && q.eventType.toLowerCase() !== INTEGRATION_EVENT_TYPE.toLowerCase()) return { data: [] };
    if (q.eventName && !(INTEGRATION_EVENT_NAMES as readonly string[]).includes(q.eventName)) return { data: [] };
    // Ids that are not UUIDs can name no event.
    const ids = q.ids?.filter((id) => UUID.test(id));
    if (q.ids?.length && !ids?.length) return { data: [] };
    const pageSize = q.pageSize ?? 200;
    const rows = await listEvents(deps.db, orgOf(request), {
      eventName: q.eventName,
      accountId: q.accountId,
      resourceId: q.resourceId,
      includeActioned: q.includeActioned ?? true,
      ids,
      afterEventId,
      limit: pageSize + 1,
    });
    const data = rows.slice(0, pageSize);
    const last = data[data.length - 1];
    return rows.length > pageSize && last ? { data: data.map(toEvent), nextToken: encodeKeysetToken('event', last.id) } : { data: data.map(toEvent) };
  });

  r.get(
    '/organizations/:orgId/events/types',
    { schema: { tags, summary: 'The event names this service raises', params: orgParams, response: { 200: z.object({ events: z.array(z.string()) }), ...errorResponses } } },
    async () => ({ events: [...INTEGRATION_EVENT_NAMES] }),
  );

  r.get('/organizations/:orgId/events/:id', { schema: { tags, summary: 'One event', params: orgIdParams, response: { 200: eventSchema, ...errorResponses } } }, async (request) => {
    const event = await getEvent(deps.db, orgOf(request), request.params.id);
    if (!event) throw notFound(`event ${request.params.id}`);
    return toEvent(event);
  });

  const markActioned = async (request: FastifyRequest<{ Params: z.infer<typeof orgIdParams> }>) => {
    const event = await markEventActioned(deps.db, orgOf(request), request.params.id, 'api');
    if (!event) throw notFound(`event ${request.params.id}`);
    return toEvent(event);
  };
  const actionedSchema = {
    tags,
    summary: 'Mark an event actioned (resolved); our extension',
    description: 'm3ter has this action in its console only. Marking an actioned event again keeps the first time.',
    params: orgIdParams,
    response: { 200: eventSchema, ...errorResponses },
  };
  r.put('/organizations/:orgId/events/:id/actioned', { schema: actionedSchema }, markActioned);
  r.post('/organizations/:orgId/events/:id/actioned', { schema: { ...actionedSchema, hide: false } }, markActioned);
}
