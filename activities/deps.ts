import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Db } from '../db/connect';
import type { Mailer } from '../mail/mailer';
import type { NetSuiteClient } from '../netsuite/client';
import type { RetryPolicy } from '../netsuite/throttling';
import type { CustomerDirectory } from '../netsuite/customers';
import type { TokenProvider } from '../netsuite/tokenProvider';
import type { CredentialCipher } from '../secrets/credentialCipher';
import type { M3terClientOptions } from '../m3ter/client';

/** Everything activities touch, injected so tests can swap the clock or the retry pace. */
export interface ActivityDeps {
  db: Db;
  netsuite: NetSuiteClient;
  tokens: TokenProvider;
  /** NetSuite's customers by externalId, cached briefly per credential. */
  customers: CustomerDirectory;
  cipher: CredentialCipher;
  logger: Logger;
  now: () => Date;
  /** How sends are retried while NetSuite is throttled or away, and when they give up. */
  retry: RetryPolicy;
  /** Activities report outcomes to the per-config failure counter with signalWithStart. */
  temporal: Client;
  taskQueue: string;
  mailer: Mailer;
  /** Successive error events that disable a config (the guide's 10). */
  failureThreshold: number;
  /** The operator's M3TER_ALLOWED_BASE_URLS, checked again at every pass (a list narrowed since a source connected); unchecked when absent. */
  m3terAllowedBaseUrls?: readonly string[];
  /** How the m3ter mirror's requests time out and retry (m3ter/client.ts defaults when absent). */
  m3ter?: Pick<M3terClientOptions, 'timeoutMs' | 'maxRetries' | 'maxRetryDelayMs'>;
  /** Counts finished runs and raised events for /metrics; absent where nobody scrapes (tests). */
  metrics?: ActivityMetrics;
}

export interface ActivityMetrics {
  runFinished(status: string): void;
  eventRaised(eventName: string): void;
}
