import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ActivityDeps, ActivityMetrics } from '../activities';
import type { Db } from '../db/connect';
import { markTokenObtained } from '../db/credentials';
import { createPostgresGate } from '../db/leases';
import type { Mailer } from '../mail/mailer';
import { NetSuiteClient } from '../netsuite/client';
import type { Gate } from '../netsuite/gate';
import type { NetSuiteObserver } from '../netsuite/observer';
import type { Throttling } from '../netsuite/throttling';
import { CustomerDirectory } from '../netsuite/customers';
import { TokenProvider } from '../netsuite/tokenProvider';
import type { CredentialCipher } from '../secrets/credentialCipher';

export interface ActivityDepsParts {
  db: Db;
  /** Given, the gate LISTENs for freed slots (a waiting request goes the moment one is free); else it polls. */
  databaseUrl?: string;
  netsuiteUrlTemplate: string;
  /** NetSuite's UI, for the links runs carry; its app host when absent. */
  netsuiteUiUrlTemplate?: string;
  throttling: Throttling;
  cipher: CredentialCipher;
  logger: Logger;
  temporal: Client;
  taskQueue: string;
  mailer: Mailer;
  failureThreshold: number;
  metrics?: ActivityMetrics & NetSuiteObserver;
  m3terAllowedBaseUrls?: readonly string[];
}

/**
 * Everything activities touch, built once for a process (the service, a test harness, the bench's
 * direct pipeline) so each gets the same NetSuite path: every request through the account's shared
 * concurrency gate, tokens cached in memory, and a credential's first token recorded, since only
 * proven credentials may set their account's limit (db/leases.ts).
 */
export function assembleActivityDeps(parts: ActivityDepsParts): { deps: ActivityDeps; netsuite: NetSuiteClient; gate: Gate } {
  const gate = createPostgresGate(parts.db, { databaseUrl: parts.databaseUrl, ...parts.throttling.gate });
  const netsuite = new NetSuiteClient({ urlTemplate: parts.netsuiteUrlTemplate, uiUrlTemplate: parts.netsuiteUiUrlTemplate, timeoutMs: parts.throttling.requestTimeoutMs, gate, observer: parts.metrics });
  const tokens = new TokenProvider(netsuite, {
    onTokenObtained: async (credential) => {
      await markTokenObtained(parts.db, credential.id);
      gate.forgetLimit(credential.accountId);
    },
  });
  const deps: ActivityDeps = {
    db: parts.db,
    netsuite,
    tokens,
    customers: new CustomerDirectory(netsuite),
    cipher: parts.cipher,
    logger: parts.logger,
    now: () => new Date(),
    retry: parts.throttling.retry,
    temporal: parts.temporal,
    taskQueue: parts.taskQueue,
    mailer: parts.mailer,
    failureThreshold: parts.failureThreshold,
    metrics: parts.metrics,
    m3terAllowedBaseUrls: parts.m3terAllowedBaseUrls,
  };
  return { deps, netsuite, gate };
}
