import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors';

export interface RateLimitSettings {
  /** Requests per minute a client (an IP address; an IPv6 /64) may make to any route but /health. */
  perMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = { perMinute: 1200 };

/**
 * Wrong API secrets a client may send to POST /oauth/token in the window; after that even the right
 * secret is refused until the window ends. Counted per client address, not per API key: a count per
 * key would let anyone who knows a key id (it is not secret) lock its organization out, and a 256-bit
 * secret is not guessed by many addresses either. The limit is there against cheap guessing and
 * against spending the CPU of scrypt for whoever asks.
 */
export const TOKEN_FAILURES = { max: 10, timeWindowMs: 15 * 60_000 };

/**
 * Token requests an organization may send to one NetSuite account to check a credential (POST
 * …/netsuiteauth?verify=true and …/netsuiteauth/{id}/verify) in the window: enough to fix a typo,
 * too few to use this service to hammer someone else's NetSuite token endpoint.
 */
export const VERIFICATIONS = { max: 10, timeWindowMs: 15 * 60_000 };

/**
 * Rate limiting by @fastify/rate-limit, kept in each process's memory: a global limit per client on
 * route registered after this (so register it first) but /health, answered with 429, `Retry-After` and
 * m3ter's `{ message }`. Routes tighten it with `config.rateLimit` or `app.createRateLimit`.
 */
export async function registerRateLimits(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: settings.perMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => new ApiError(context.statusCode, `too many requests from this client: retry after ${Math.ceil(context.ttl / 1000)} s`),
  });
}

/** The failed-attempt counter of the token endpoint: `check` before verifying a secret, `fail` after a wrong one. */
export function tokenFailureLimit(app: FastifyInstance): { check(request: FastifyRequest): Promise<void>; fail(request: FastifyRequest): Promise<void> } {
  const limiter = app.createRateLimit({ max: TOKEN_FAILURES.max, timeWindow: TOKEN_FAILURES.timeWindowMs });
  return {
    async check(request) {
      const status = await limiter(request, { increment: false });
      if (status.isAllowed || status.remaining > 0) return;
      request.server.log.warn({ client: request.ip }, 'token endpoint: too many failed attempts');
      throw new ApiError(429, `too many failed authentication attempts from this client: retry after ${status.ttlInSeconds} s`, { retryAfterSeconds: status.ttlInSeconds });
    },
    async fail(request) {
      await limiter(request);
    },
  };
}

/**
 * The verification counter: `take` before each token request a verification sends to NetSuite, counted
 * per organization and NetSuite account however many credentials name it.
 */
export function verificationLimit(app: FastifyInstance): { take(request: FastifyRequest, organizationId: string, accountId: string): Promise<void> } {
  const keys = new WeakMap<FastifyRequest, string>();
  const limiter = app.createRateLimit({ max: VERIFICATIONS.max, timeWindow: VERIFICATIONS.timeWindowMs, keyGenerator: (request) => keys.get(request) ?? request.ip });
  return {
    async take(request, organizationId, accountId) {
      keys.set(request, `${organizationId}:${accountId}`);
      const status = await limiter(request);
      if (status.isAllowed || !status.isExceeded) return;
      throw new ApiError(429, `too many verifications of NetSuite account ${accountId}: retry after ${status.ttlInSeconds} s (${VERIFICATIONS.max} per ${VERIFICATIONS.timeWindowMs / 60_000} minutes)`, { retryAfterSeconds: status.ttlInSeconds });
    },
  };
}
