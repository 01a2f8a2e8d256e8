import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AccountHasBillsError,
  AccountVersionConflictError,
  deleteAccount,
  DuplicateAccountCodeError,
  getAccount,
  insertAccount,
  listAccounts,
  updateAccount,
} from '../../db/accounts';
import type { AccountRow } from '../../db/schema';
import { accountInputSchema, addressSchema } from '../../domain/account';
import type { Db } from '../../db/connect';
import { orgOf } from '../auth';
import { refuseNulCharacters } from './bills';
import type { ApiDeps } from '../deps';
import { ApiError, notFound, VersionConflictError } from '../errors';
import { commaList, decodeNextToken, listEnvelope, page, pageQuery } from '../pagination';
import { commonFields, errorResponses, iso, orgIdParams, orgParams } from '../schemas';
import { refuseMirrored } from '../../usecases/ownership';
import { storedInteger } from '../../domain/storedInteger';

const accountSchema = z.object({
  ...commonFields,
  code: z.string(),
  name: z.string(),
  emailAddress: z.string(),
  currency: z.string().optional(),
  customFields: z.record(z.string(), z.union([z.string(), z.number()])),
  address: addressSchema.optional(),
  parentAccountId: z.string().optional(),
  purchaseOrderNumber: z.string().optional(),
  daysBeforeBillDue: z.number().int().optional(),
});

/** m3ter's account body; `version` is ignored on create and required (the stored one) on update. */
const accountBody = accountInputSchema.extend({ version: storedInteger().min(1).optional() }).superRefine((account, ctx) => refuseNulCharacters(account, ctx));

const toAccount = (a: AccountRow) => ({
  id: a.id,
  version: a.version,
  code: a.code,
  name: a.name,
  emailAddress: a.emailAddress,
  currency: a.currency ?? undefined,
  customFields: a.customFields ?? {},
  address: a.address ?? undefined,
  parentAccountId: a.parentAccountId ?? undefined,
  purchaseOrderNumber: a.purchaseOrderNumber ?? undefined,
  daysBeforeBillDue: a.daysBeforeBillDue ?? undefined,
  dtCreated: iso(a.dtCreated),
  dtLastModified: iso(a.dtLastModified),
});

/** Domain errors of accounts, as the API answers them. */
function asApiError(error: unknown): unknown {
  if (error instanceof DuplicateAccountCodeError || error instanceof AccountHasBillsError) return new ApiError(409, error.message);
  if (error instanceof AccountVersionConflictError) return new VersionConflictError(error.expected, error.actual);
  return error;
}

async function checkParent(db: Db, organizationId: string, parentAccountId: string | undefined, self?: string): Promise<void> {
  if (!parentAccountId) return;
  if (parentAccountId === self) throw new ApiError(400, 'parentAccountId: an account cannot be its own parent');
  if (!(await getAccount(db, organizationId, parentAccountId))) throw new ApiError(400, `parentAccountId: no account ${parentAccountId} in this organization`);
}

/** m3ter's accounts: create, list (`ids`, `codes`), get, full update with optimistic locking, delete. */
export function registerAccountRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['accounts'];

  r.post(
    '/organizations/:orgId/accounts',
    { schema: { tags, summary: 'Create an account', params: orgParams, body: accountBody, response: { 200: accountSchema, ...errorResponses } } },
    async (request) => {
      const org = orgOf(request);
      const { version: _ignored, ...input } = request.body;
      await checkParent(deps.db, org, input.parentAccountId);
      try {
        return toAccount(await insertAccount(deps.db, org, input));
      } catch (error) {
        throw asApiError(error);
      }
    },
  );

  r.get(
    '/organizations/:orgId/accounts',
    {
      schema: {
        tags,
        summary: 'List accounts',
        params: orgParams,
        querystring: z.object({ ids: commaList, codes: commaList, ...pageQuery(100) }),
        response: { 200: listEnvelope(accountSchema), ...errorResponses },
      },
    },
    async (request) => {
      const offset = decodeNextToken(request.query.nextToken);
      const pageSize = request.query.pageSize ?? 100;
      const rows = await listAccounts(deps.db, orgOf(request), { ids: request.query.ids, codes: request.query.codes, offset, limit: pageSize + 1 });
      return page(rows.map(toAccount), offset, pageSize);
    },
  );

  r.get(
    '/organizations/:orgId/accounts/:id',
    { schema: { tags, summary: 'Retrieve an account', params: orgIdParams, response: { 200: accountSchema, ...errorResponses } } },
    async (request) => {
      const account = await getAccount(deps.db, orgOf(request), request.params.id);
      if (!account) throw notFound(`account ${request.params.id}`);
      return toAccount(account);
    },
  );

  r.put(
    '/organizations/:orgId/accounts/:id',
    {
      schema: {
        tags,
        summary: 'Update an account (full body; `version` must be the stored version)',
        params: orgIdParams,
        body: accountBody,
        response: { 200: accountSchema, ...errorResponses },
      },
    },
    async (request) => {
      const org = orgOf(request);
      const { version, ...input } = request.body;
      await refuseMirrored(deps.db, 'account', org, [request.params.id]);
      await checkParent(deps.db, org, input.parentAccountId, request.params.id);
      let account: AccountRow | undefined;
      try {
        account = await updateAccount(deps.db, org, request.params.id, input, version);
      } catch (error) {
        throw asApiError(error);
      }
      if (!account) throw notFound(`account ${request.params.id}`);
      return toAccount(account);
    },
  );

  r.delete(
    '/organizations/:orgId/accounts/:id',
    { schema: { tags, summary: 'Delete an account (refused while it has bills); returns it', params: orgIdParams, response: { 200: accountSchema, ...errorResponses } } },
    async (request) => {
      await refuseMirrored(deps.db, 'account', orgOf(request), [request.params.id]);
      let account: AccountRow | undefined;
      try {
        account = await deleteAccount(deps.db, orgOf(request), request.params.id);
      } catch (error) {
        throw asApiError(error);
      }
      if (!account) throw notFound(`account ${request.params.id}`);
      return toAccount(account);
    },
  );
}
