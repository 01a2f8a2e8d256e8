import Fastify, { type FastifyInstance } from 'fastify';

export interface ServerOptions {
  /** True once migrations ran and the worker polls; /health answers 503 until then. */
  isReady: () => boolean;
}

/** The HTTP side of the service: /health now; the m3ter-compatible API registers its routes here. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/health', async (_request, reply) => {
    if (!options.isReady()) return reply.code(503).send({ status: 'starting' });
    return { status: 'ok' };
  });
  return app;
}
