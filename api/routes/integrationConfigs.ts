import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PlanSubjectMissingError } from '../../usecases/syncPlan';
import { deleteAndStop, enableAndReset, updateAndWake } from '../../usecases/configs';
import { previewBill } from '../../usecases/preview';
import { checkConfigWithNetSuite, ConfigNotFoundError } from '../../usecases/configCheck';
import { accountFilterWarnings, configWarnings, tryAccountFilter } from '../../usecases/configWarnings';
import { findAccount, toAccountView } from '../../db/accounts';
import { createConfig, findConfigForEntity, getConfig, listConfigs } from '../../db/configs';
import type { IntegrationConfigRow } from '../../db/schema';
import { AccountFilterSyntaxError, parseAccountFilter } from '../../domain/accountFilter';
import { configDataSchema } from '../../domain/configData';
import { actorOf, orgOf } from '../auth';
import type { ApiDeps } from '../deps';
import { ApiError, notFound, VersionConflictError } from '../errors';
import { decodeNextToken, listEnvelope, page, pageQuery } from '../pagination';
import { commonFields, errorResponses, iso, orgIdParams, orgParams } from '../schemas';
import { storedInteger } from '../../domain/storedInteger';

const TAGS = ['integration configurations'];

/** m3ter's SDKs require the field, so an empty string stands for "no credential" too. */
const credentialIdInput = z
  .union([z.string().uuid(), z.literal('')])
  .nullish()
  .transform((v) => (v === '' ? null : v))
  .describe('The NetSuite credential (integrationauth/Netsuite/netsuiteauth) to use; null disconnects it, omitted on update keeps it');

const configBody = z.object({
  destination: z.string({ error: 'destination is required: "Netsuite"' }).min(1).describe('"Netsuite"'),
  entityType: z.string({ error: 'entityType is required: "Bill"' }).min(1).describe('"Bill"'),
  name: z.string({ error: 'name is required: it tells integrations for the same system apart' }).min(1, 'name is required: it tells integrations for the same system apart'),
  configData: configDataSchema.prefault({} as z.input<typeof configDataSchema>).describe('The settings of the NetSuite integration; every key but netsuiteDefaultItemId has a default'),
  integrationCredentialsId: credentialIdInput,
  credentials: z
    .object({ type: z.string().optional(), destination: z.string().optional(), name: z.string().optional(), empty: z.boolean().optional() })
    .passthrough()
    .nullish()
    .describe("m3ter's credentials object: accepted and ignored; connect a credential with integrationCredentialsId"),
  destinationId: z.string().nullish(),
  entityId: z.string().nullish(),
  version: storedInteger().optional().describe('Omitted on create; on update the stored version, else 409'),
});
type ConfigBody = z.infer<typeof configBody>;

const configSchema = z.object({
  ...commonFields,
  destination: z.string(),
  entityType: z.string(),
  name: z.string(),
  configData: configDataSchema,
  integrationCredentialsId: z.string().nullish(),
  destinationId: z.string().nullish(),
  entityId: z.string().nullish(),
  enabled: z.boolean(),
  /** Our extension: why the config was disabled (e.g. after successive errors). */
  disabledReason: z.string().nullish(),
  authorized: z.boolean().describe('True while a NetSuite credential is connected'),
  triggerType: z.enum(['EVENT', 'SCHEDULE']),
  warnings: z.array(z.string()).optional().describe('Our extension: settings that are valid but almost certainly a mistake (an item name instead of an internal id, an account filter on a field no account has)'),
});

function toConfig(row: IntegrationConfigRow, parsed = configDataSchema.safeParse(row.configData)): z.infer<typeof configSchema> {
  return {
    id: row.id,
    version: row.version,
    dtCreated: iso(row.dtCreated),
    dtLastModified: iso(row.dtLastModified),
    createdBy: row.createdBy,
    lastModifiedBy: row.lastModifiedBy,
    destination: row.destination,
    entityType: row.entityType,
    name: row.name,
    configData: (parsed.success ? parsed.data : row.configData) as z.infer<typeof configDataSchema>,
    integrationCredentialsId: row.integrationCredentialsId,
    destinationId: row.destinationId,
    entityId: row.entityId,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    authorized: row.integrationCredentialsId !== null,
    triggerType: 'EVENT',
  };
}

function toInput(body: ConfigBody) {
  return {
    name: body.name,
    destination: body.destination,
    entityType: body.entityType,
    configData: body.configData,
    integrationCredentialsId: body.integrationCredentialsId,
    destinationId: body.destinationId,
    entityId: body.entityId,
  };
}

const previewSchema = z.object({
  configId: z.string(),
  billId: z.string(),
  billVersion: z.number().int(),
  outcome: z.enum(['SEND', 'SKIP', 'WAIT', 'DISABLED', 'ERROR']).describe('What a real sync would do now'),
  filters: z.array(z.object({ filter: z.string(), passed: z.boolean(), reason: z.string() })),
  invoice: z.record(z.string(), z.unknown()).optional().describe('The exact body of PUT invoice/eid:{externalId}, also when a filter would stop the send'),
  decisions: z.array(z.record(z.string(), z.unknown())),
  error: z.string().optional(),
});

const accountFilterCheckSchema = z.object({
  valid: z.boolean(),
  message: z.string().optional().describe("The parser's message: the position of the mistake and what was expected"),
  position: z.number().int().optional().describe('1-based character position of the mistake'),
  warnings: z.array(z.string()).describe('Fields the expression compares that no account of the organization has'),
  verdict: z.object({ accountId: z.string(), passes: z.boolean(), message: z.string() }).optional().describe('With accountId: what the filter says of that account'),
});

const found = z.enum(['found', 'missing', 'unchecked']);
const checkSchema = z.object({
  configId: z.string(),
  netsuiteAccountId: z.string().optional(),
  connection: z.object({ ok: z.boolean(), message: z.string() }),
  items: z.array(z.object({ setting: z.string(), itemId: z.string(), status: found, name: z.string().optional() })),
  customFields: z.array(z.object({ setting: z.string(), scriptId: z.string(), status: found })),
  customers: z.array(
    z.object({
      account: z.string(),
      accountId: z.string().optional(),
      accountName: z.string().optional(),
      reference: z.union([z.object({ externalId: z.string() }), z.object({ id: z.string() })]).optional(),
      status: found,
      internalId: z.string().optional(),
      name: z.string().optional(),
    }),
  ),
  problems: z.array(z.string()).describe('One sentence per thing a bill would fail on, naming it and the fix'),
  ok: z.boolean(),
});

/**
 * m3ter's integration configurations (create, list, get, replace, delete, enable, look-up by entity),
 * plus our dry run: `GET …/integrationconfigs/{id}/preview/{billId}`, and the account-filter check the
 * console runs as you type.
 */
export function registerIntegrationConfigRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = '/organizations/:orgId/integrationconfigs';

  /** A config as one resource shows it: with what is valid but almost certainly a mistake in it. */
  const withWarnings = async (organizationId: string, row: IntegrationConfigRow) => {
    const parsed = configDataSchema.safeParse(row.configData);
    const config = toConfig(row, parsed);
    return parsed.success ? { ...config, warnings: await configWarnings(deps.db, organizationId, parsed.data) } : config;
  };

  r.post(base, { schema: { tags: TAGS, summary: 'Create an integration configuration', params: orgParams, body: configBody, response: { 200: configSchema, ...errorResponses } } }, async (request) =>
    withWarnings(orgOf(request), await createConfig(deps.db, orgOf(request), toInput(request.body))),
  );

  r.get(
    base,
    { schema: { tags: TAGS, summary: 'List integration configurations', params: orgParams, querystring: z.object({ destinationId: z.string().optional(), ...pageQuery() }), response: { 200: listEnvelope(configSchema), ...errorResponses } } },
    async (request) => {
      const offset = decodeNextToken(request.query.nextToken);
      const pageSize = request.query.pageSize ?? 200;
      const rows = await listConfigs(deps.db, orgOf(request), { destinationId: request.query.destinationId, offset, limit: pageSize + 1 });
      return page(rows.map((row) => toConfig(row)), offset, pageSize);
    },
  );

  r.post(
    `${base}/accountfilter/check`,
    {
      schema: {
        tags: TAGS,
        summary: 'Check an account filter expression (our extension)',
        description: 'Parses `accountFilter` exactly as saving a config would; an empty expression is valid (every account). Nothing is stored.',
        params: orgParams,
        body: z.object({
          accountFilter: z.string({ error: 'accountFilter is required: the expression to check, e.g. customFields.country == UK' }),
          accountId: z.string().min(1).optional().describe('An account (id or code) to try the expression on'),
        }),
        response: { 200: accountFilterCheckSchema, ...errorResponses },
      },
    },
    async (request) => {
      const org = orgOf(request);
      const { accountFilter, accountId } = request.body;
      try {
        parseAccountFilter(accountFilter);
      } catch (error) {
        if (!(error instanceof AccountFilterSyntaxError)) throw error;
        return { valid: false, message: error.message, position: error.position + 1, warnings: [] };
      }
      const warnings = await accountFilterWarnings(deps.db, org, accountFilter);
      if (accountId === undefined) return { valid: true, warnings };
      const account = await findAccount(deps.db, org, accountId);
      if (!account) throw new ApiError(404, `accountId: no account ${accountId} in this organization; give an account id or code`);
      return { valid: true, warnings, verdict: { accountId: account.id, ...tryAccountFilter(accountFilter, toAccountView(account)) } };
    },
  );

  r.get(
    `${base}/entity/:entityType`,
    {
      schema: {
        tags: TAGS,
        summary: 'The integration configuration of an entity type',
        params: z.object({ orgId: z.string().uuid(), entityType: z.string().min(1) }),
        querystring: z.object({ destination: z.string().optional(), destinationId: z.string().optional(), entityId: z.string().optional() }),
        response: { 200: configSchema, ...errorResponses },
      },
    },
    async (request) => {
      const row = await findConfigForEntity(deps.db, orgOf(request), { entityType: request.params.entityType, ...request.query });
      if (!row) throw notFound(`integration configuration for entityType ${request.params.entityType}`);
      return toConfig(row);
    },
  );

  r.get(`${base}/:id`, { schema: { tags: TAGS, summary: 'Get an integration configuration', params: orgIdParams, response: { 200: configSchema, ...errorResponses } } }, async (request) => {
    const row = await getConfig(deps.db, orgOf(request), request.params.id);
    if (!row) throw notFound(`integration configuration ${request.params.id}`);
    return withWarnings(orgOf(request), row);
  });

  r.put(
    `${base}/:id`,
    {
      schema: {
        tags: TAGS,
        summary: 'Replace an integration configuration',
        description: 'Full body; `version` must be the stored version. `integrationCredentialsId` connects, switches or (null) disconnects a credential; omitted fields keep their value.',
        params: orgIdParams,
        body: configBody,
        response: { 200: configSchema, ...errorResponses },
      },
    },
    async (request) => {
      const updated = await updateAndWake(deps.db, orgOf(request), request.params.id, request.body.version, toInput(request.body), actorOf(request));
      if (!updated) throw notFound(`integration configuration ${request.params.id}`);
      if (!updated.result.ok) throw new VersionConflictError(request.body.version, updated.result.storedVersion);
      return withWarnings(orgOf(request), updated.result.row);
    },
  );

  r.delete(
    `${base}/:id`,
    { schema: { tags: TAGS, summary: 'Delete an integration configuration (its runs, events and linked mappings too)', params: orgIdParams, response: { 200: configSchema, ...errorResponses } } },
    async (request) => {
      const deleted = await deleteAndStop(deps.db, orgOf(request), request.params.id, actorOf(request));
      if (!deleted) throw notFound(`integration configuration ${request.params.id}`);
      return toConfig(deleted.config);
    },
  );

  r.post(
    `${base}/:id/enable`,
    { schema: { tags: TAGS, summary: 'Re-enable a disabled integration configuration', description: 'Also restarts its count of successive errors from zero, and hands over again the bills it held back while disabled (their latest run DISABLED).', params: orgIdParams, response: { 200: configSchema, ...errorResponses } } },
    async (request) => {
      const enabled = await enableAndReset(deps.db, orgOf(request), request.params.id, actorOf(request));
      if (!enabled) throw notFound(`integration configuration ${request.params.id}`);
      return toConfig(enabled.config);
    },
  );

  r.post(
    `${base}/:id/check`,
    {
      schema: {
        tags: TAGS,
        summary: 'Check with NetSuite (our extension): does everything the invoices reference exist there?',
        description:
          'Authenticates with the connected credential, then looks up every configured item id, the transaction column fields and, for the given accounts (ids or codes), their NetSuite customers. Each missing one is named in `problems`. Reads only.',
        params: orgIdParams,
        body: z.object({ accounts: z.array(z.string().min(1)).max(100).optional().describe('Accounts (ids or codes) whose NetSuite customer to look up') }).nullish(),
        response: { 200: checkSchema, ...errorResponses },
      },
    },
    async (request) => {
      try {
        return await checkConfigWithNetSuite(deps, orgOf(request), request.params.id, { accounts: request.body?.accounts });
      } catch (error) {
        if (error instanceof ConfigNotFoundError) throw notFound(`integration configuration ${request.params.id}`);
        throw error;
      }
    },
  );

  r.get(
    `${base}/:id/preview/:billId`,
    {
      schema: {
        tags: TAGS,
        summary: 'Dry run (our extension): what a sync of this bill would do now',
        description: "Every filter's verdict, the exact invoice body and every decision; nothing is sent to NetSuite and nothing is recorded.",
        params: z.object({ orgId: z.string().uuid(), id: z.string().uuid(), billId: z.string().uuid() }),
        response: { 200: previewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const org = orgOf(request);
      if (!(await getConfig(deps.db, org, request.params.id))) throw notFound(`integration configuration ${request.params.id}`);
      try {
        const preview = await previewBill(deps.db, org, request.params.id, request.params.billId);
        return preview as unknown as z.infer<typeof previewSchema>;
      } catch (error) {
        if (error instanceof PlanSubjectMissingError) throw notFound(error.message.replace(/ does not exist.*$/, ''));
        throw error;
      }
    },
  );
}
