import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { authenticateApiKey } from '../db/organizations';
import type { ApiDeps } from './deps';
import { BODY_LIMITS } from './bodyLimits';
import { ApiError } from './errors';
import { tokenFailureLimit } from './rateLimits';

declare module 'fastify' {
  interface FastifyRequest {
    /** The organization the bearer token belongs to; set by the auth hook. */
    orgId?: string;
    /** The API key the token was issued to, recorded as who did what (e.g. approvedBy). */
    apiKeyId?: string;
  }
}

/** A 32-byte HMAC key for API tokens, derived from the credentials key so there is nothing new to manage. */
export function deriveTokenKey(credentialsKey: Buffer): Uint8Array {
  return new Uint8Array(crypto.hkdfSync('sha256', credentialsKey, Buffer.alloc(0), 'm3ter-netsuite-sync api tokens', 32));
}

const tokenResponse = z.object({ access_token: z.string(), expires_in: z.number(), token_type: z.literal('bearer') });

/**
 * m3ter's authentication: `POST /oauth/token` with Basic apiKey:apiSecret gives an expiring bearer
 * token; every route under /organizations/{orgId} needs one for that organization. Tokens are signed,
 * not stored, so issuing one is cheap (m3ter's Python SDK asks for a new token before every call).
 * Verified secrets are remembered briefly so that cheapness survives scrypt.
 */
export function registerAuth(app: FastifyInstance, deps: ApiDeps): void {
  const verified = new Map<string, { orgId: string; until: number }>();
  const failures = tokenFailureLimit(app);

  app.withTypeProvider<ZodTypeProvider>().post(
    '/oauth/token',
    {
      bodyLimit: BODY_LIMITS.token,
      schema: {
        tags: ['authentication'],
        summary: 'Get a bearer token for an API key',
        description: 'HTTP Basic authentication with apiKey:apiSecret; body `{"grant_type": "client_credentials"}`.',
        body: z.object({ grant_type: z.literal('client_credentials').optional() }).passthrough().nullish(),
        response: { 200: tokenResponse, 400: z.object({ message: z.string() }), 401: z.object({ message: z.string() }), 429: z.object({ message: z.string() }) },
        security: [{ basic: [] }],
      },
    },
    async (request) => {
      // Before anything else, the right secret included: after too many wrong ones a client learns nothing more.
      await failures.check(request);
      const [apiKey, apiSecret] = basicCredentials(request);
      const cacheKey = crypto.createHash('sha256').update(`${apiKey}:${apiSecret}`).digest('hex');
      const cached = verified.get(cacheKey);
      let orgId = cached && cached.until > Date.now() ? cached.orgId : undefined;
      if (!orgId) {
        orgId = await authenticateApiKey(deps.db, apiKey, apiSecret);
        if (!orgId) {
          await failures.fail(request);
          throw new ApiError(401, 'invalid API key or secret: use the apiKey and apiSecret printed by `org create`');
        }
        verified.set(cacheKey, { orgId, until: Date.now() + 60_000 });
      }
      const token = await new SignJWT({ org: orgId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(apiKey)
        .setIssuedAt()
        .setExpirationTime(`${deps.tokenTtlSeconds}s`)
        .sign(deps.tokenKey);
      return { access_token: token, expires_in: deps.tokenTtlSeconds, token_type: 'bearer' as const };
    },
  );

  app.addHook('onRequest', async (request) => {
    // Decided on the route the router matched, after it decoded the path, never on the raw URL:
    // `/%6Frganizations/…` reaches the same handler as `/organizations/…`. A path that matches no
    // route goes on to its 404.
    const route = request.routeOptions.url;
    if (!route?.startsWith('/organizations/')) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1]) throw new ApiError(401, 'missing bearer token: POST /oauth/token with your API key first');
    let org: string;
    try {
      const { payload } = await jwtVerify(match[1], deps.tokenKey, { algorithms: ['HS256'] });
      org = String(payload.org);
      request.apiKeyId = payload.sub;
    } catch {
      throw new ApiError(401, 'invalid or expired bearer token: POST /oauth/token for a new one');
    }
    // The router's decoded parameter, the same value the handler will use.
    const pathOrg = (request.params as { orgId?: unknown } | undefined)?.orgId;
    // Another organization's path answers as if it did not exist.
    if (pathOrg !== org) throw new ApiError(404, `organization ${String(pathOrg)} not found`);
    request.orgId = org;
  });
}

function basicCredentials(request: FastifyRequest): [string, string] {
  const match = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '');
  if (!match?.[1]) throw new ApiError(401, 'missing Basic authentication: send Authorization: Basic base64(apiKey:apiSecret)');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new ApiError(401, 'malformed Basic authentication: expected base64(apiKey:apiSecret)');
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/** Who acts in an authenticated request: its API key, as m3ter records service users. */
export function actorOf(request: FastifyRequest): string {
  return `apiKey:${request.apiKeyId ?? 'unknown'}`;
}

/** The organization of an authenticated request (routes run after the auth hook). */
export function orgOf(request: FastifyRequest): string {
  if (!request.orgId) throw new ApiError(401, 'not authenticated');
  return request.orgId;
}
