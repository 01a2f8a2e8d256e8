import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkCredentialInput, createCredential, decodePrivateKey, deleteCredential, getCredentialRow, listCredentials, markTokenObtained, toCredentialView, type CredentialInput, type CredentialView } from '../../db/credentials';
import { NetSuiteAuthError, NetSuiteError } from '../../netsuite/errors';
import { orgOf } from '../auth';
import type { ApiDeps } from '../deps';
import { ApiError, notFound } from '../errors';
import { verificationLimit } from '../rateLimits';
import { decodeNextToken, listEnvelope, page, pageQuery } from '../pagination';
import { errorResponses, iso, messageSchema, orgIdParams, orgParams } from '../schemas';

const TAGS = ['NetSuite credentials'];
const BASE = '/organizations/:orgId/integrationauth/Netsuite/netsuiteauth';

/** The body of the guide's "Configuring m3ter Using Command Line". */
const credentialBody = z.object({
  type: z.literal('NETSUITE_AUTH').optional(),
  name: z.string().optional(),
  accountId: z.string({ error: 'accountId is required: your NetSuite account id, e.g. 1234567 or 1234567_SB1' }).min(1, 'accountId is required: your NetSuite account id, e.g. 1234567 or 1234567_SB1'),
  certificateId: z.string({ error: 'certificateId is required: the Certificate ID shown on the M2M Setup page' }).min(1, 'certificateId is required: the Certificate ID shown on the M2M Setup page'),
  clientId: z.string({ error: 'clientId is required: the Client ID shown when the integration record was saved' }).min(1, 'clientId is required: the Client ID shown when the integration record was saved'),
  privateKey: z
    .string({ error: 'privateKey is required: the base64 of the private key PEM file (base64 -i m3ter-key.pem)' })
    .min(1, 'privateKey is required: the base64 of the private key PEM file (base64 -i m3ter-key.pem)')
    .describe('The base64 of the private key PEM file (`base64 -i m3ter-key.pem`); the PEM text itself is accepted too. Never returned.'),
  concurrencyLimit: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe("Our extension: NetSuite requests this service may have in flight at once on the account (default 5). NetSuite's limit is per account and shared with your other integrations: leave them room."),
});

/** Everything about a credential except the key, which never leaves the database. */
const credentialSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  accountId: z.string(),
  clientId: z.string(),
  certificateId: z.string(),
  keyFingerprint: z.string().describe('SHA-256 of the public key: identifies the key without revealing it'),
  keyType: z.string(),
  concurrencyLimit: z.number().int(),
  version: z.number().int(),
  dtCreated: z.string().optional(),
});

const toCredential = (view: CredentialView): z.infer<typeof credentialSchema> => ({
  id: view.id,
  name: view.name,
  accountId: view.accountId,
  clientId: view.clientId,
  certificateId: view.certificateId,
  keyFingerprint: view.keyFingerprint,
  keyType: view.keyType,
  concurrencyLimit: view.concurrencyLimit,
  version: view.version,
  dtCreated: iso(view.dtCreated),
});

/**
 * NetSuite credentials, as m3ter's guide creates them. Validated on save (account id form, key type and
 * size); with `?verify=true` also used once against NetSuite's token endpoint. Not editable once created.
 */
export function registerCredentialRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Each verification is a token request to NetSuite, for an account nobody here has proved to hold yet.
  const verifications = verificationLimit(app);

  r.post(
    BASE,
    {
      schema: {
        tags: TAGS,
        summary: 'Create a NetSuite credential',
        description:
          "With `verify=true`, signs a client assertion and fetches an access token first; a refusal answers 400 with NetSuite's reason and stores nothing. " +
          "concurrencyLimit counts for the account only once NetSuite has issued a token for the credential (here, or at its first sync). Verifications are limited as for /verify.",
        params: orgParams,
        querystring: z.object({ verify: z.enum(['true', 'false']).optional().transform((v) => v === 'true') }),
        body: credentialBody,
        response: { 200: credentialSchema, ...errorResponses, 502: messageSchema },
      },
    },
    async (request) => {
      const org = orgOf(request);
      const { privateKey, type: _type, ...fields } = request.body;
      const input: CredentialInput = { ...fields, privateKeyPem: decodePrivateKey(privateKey) };
      const checked = checkCredentialInput(input);
      if (request.query.verify) {
        await verifications.take(request, org, checked.account.account);
        await verify(deps, checked.account.account, checked.certificateId, checked.clientId, input.privateKeyPem);
      }
      return toCredential(await createCredential(deps.db, deps.cipher, org, input, { tokenObtained: request.query.verify }));
    },
  );

  r.get(BASE, { schema: { tags: TAGS, summary: 'List NetSuite credentials (never the key)', params: orgParams, querystring: z.object(pageQuery()), response: { 200: listEnvelope(credentialSchema), ...errorResponses } } }, async (request) => {
    const offset = decodeNextToken(request.query.nextToken);
    const pageSize = request.query.pageSize ?? 200;
    const views = await listCredentials(deps.db, orgOf(request), { offset, limit: pageSize + 1 });
    return page(views.map(toCredential), offset, pageSize);
  });

  r.get(`${BASE}/:id`, { schema: { tags: TAGS, summary: 'Get a NetSuite credential (never the key)', params: orgIdParams, response: { 200: credentialSchema, ...errorResponses } } }, async (request) => {
    const row = await getCredentialRow(deps.db, orgOf(request), request.params.id);
    if (!row) throw notFound(`NetSuite credential ${request.params.id}`);
    return toCredential(toCredentialView(row));
  });

  r.post(
    `${BASE}/:id/verify`,
    {
      schema: {
        tags: TAGS,
        summary: 'Verify a stored NetSuite credential (our extension)',
        description:
          "Signs a client assertion with the stored key and fetches an access token from NetSuite; a refusal answers 400 with NetSuite's reason. Success records that the credential " +
          "obtained a token, so its concurrencyLimit counts for its account. An organization may verify 10 times per NetSuite account in 15 minutes (429 with Retry-After after that).",
        params: orgIdParams,
        response: { 200: z.object({ verified: z.literal(true), message: z.string() }), ...errorResponses, 502: messageSchema },
      },
    },
    async (request) => {
      const org = orgOf(request);
      const row = await getCredentialRow(deps.db, org, request.params.id);
      if (!row) throw notFound(`NetSuite credential ${request.params.id}`);
      await verifications.take(request, org, row.accountId);
      await verify(deps, row.accountId, row.certificateId, row.clientId, deps.cipher.decrypt(row.privateKeyEncrypted));
      await markTokenObtained(deps.db, row.id);
      return { verified: true as const, message: `NetSuite issued an access token for account ${row.accountId} with this credential` };
    },
  );

  r.delete(
    `${BASE}/:id`,
    { schema: { tags: TAGS, summary: 'Delete a NetSuite credential no integration configuration uses', params: orgIdParams, response: { 200: credentialSchema, ...errorResponses } } },
    async (request) => {
      const result = await deleteCredential(deps.db, orgOf(request), request.params.id);
      if (!result) throw notFound(`NetSuite credential ${request.params.id}`);
      if ('inUseBy' in result) {
        // Named as the console and m3ter show integrations, with their ids for API users.
        const configs = result.inUseBy;
        const names = configs.map((c) => `"${c.name}" (${c.id})`).join(', ');
        throw new ApiError(
          409,
          `This credential is in use by the integration${configs.length === 1 ? '' : 's'} ${names}. Connect ${configs.length === 1 ? 'it' : 'them'} to another credential, or disconnect ${configs.length === 1 ? 'it' : 'them'} (integrationCredentialsId null), before deleting this credential.`,
        );
      }
      return toCredential(result.deleted);
    },
  );
}

/** One real token request: proves the account, client id, certificate id and key fit together. */
async function verify(deps: ApiDeps, accountId: string, certificateId: string, clientId: string, privateKeyPem: string): Promise<void> {
  try {
    await deps.netsuite.requestTokenWithKey({ accountId, certificateId, clientId, privateKeyPem });
  } catch (error) {
    if (error instanceof NetSuiteAuthError) throw new ApiError(400, error.message);
    if (error instanceof NetSuiteError) throw new ApiError(502, `could not verify the credential, nothing was stored: ${error.message}; try again later, or save without verify=true`);
    throw error;
  }
}
