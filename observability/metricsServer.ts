import Fastify, { type FastifyInstance } from 'fastify';

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * GET /metrics on a port of its own (METRICS_HOST:METRICS_PORT), apart from the API: publishing the
 * API (or putting it behind a proxy) never publishes the metrics, which only the operator's Prometheus
 * should read. Nothing else is served there.
 */
export async function startMetricsServer(options: { host: string; port: number; text: () => Promise<string> }): Promise<MetricsServer> {
  const app: FastifyInstance = Fastify();
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await options.text()));
  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `${urlBase(options.host, port)}/metrics`, close: () => app.close() };
}

/** How this process reaches a server listening on `host`: an any-address listener through loopback. */
export function urlBase(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
