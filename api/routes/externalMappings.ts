import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getConfig } from '../../db/configs';
import type { Db } from '../../db/connect';
import { createMappingRow, deleteMapping, findDuplicateMapping, getMappingRow, listMappingRows, toMapping, updateMapping, type MappingQuery, type MappingRow } from '../../db/mappings';
import { orgOf } from '../auth';
import type { ApiDeps } from '../deps';
import { ApiError, notFound, VersionConflictError } from '../errors';
import { commaList, decodeNextToken, listEnvelope, page, pageQuery } from '../pagination';
import { commonFields, errorResponses, iso, orgIdParams, orgParams } from '../schemas';
import { refuseMirrored } from '../../usecases/ownership';
import { storedInteger } from '../../domain/storedInteger';

const TAGS = ['external mappings'];
const BASE = '/organizations/:orgId/externalmappings';

const required = (field: string, example: string) => z.string({ error: `${field} is required, e.g. ${example}` }).min(1, `${field} is required, e.g. ${example}`);

const mappingBody = z.object({
  externalSystem: required('externalSystem', 'Netsuite'),
  externalTable: required('externalTable', 'Customer or Item'),
  externalId: required('externalId', 'the internal id in NetSuite'),
  m3terEntity: required('m3terEntity', 'Account or Product'),
  m3terId: required('m3terId', 'the id of the m3ter entity'),
  integrationConfigId: z.string().uuid().nullish().describe('Set, the mapping applies to that integration only (and wins over unlinked mappings)'),
  version: storedInteger().optional().describe('Omitted on create; on update the stored version, else 409'),
});
type MappingBody = z.infer<typeof mappingBody>;

const mappingSchema = z.object({
  ...commonFields,
  externalSystem: z.string(),
  externalTable: z.string(),
  externalId: z.string(),
  m3terEntity: z.string(),
  m3terId: z.string(),
  integrationConfigId: z.string().nullish(),
});

const toResponse = (row: MappingRow): z.infer<typeof mappingSchema> => ({
  ...toMapping(row),
  version: row.version,
  dtCreated: iso(row.dtCreated),
  dtLastModified: iso(row.dtLastModified),
});

/** The mapping fields of a body, after checking its integration belongs to this organization and it duplicates nothing. */
async function checkedInput(db: Db, organizationId: string, body: MappingBody, exceptId?: string) {
  const { version: _version, ...input } = body;
  if (input.integrationConfigId && !(await getConfig(db, organizationId, input.integrationConfigId))) {
    throw new ApiError(400, `integrationConfigId: no integration configuration ${input.integrationConfigId} in this organization; omit it for a mapping that applies to every integration`);
  }
  const duplicate = await findDuplicateMapping(db, organizationId, input, exceptId);
  if (duplicate) {
    throw new ApiError(
      409,
      `external mapping ${duplicate.id} already maps ${input.m3terEntity} ${input.m3terId} to ${input.externalSystem} ${input.externalTable}${input.integrationConfigId ? ` for integration ${input.integrationConfigId}` : ''}; update that one instead`,
    );
  }
  return input;
}

/** m3ter's external mappings: which NetSuite record an m3ter account, product, … stands for. */
export function registerExternalMappingRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function list(organizationId: string, query: Omit<MappingQuery, 'offset' | 'limit'> & { pageSize?: number; nextToken?: string }) {
    const { pageSize = 200, nextToken, ...criteria } = query;
    const offset = decodeNextToken(nextToken);
    const rows = await listMappingRows(deps.db, organizationId, { ...criteria, offset, limit: pageSize + 1 });
    return page(rows.map(toResponse), offset, pageSize);
  }

  r.post(BASE, { schema: { tags: TAGS, summary: 'Create an external mapping', params: orgParams, body: mappingBody, response: { 200: mappingSchema, ...errorResponses } } }, async (request) => {
    const org = orgOf(request);
    return toResponse(await createMappingRow(deps.db, org, await checkedInput(deps.db, org, request.body)));
  });

  r.get(
    BASE,
    {
      schema: {
        tags: TAGS,
        summary: 'List external mappings',
        params: orgParams,
        querystring: z.object({
          externalSystemId: z.string().optional().describe('The external system, e.g. Netsuite'),
          integrationConfigId: z.string().uuid().optional(),
          m3terIds: commaList,
          ...pageQuery(),
        }),
        response: { 200: listEnvelope(mappingSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { externalSystemId, ...rest } = request.query;
      return list(orgOf(request), { externalSystem: externalSystemId, ...rest });
    },
  );

  r.get(
    `${BASE}/external/:entity/:m3terId`,
    {
      schema: {
        tags: TAGS,
        summary: 'The external mappings of an m3ter entity',
        params: z.object({ orgId: z.string().uuid(), entity: z.string().min(1), m3terId: z.string().min(1) }),
        querystring: z.object(pageQuery()),
        response: { 200: listEnvelope(mappingSchema), ...errorResponses },
      },
    },
    async (request) => list(orgOf(request), { m3terEntity: request.params.entity, m3terId: request.params.m3terId, ...request.query }),
  );

  r.get(
    `${BASE}/externalid/:system/:externalTable/:externalId`,
    {
      schema: {
        tags: TAGS,
        summary: 'The external mappings of an external entity',
        params: z.object({ orgId: z.string().uuid(), system: z.string().min(1), externalTable: z.string().min(1), externalId: z.string().min(1) }),
        querystring: z.object(pageQuery()),
        response: { 200: listEnvelope(mappingSchema), ...errorResponses },
      },
    },
    async (request) =>
      list(orgOf(request), { externalSystem: request.params.system, externalTable: request.params.externalTable, externalId: request.params.externalId, ...request.query }),
  );

  r.get(`${BASE}/:id`, { schema: { tags: TAGS, summary: 'Get an external mapping', params: orgIdParams, response: { 200: mappingSchema, ...errorResponses } } }, async (request) => {
    const row = await getMappingRow(deps.db, orgOf(request), request.params.id);
    if (!row) throw notFound(`external mapping ${request.params.id}`);
    return toResponse(row);
  });

  r.put(
    `${BASE}/:id`,
    { schema: { tags: TAGS, summary: 'Replace an external mapping', description: 'Full body; `version` must be the stored version.', params: orgIdParams, body: mappingBody, response: { 200: mappingSchema, ...errorResponses } } },
    async (request) => {
      const org = orgOf(request);
      if (!(await getMappingRow(deps.db, org, request.params.id))) throw notFound(`external mapping ${request.params.id}`);
      await refuseMirrored(deps.db, 'externalMapping', org, [request.params.id]);
      const input = await checkedInput(deps.db, org, request.body, request.params.id);
      const result = await updateMapping(deps.db, org, request.params.id, request.body.version, input);
      if (!result) throw notFound(`external mapping ${request.params.id}`);
      if (!result.ok) throw new VersionConflictError(request.body.version, result.storedVersion);
      return toResponse(result.row);
    },
  );

  r.delete(`${BASE}/:id`, { schema: { tags: TAGS, summary: 'Delete an external mapping', params: orgIdParams, response: { 200: mappingSchema, ...errorResponses } } }, async (request) => {
    await refuseMirrored(deps.db, 'externalMapping', orgOf(request), [request.params.id]);
    const row = await deleteMapping(deps.db, orgOf(request), request.params.id);
    if (!row) throw notFound(`external mapping ${request.params.id}`);
    return toResponse(row);
  });
}
