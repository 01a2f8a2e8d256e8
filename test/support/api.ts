import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { deriveTokenKey } from '../../api/auth';
import type { ApiDeps } from '../../api/deps';
import { buildServer } from '../../api/server';
import { createLogger } from '../../config/logger';
import { createOrganization } from '../../db/organizations';
import { NetSuiteClient } from '../../netsuite/client';
import { Writable } from 'node:stream';
import type { Harness } from './harness';

export interface ApiWorld {
  url: string;
  server: FastifyInstance;
  /** Every API log line, for secret scans. */
  logLines: string[];
  close(): Promise<void>;
}

/** The m3ter-compatible API over a test harness (its database and emulator; the harness's relay hands its changes to Temporal). */
export async function startApi(h: Harness, options: { tokenTtlSeconds?: number; m3terAllowedBaseUrls?: string[] } = {}): Promise<ApiWorld> {
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk, _e, done) => (logLines.push(String(chunk)), done()) }) });
  const deps: ApiDeps = {
    db: h.db,
    cipher: h.cipher,
    tokenKey: deriveTokenKey(Buffer.from(h.encryptionKey, 'base64')),
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    netsuite: new NetSuiteClient({ urlTemplate: h.urlTemplate }),
    logger,
    // Any local port: tests start their m3ter side on one.
    m3terAllowedBaseUrls: options.m3terAllowedBaseUrls ?? ['http://127.0.0.1:*'],
  };
  const server = await buildServer({ isReady: () => true, api: () => deps, logger });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { url, server, logLines, close: () => server.close() };
}

/** A new organization with its API key, and a small client that authenticates like m3ter's SDKs. */
export async function apiClient(h: Harness, api: ApiWorld, name = `org-${crypto.randomUUID()}`) {
  const org = await createOrganization(h.db, name);
  const tokenResponse = await fetch(`${api.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${org.apiKey}:${org.apiSecret}`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials' }),
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const call = async <T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string }> => {
    const response = await fetch(`${api.url}${path.replace('{orgId}', org.orgId)}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed as T, text };
  };
  return { ...org, token, call };
}

export type ApiClient = Awaited<ReturnType<typeof apiClient>>;

/** Every item of a listing, following m3ter's `nextToken` from page to page (at most 50 pages). */
export async function allPages(client: ApiClient, path: string): Promise<any[]> {
  const items: any[] = [];
  let nextToken: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const separator = path.includes('?') ? '&' : '?';
    const response = await client.call('GET', nextToken ? `${path}${separator}nextToken=${encodeURIComponent(nextToken)}` : path);
    expect(response.status).toBe(200);
    items.push(...response.body.data);
    nextToken = response.body.nextToken;
    if (!nextToken) return items;
  }
  throw new Error('paging never ended');
}
