import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ADMIN_PREFIX, isAdminError, registerAdminRoutes, sendAdminError } from './admin';
import { registerAccountingAdminRoutes } from './adminAccounting';
import { AdminClient } from './adminClient';
import { normaliseAccountId } from './accountId';
import { type EmulatorContext, accountBaseUrl, tokenUrl } from './context';
import { registerCustomerRoutes } from './customers';
import { restError } from './errors';
import { errorOutcome, send } from './pipeline';
import { registerRecordRoutes } from './records';
import { registerSuiteQlRoutes } from './suiteql';
import { EmulatorState } from './state';
import { registerTokenEndpoint } from './tokenEndpoint';
import { registerUiPages } from './uiPages';

/**
 * A strict stand-in for NetSuite's OAuth 2.0 M2M token endpoint, its REST invoice, credit memo and customer
 * records, and the UI pages of invoices and credit memos, for tests and demos.
 */
export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Lifetime of issued access tokens; NetSuite's is 3600. */
  tokenTtlSeconds?: number;
  /** Clock in epoch milliseconds, for token and assertion expiry. */
  now?: () => number;
  /** Seed for rate-based faults. */
  seed?: number;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`; an account lives under `{url}/{hostForm}`, e.g. `{url}/1234567-sb1`. */
  url: string;
  admin: AdminClient;
  /** `{url}/{hostForm}` for an account id in either form. */
  accountUrl(accountId: string): string;
  /** The token endpoint, which is also the `aud` an assertion must carry. */
  tokenUrl(accountId: string): string;
  close(): Promise<void>;
}

/** NetSuite allows 104 MB request bodies. */
const BODY_LIMIT = 104 * 1024 * 1024;

export function buildApp(context: EmulatorContext): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT, forceCloseConnections: true });

  // Handlers parse bodies themselves so malformed JSON or forms get NetSuite's error shapes, not Fastify's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (request.url.startsWith(ADMIN_PREFIX)) {
      if (isAdminError(error)) return sendAdminError(reply, error);
      return reply.code(error.statusCode ?? 500).send({ error: error.message });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return send(reply, errorOutcome(restError(413, 'INVALID_REQUEST', 'The request body exceeds the 104 MB limit.')));
    }
    if (typeof error.statusCode === 'number' && error.statusCode < 500) {
      return send(reply, errorOutcome(restError(400, 'INVALID_REQUEST', error.message)));
    }
    return send(reply, errorOutcome(error));
  });

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith(ADMIN_PREFIX)) return reply.code(404).send({ error: `no admin route ${request.method} ${request.url}` });
    return send(
      reply,
      errorOutcome(restError(404, 'NONEXISTENT_ID', `No resource at ${request.method} ${request.url.split('?')[0]} in this NetSuite emulator.`)),
    );
  });

  registerAdminRoutes(app, context);
  registerAccountingAdminRoutes(app, context);
  registerTokenEndpoint(app, context);
  registerRecordRoutes(app, context);
  registerCustomerRoutes(app, context);
  registerSuiteQlRoutes(app, context);
  registerUiPages(app, context);
  return app;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  let url = '';
  const context: EmulatorContext = {
    state: new EmulatorState(options.seed ?? 1),
    now: options.now ?? Date.now,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    baseUrl: () => url,
  };
  const app = buildApp(context);
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('emulator did not bind a TCP port');
  url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    admin: new AdminClient(url),
    accountUrl: (accountId) => accountBaseUrl(context, normaliseAccountId(accountId).hostForm),
    tokenUrl: (accountId) => tokenUrl(context, normaliseAccountId(accountId).hostForm),
    close: () => (closing ??= app.close().then(() => undefined)),
  };
}
