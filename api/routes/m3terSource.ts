import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getSource, NUDGE_MIN_INTERVAL_SECONDS, toSourceView, type SourceView } from '../../db/sources';
import { connectSource, disconnectSource, nudgeSource, testSource } from '../../usecases/sources';
import { actorOf, orgOf } from '../auth';
import type { ApiDeps } from '../deps';
import { BODY_LIMITS } from '../bodyLimits';
import { ApiError, notFound } from '../errors';
import { errorResponses, iso, messageSchema, orgParams } from '../schemas';
import { mirrorPassSummarySchema } from '../../domain/mirror';

const TAGS = ['m3ter source'];
const BASE = '/organizations/:orgId/m3tersource';

/** Tests of a source an organization may run in the window: each is a token request and a listing at m3ter. */
const TESTS = { max: 10, timeWindowMs: 15 * 60_000 };
/** Webhook calls one client may make in a minute, before any database work. */
const WEBHOOK_PER_MINUTE = 60;

const sourceBody = z.object({
  m3terOrgId: z.string().describe('The m3ter organization to mirror'),
  baseUrl: z.string().optional().describe('m3ter API base URL; https://api.m3ter.com by default. Must be one the operator allows (M3TER_ALLOWED_BASE_URLS).'),
  apiKey: z.string().describe("The service user's access key id"),
  apiSecret: z.string().describe("The service user's api secret: stored encrypted, never returned"),
  intervalSeconds: z.number().int().optional().describe('Seconds between mirror passes (default 300)'),
  windowDays: z.number().int().optional().describe('Bills dated this many days back and later are mirrored (default 90)'),
  pageSize: z.number().int().optional().describe('Items per m3ter page, 1–100 (default 100)'),
  integrationConfigLinks: z
    .record(z.string(), z.string())
    .optional()
    .describe('m3ter integration config id → local integration config id: a mapping linked to an m3ter integration is mirrored linked to the local one; linked to any other, it is not mirrored'),
});

/** A source as shown: never its secret. */
const sourceSchema = z.object({
  id: z.string(),
  m3terOrgId: z.string(),
  baseUrl: z.string(),
  apiKey: z.string(),
  intervalSeconds: z.number(),
  windowDays: z.number(),
  pageSize: z.number(),
  integrationConfigLinks: z.record(z.string(), z.string()),
  passesCompleted: z.number(),
  passInProgress: mirrorPassSummarySchema.nullable(),
  lastPass: mirrorPassSummarySchema.nullable(),
  dtLastPassCompleted: z.string().optional(),
  lastError: z.string().nullable(),
  version: z.number(),
  dtCreated: z.string().optional(),
});

const toResponse = (view: SourceView): z.infer<typeof sourceSchema> => ({ ...view, dtLastPassCompleted: iso(view.dtLastPassCompleted), dtCreated: iso(view.dtCreated) });

/**
 * Our extension: the organization's m3ter source, which the service mirrors bills, accounts and
 * external mappings from (connect, show, test, nudge, disconnect), and the webhook m3ter's
 * notifications call to make the next pass happen now.
 */
export function registerM3terSourceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tests = app.createRateLimit({ max: TESTS.max, timeWindow: TESTS.timeWindowMs, keyGenerator: (request) => `m3ter-test:${(request.params as { orgId?: string }).orgId ?? request.ip}` });

  r.put(
    BASE,
    {
      schema: {
        tags: TAGS,
        summary: 'Connect the m3ter source (or replace its settings)',
        description:
          'Stores the source, its secret encrypted, and starts its mirror: a pass now, then one every intervalSeconds. Reconnecting starts a new pass with the new settings; rows mirrored before stay mirrored. ' +
          'Bills, accounts and external mappings the mirror brings are read-only here (409): m3ter owns them.',
        params: orgParams,
        body: sourceBody,
        response: { 200: sourceSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { source } = await connectSource(deps.db, deps.cipher, orgOf(request), request.body, { actor: actorOf(request), allowedBaseUrls: deps.m3terAllowedBaseUrls });
      return toResponse(source);
    },
  );

  r.get(BASE, { schema: { tags: TAGS, summary: 'Show the m3ter source and its latest pass (never the secret)', params: orgParams, response: { 200: sourceSchema, ...errorResponses } } }, async (request) => {
    const row = await getSource(deps.db, orgOf(request));
    if (!row) throw notFound('m3ter source (PUT one first)');
    return toResponse(toSourceView(row));
  });

  r.post(
    `${BASE}/test`,
    {
      schema: {
        tags: TAGS,
        summary: 'Check that the source can read what the mirror reads: a token for the service user, then one item of its accounts, external mappings and bills',
        description: `Limited to ${TESTS.max} per ${TESTS.timeWindowMs / 60_000} minutes per organization. A refusal answers 400 with m3ter's reason.`,
        params: orgParams,
        response: { 200: messageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const status = await tests(request);
      if (!status.isAllowed && status.isExceeded) throw new ApiError(429, `too many source tests: retry after ${status.ttlInSeconds} s`, { retryAfterSeconds: status.ttlInSeconds });
      const row = await getSource(deps.db, orgOf(request));
      if (!row) throw notFound('m3ter source (PUT one first)');
      const result = await testSource(row, deps.cipher);
      if (!result.ok) throw new ApiError(400, result.message);
      return { message: result.message };
    },
  );

  r.post(
    `${BASE}/nudge`,
    { schema: { tags: TAGS, summary: 'Run a mirror pass now', params: orgParams, response: { 202: messageSchema, ...errorResponses } } },
    async (request, reply) => {
      // A user's own nudge always goes; none comes back only when there is no source.
      if (!(await nudgeSource(deps.db, orgOf(request), actorOf(request), { fromWebhook: false }))) throw notFound('m3ter source (PUT one first)');
      return reply.code(202).send({ message: 'a mirror pass starts now (after the one in progress, if any)' });
    },
  );

  r.delete(BASE, { schema: { tags: TAGS, summary: 'Disconnect the source: its mirror stops, mirrored rows stay and become local', params: orgParams, response: { 200: sourceSchema, ...errorResponses } } }, async (request) => {
    const result = await disconnectSource(deps.db, orgOf(request), actorOf(request));
    if (!result) throw notFound('m3ter source');
    return toResponse(result.source);
  });

  // Outside /organizations/: m3ter's webhook destination calls it without our bearer token. It never
  // reads the body and answers every well-formed call alike, known organization or not.
  r.post(
    '/webhooks/m3ter/:orgId',
    {
      bodyLimit: BODY_LIMITS.default,
      config: { rateLimit: { max: WEBHOOK_PER_MINUTE, timeWindow: 60_000 } },
      schema: {
        tags: TAGS,
        summary: "m3ter notification webhook: makes the source's next mirror pass happen now",
        description:
          `Point an m3ter webhook destination here and route billing.bill.created, billing.bill.updated and billing.bill.deleted to it. The payload is not trusted, nor read: the pass asks m3ter itself. ` +
          `At most one pass per ${NUDGE_MIN_INTERVAL_SECONDS} s per source results, whoever calls; a call sooner than that is deferred to the end of the ${NUDGE_MIN_INTERVAL_SECONDS} s, never dropped.`,
        params: orgParams,
        body: z.unknown().optional(),
        response: { 202: messageSchema, 400: messageSchema, 413: messageSchema, 429: messageSchema },
      },
    },
    async (request, reply) => {
      await nudgeSource(deps.db, request.params.orgId, 'm3ter-webhook', { fromWebhook: true });
      return reply.code(202).send({ message: 'accepted' });
    },
  );
}
