import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { deriveTokenKey } from '../api/auth';
import { buildServer } from '../api/server';
import { connectDatabase, type Db } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { NetSuiteClient } from '../netsuite/client';
import { CredentialCipher } from '../secrets/credentialCipher';

export interface M3terSide {
  /** Base URL of its m3ter-compatible API (POST /oauth/token, /organizations/{orgId}/…). */
  url: string;
  db: Db;
  close(): Promise<void>;
}

/**
 * A second instance of this service playing m3ter: its m3ter-compatible HTTP API over a database of its
 * own, with no worker and no integrations, so it only keeps bills, accounts and mappings and answers
 * for them as m3ter's API does. The demo's `--m3ter-source` mirrors from one; so do the mirror's tests.
 */
export async function startM3terSide(options: { databaseUrl: string; logger: Logger; tokenTtlSeconds?: number; port?: number; /** Requests per minute per client, as the service's own limit (1,200 by default). */ rateLimitPerMinute?: number }): Promise<M3terSide> {
  const db = connectDatabase(options.databaseUrl);
  await migrateToLatest(db);
  const key = crypto.randomBytes(32);
  const server = await buildServer({
    isReady: () => true,
    ...(options.rateLimitPerMinute ? { rateLimit: { perMinute: options.rateLimitPerMinute } } : {}),
    logger: options.logger,
    api: () => ({
      db,
      cipher: new CredentialCipher(key),
      tokenKey: deriveTokenKey(key),
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
      // Never called: this side has no NetSuite credentials to verify.
      netsuite: new NetSuiteClient({ urlTemplate: 'http://127.0.0.1:9/{account}' }),
      logger: options.logger,
      m3terAllowedBaseUrls: [],
    }),
  });
  await server.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = server.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    db,
    async close() {
      await server.close();
      await db.destroy();
    },
  };
}
