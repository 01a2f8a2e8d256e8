import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rerunIntegrationRun, RerunNotPossibleError } from '../../usecases/rerun';
import { getRunInOrg, latestRun, listRunsPage, type RunPageFilter } from '../../db/runs';
import type { IntegrationRun } from '../../db/schema';
import { isRunStatus, RUN_STATUSES } from '../../domain/runStatus';
import { BILL_ENTITY_TYPE, NETSUITE_DESTINATION } from '../../domain/configData';
import { actorOf, orgOf } from '../auth';
import type { ApiDeps } from '../deps';
import { ApiError, notFound } from '../errors';
import { commaList, decodeKeysetToken, encodeKeysetToken, listEnvelope, pageQuery } from '../pagination';
import { commonFields, errorResponses, iso, orgIdParams } from '../schemas';

/** m3ter's run statuses; ours adds SKIPPED (a bill the account filter leaves out). */

const runSchema = z.object({
  ...commonFields,
  entityType: z.string().describe('Always "Bill" here'),
  entityId: z.string().describe('The bill id'),
  entityVersion: z.number().int().nullable().describe('The bill version this run sent'),
  destination: z.string().describe('"Netsuite"'),
  destinationId: z.string().describe('The integration config id (this service has one destination per config)'),
  configId: z.string(),
  status: z.enum(RUN_STATUSES),
  trigger: z.string().describe('What started the run: calculated, approved, manual or rerun'),
  dtStarted: z.string().optional(),
  dtCompleted: z.string().nullable(),
  error: z.string().nullable(),
  externalId: z.string().nullable().describe('The invoice internal id in NetSuite'),
  url: z.string().nullable().describe("The invoice's record URL in NetSuite"),
  invoiceExternalId: z.string().nullable().describe('The externalId the invoice carries in NetSuite (stable per config and bill)'),
  parentIntegrationRunId: z.string().nullable().describe('The run this one re-ran'),
  workflowId: z.string(),
  workflowRunId: z.string(),
});

const runDetailSchema = runSchema.extend({
  decisions: z.array(z.object({ kind: z.string() }).passthrough()).describe('Why each invoice field and line is what it is'),
  invoiceBody: z.object({}).passthrough().nullable().describe('The invoice body sent to NetSuite'),
});

const toRun = (r: IntegrationRun) => ({
  id: r.id,
  version: r.version,
  dtCreated: iso(r.dtCreated),
  dtLastModified: iso(r.dtLastModified),
  entityType: r.entityType,
  entityId: r.entityId,
  entityVersion: r.entityVersion,
  destination: r.destination,
  destinationId: r.configId,
  configId: r.configId,
  status: r.status,
  trigger: r.trigger,
  dtStarted: iso(r.dtStarted),
  dtCompleted: iso(r.dtCompleted) ?? null,
  error: r.error,
  externalId: r.externalId,
  url: r.url,
  invoiceExternalId: r.invoiceExternalId,
  parentIntegrationRunId: r.parentIntegrationRunId,
  workflowId: r.workflowId,
  workflowRunId: r.workflowRunId,
});

const toRunDetail = (r: IntegrationRun) => ({
  ...toRun(r),
  decisions: r.decisions as unknown as Array<{ kind: string } & Record<string, unknown>>,
  invoiceBody: (r.invoiceBody as unknown as Record<string, unknown> | null) ?? null,
});

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A datetime or a date (a date means its midnight UTC). */
const dateTime = z
  .string()
  .refine((v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)), { message: 'expected an ISO-8601 date (YYYY-MM-DD) or datetime (YYYY-MM-DDThh:mm:ssZ)' })
  .transform((v) => new Date(v))
  .optional();

const listQuery = z.object({
  startDate: dateTime.describe('Runs started at or after this date/time'),
  endDate: dateTime.describe('Runs started before this date/time'),
  status: commaList.describe(`Only runs with this status (comma-join several): ${RUN_STATUSES.join(', ')}`),
  ...pageQuery(),
});

const entityParams = z.object({ orgId: z.string().uuid(), entityType: z.string().min(1).max(50), entityId: z.string().uuid() });

function statusesOf(status: string[] | undefined): string[] | undefined {
  if (!status?.length) return undefined;
  const unknown = status.filter((s) => !isRunStatus(s.toUpperCase()));
  if (unknown.length) throw new ApiError(400, `status: unknown status ${unknown.join(', ')}; use one of ${RUN_STATUSES.join(', ')}`);
  return status.map((s) => s.toUpperCase());
}

/** This service syncs bills to NetSuite only: other entity types and destinations have no runs. */
const isBill = (entityType: string) => entityType.toLowerCase() === BILL_ENTITY_TYPE.toLowerCase();
const isNetSuite = (destination: string | undefined) => destination === undefined || destination.toLowerCase() === NETSUITE_DESTINATION.toLowerCase();

async function runPage(deps: ApiDeps, organizationId: string, filter: Omit<RunPageFilter, 'limit' | 'afterRunId'>, query: { pageSize?: number; nextToken?: string }) {
  const pageSize = query.pageSize ?? 200;
  const afterRunId = decodeKeysetToken('run', query.nextToken);
  if ((filter.entityType !== undefined && !isBill(filter.entityType)) || !isNetSuite(filter.destination)) return { data: [] };
  const rows = await listRunsPage(deps.db, organizationId, { ...filter, limit: pageSize + 1, afterRunId });
  const data = rows.slice(0, pageSize);
  const last = data[data.length - 1];
  return rows.length > pageSize && last ? { data: data.map(toRun), nextToken: encodeKeysetToken('run', last.id) } : { data: data.map(toRun) };
}

/**
 * m3ter's integration runs (by entity, the latest of an entity, by destination) plus our own: one run
 * with its decisions and invoice body, and re-running a run.
 */
export function registerIntegrationRunRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['integration runs'];

  r.get(
    '/organizations/:orgId/integrationruns/destinations/:destinationId',
    {
      schema: {
        tags,
        summary: 'List the runs of one destination (here: one integration config)',
        params: z.object({ orgId: z.string().uuid(), destinationId: z.string().uuid().describe('The integration config id') }),
        querystring: listQuery.extend({
          destination: z.string().max(50).optional().describe('"Netsuite"'),
          order: z
            .string()
            .transform((v) => v.toUpperCase())
            .pipe(z.enum(['ASC', 'DESC']))
            .optional()
            .describe('By start time: ASC or DESC (default, newest first)'),
        }),
        response: { 200: listEnvelope(runSchema), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return runPage(deps, orgOf(request), { configId: request.params.destinationId, destination: q.destination, statuses: statusesOf(q.status), startedFrom: q.startDate, startedBefore: q.endDate, order: q.order === 'ASC' ? 'asc' : 'desc' }, q);
    },
  );

  r.get(
    '/organizations/:orgId/integrationruns/:entityType/latest/:entityId',
    { schema: { tags, summary: 'The latest run of an entity (a bill)', params: entityParams, response: { 200: runSchema, ...errorResponses } } },
    async (request) => {
      const { entityType, entityId } = request.params;
      const run = isBill(entityType) ? await latestRun(deps.db, orgOf(request), entityType, entityId) : undefined;
      if (!run) throw notFound(`integration run of ${entityType} ${entityId}`);
      return toRun(run);
    },
  );

  r.get(
    '/organizations/:orgId/integrationruns/:entityType/:entityId',
    { schema: { tags, summary: 'List the runs of an entity (a bill), newest first', params: entityParams, querystring: listQuery, response: { 200: listEnvelope(runSchema), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      return runPage(deps, orgOf(request), { entityType: request.params.entityType, billId: request.params.entityId, statuses: statusesOf(q.status), startedFrom: q.startDate, startedBefore: q.endDate }, q);
    },
  );

  r.get(
    '/organizations/:orgId/integrationruns/:id',
    { schema: { tags, summary: 'One run, with its decisions and the invoice body (our extension)', params: orgIdParams, response: { 200: runDetailSchema, ...errorResponses } } },
    async (request) => {
      const run = await getRunInOrg(deps.db, orgOf(request), request.params.id);
      if (!run) throw notFound(`integration run ${request.params.id}`);
      return toRunDetail(run);
    },
  );

  r.post(
    '/organizations/:orgId/integrationruns/:id/rerun',
    {
      schema: {
        tags,
        summary: "Sync the run's bill again (our extension)",
        description: "Starts a new run of the same integration config and bill, sending the bill as it is now; the new run's parentIntegrationRunId is this run. The invoice in NetSuite is updated, never duplicated.",
        params: orgIdParams,
        response: { 202: z.object({ workflowId: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      let started;
      try {
        started = await rerunIntegrationRun(deps.db, orgOf(request), request.params.id, actorOf(request));
      } catch (error) {
        if (error instanceof RerunNotPossibleError) throw new ApiError(409, error.message);
        throw error;
      }
      if (!started) throw notFound(`integration run ${request.params.id}`);
      return reply.code(202).send({ workflowId: started.workflowId });
    },
  );
}
