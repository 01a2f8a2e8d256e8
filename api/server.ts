import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { registerAuth } from './auth';
import { BODY_LIMITS, JsonTooCostlyError, jsonParseCost, MAX_PARSE_COST_BYTES, registerBodyAdmission } from './bodyLimits';
import { registerConsole } from './console';
import type { Readiness } from '../observability/readiness';
import type { ApiDeps } from './deps';
import { registerErrorHandler } from './errors';
import { DEFAULT_RATE_LIMITS, registerRateLimits, type RateLimitSettings } from './rateLimits';
import { registerRoutes } from './routes';

export interface ServerOptions {
  /** True once migrations ran and the worker polls; /health (liveness) answers 503 until then. */
  isReady: () => boolean;
  /** What GET /ready reports: the dependencies right now and the outbox backlog; absent, there is no /ready. */
  readiness?: () => Promise<Readiness>;
  /** The m3ter-compatible API, its documents and the console; absent in a worker-only process. */
  api?: () => ApiDeps | undefined;
  logger?: import('pino').Logger;
  /** Per-client request limits; DEFAULT_RATE_LIMITS when absent. */
  rateLimit?: RateLimitSettings;
}

/**
 * The HTTP side of the service: /health, and m3ter's API (same paths, fields, envelopes and
 * authentication, so m3ter's own SDKs work with only a base-URL change), documented at /openapi.json
 * and /docs from the same zod schemas that validate requests.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: BODY_LIMITS.default }) as unknown as FastifyInstance;
  // m3ter's SDKs send Content-Type: application/json on every request, also body-less DELETEs and
  // POSTs such as /enable; an empty body is then no body, not a parse error.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    // Refused before parsing: within its size limit a body can still parse into far more objects than the heap holds.
    if (jsonParseCost(bytes) > MAX_PARSE_COST_BYTES) return done(new JsonTooCostlyError(), undefined);
    const text = bytes.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });
  registerBodyAdmission(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  // First, so that every route registered after it is limited.
  await registerRateLimits(app, options.rateLimit ?? DEFAULT_RATE_LIMITS);

  // Liveness: the process is up and started; cheap, so a supervisor (and probes) can ask it often. It
  // says nothing about tenants. (/metrics has its own port: observability/metricsServer.ts.)
  app.get('/health', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
    if (!options.isReady()) return reply.code(503).send({ status: 'starting' });
    return { status: 'ok' };
  });
  // Readiness: can this process do its job now? 503 says which dependency is missing.
  const readiness = options.readiness;
  if (readiness) {
    app.get('/ready', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
      if (!options.isReady()) return reply.code(503).send({ status: 'starting' });
      const report = await readiness();
      return reply.code(report.status === 'unavailable' ? 503 : 200).send(report);
    });
  }

  // Without the API (a SERVICE_ROLE=worker process) there is nothing to document or to click through.
  const deps = options.api?.();
  if (deps) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'm3ter → NetSuite bill sync', version: '0.1.0', description: "m3ter's API for NetSuite integrations, bills and their runs. Authenticate with POST /oauth/token (Basic apiKey:apiSecret)." },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, basic: { type: 'http', scheme: 'basic' } } },
        security: [{ bearer: [] }],
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    await registerConsole(app);
    registerAuth(app, deps);
    registerRoutes(app, deps);
  }
  return app;
}
