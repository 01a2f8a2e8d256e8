import type { Logger } from 'pino';
import type { Db } from '../db/connect';
import type { NetSuiteClient } from '../netsuite/client';
import type { CredentialCipher } from '../secrets/credentialCipher';

/**
 * What the HTTP API needs; built once by the service and passed to every route module. No Temporal:
 * whatever must reach a workflow goes into the outbox with the change that causes it.
 */
export interface ApiDeps {
  db: Db;
  cipher: CredentialCipher;
  /** HMAC key for API bearer tokens (derived from the credentials key, so nothing else to configure). */
  tokenKey: Uint8Array;
  /** Lifetime of an API bearer token, seconds. */
  tokenTtlSeconds: number;
  /** For `?verify=true` on credentials: fetch a real token from NetSuite. */
  netsuite: NetSuiteClient;
  logger: Logger;
  /** Base URLs an m3ter source may name (M3TER_ALLOWED_BASE_URLS). */
  m3terAllowedBaseUrls: readonly string[];
}
