import crypto from 'node:crypto';
import http from 'node:http';
import { deriveTokenKey } from '../../api/auth';
import type { ApiDeps } from '../../api/deps';
import { buildServer } from '../../api/server';
import { createLogger } from '../../config/logger';
import { connectDatabase } from '../../db/connect';
import { NetSuiteClient } from '../../netsuite/client';
import { apiClient } from '../support/api';
import { freePort } from '../support/freePort';
import { useFileWorld } from '../support/fileWorld';

/**
 * What an outsider and a second organization on the same service can learn or break through the
 * HTTP API (issue 15's findings 3, 4, 5, 6 and 10; the memory and NetSuite ones have their own files).
 */
const { h, api } = useFileWorld();

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request from a chosen loopback address (all of 127.0.0.0/8 reaches the server), so a test can
 * be several clients as far as per-client limits are concerned.
 */
function requestFrom(localAddress: string, url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', headers: options.headers, localAddress }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

let nextAddress = 10;
/** A loopback address no other test of this file has used. */
function freshAddress(): string {
  nextAddress += 1;
  return `127.0.${Math.floor(nextAddress / 250)}.${(nextAddress % 250) + 2}`;
}

const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

function tokenRequest(url: string, from: string, key: string, secret: string): Promise<Answer> {
  return requestFrom(from, `${url}/oauth/token`, { method: 'POST', headers: { authorization: basic(key, secret), 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('finding 3: the token endpoint against guessing', () => {
  it('after repeated wrong secrets a client gets 429 with Retry-After, even for the right secret; other clients are unaffected', async () => {
    const victim = await apiClient(h, api);
    const attacker = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await tokenRequest(api.url, attacker, victim.apiKey, `guess-${i}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(20).fill(429));

    const right = await tokenRequest(api.url, attacker, victim.apiKey, victim.apiSecret);
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(right.body)).toEqual({ message: expect.stringMatching(/too many failed authentication attempts.*retry after \d+ s/i) });

    // The organization itself, from elsewhere, still gets its token.
    expect((await tokenRequest(api.url, freshAddress(), victim.apiKey, victim.apiSecret)).status).toBe(200);
  });

  it('takes as long for an unknown API key as for a known key with a wrong secret', async () => {
    const known = await apiClient(h, api);
    const unknownMs: number[] = [];
    const knownMs: number[] = [];
    for (let i = 0; i < 8; i++) {
      // A fresh client address for each pair keeps the failure limit out of the measurement.
      const from = freshAddress();
      let started = performance.now();
      expect((await tokenRequest(api.url, from, crypto.randomUUID(), 'wrong')).status).toBe(401);
      unknownMs.push(performance.now() - started);
      started = performance.now();
      expect((await tokenRequest(api.url, from, known.apiKey, 'wrong')).status).toBe(401);
      knownMs.push(performance.now() - started);
    }
    // Both pay for one scrypt (~40 ms here); an unknown key used to skip it and answer ten times faster.
    const ratio = median(unknownMs) / median(knownMs);
    expect({ sameOrder: ratio > 1 / 3 && ratio < 3, unknownMs: median(unknownMs), knownMs: median(knownMs) }).toEqual({ sameOrder: true, unknownMs: expect.any(Number), knownMs: expect.any(Number) });
  });

  it('limits every client to a global request rate, with 429 and Retry-After', async () => {
    const limited = await buildServer({ isReady: () => true, api: () => apiDeps(), logger: silent(), rateLimit: { perMinute: 20 } });
    await limited.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = serverUrl(limited.server.address());
      const client = freshAddress();
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await requestFrom(client, `${url}/openapi.json`)).status);
      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(200));
      expect(statuses.slice(20)).toEqual(Array(5).fill(429));
      const refused = await requestFrom(client, `${url}/openapi.json`);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(refused.body)).toEqual({ message: expect.stringMatching(/too many requests.*retry after \d+ s/i) });
      expect((await requestFrom(freshAddress(), `${url}/openapi.json`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('finding 4: authentication is decided on the route, not on the raw URL', () => {
  it('an organization route with a percent-encoded path still needs a bearer token', async () => {
    const client = await apiClient(h, api);
    for (const path of [`/%6Frganizations/${client.orgId}/events/types`, `/organization%73/${client.orgId}/events/types`, `/%6F%72ganizations/${client.orgId}/users`]) {
      const response = await fetch(`${api.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
    }
  });

  it("an encoded path reaches the token's own organization only", async () => {
    const a = await apiClient(h, api);
    const b = await apiClient(h, api);
    const encode = (org: string) => `/%6Frganizations/${org}/users`;
    expect((await fetch(`${api.url}${encode(a.orgId)}`, { headers: { authorization: `Bearer ${a.token}` } })).status).toBe(200);
    expect((await fetch(`${api.url}${encode(b.orgId)}`, { headers: { authorization: `Bearer ${a.token}` } })).status).toBe(404);
  });
});

describe('finding 5: console assets', () => {
  it("answers 404 for names an object's prototype has, and still serves the real modules", async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const response = await fetch(`${api.url}/console/vendor/${name}`);
      expect({ name, status: response.status }).toEqual({ name, status: 404 });
    }
    const preact = await fetch(`${api.url}/console/vendor/preact.mjs`);
    expect(preact.status).toBe(200);
    expect(preact.headers.get('content-type')).toContain('javascript');
  });
});

describe("the console's pages in a browser", () => {
  it('may not be framed by another site, load scripts from elsewhere or inline (but its import map, by hash), or send a referrer', async () => {
    const html = await (await fetch(`${api.url}/console/`)).text();
    const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const hash = crypto.createHash('sha256').update(importMap).digest('base64');
    for (const path of ['/console/', '/console/app.js', '/console/vendor/preact.mjs', '/console/style.css']) {
      const response = await fetch(`${api.url}${path}`);
      expect([path, response.status]).toEqual([path, 200]);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
      expect(csp).not.toContain('unsafe-inline');
      expect([response.headers.get('x-frame-options'), response.headers.get('x-content-type-options'), response.headers.get('referrer-policy')]).toEqual(['DENY', 'nosniff', 'no-referrer']);
    }
  });
});

describe('finding 6: a PostgreSQL outage during a request', () => {
  it('answers 503 saying the database is unavailable, not a generic 500', async () => {
    const client = await apiClient(h, api);
    // A PostgreSQL that is down: nothing listens where the URL points.
    const deadDb = connectDatabase(`postgres://postgres:postgres@127.0.0.1:${await freePort()}/postgres`);
    const server = await buildServer({ isReady: () => true, api: () => ({ ...apiDeps(), db: deadDb }), logger: silent() });
    await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = serverUrl(server.server.address());
      const data = await fetch(`${url}/organizations/${client.orgId}/accounts`, { headers: { authorization: `Bearer ${client.token}` } });
      expect(data.status).toBe(503);
      expect(await data.json()).toEqual({ message: expect.stringMatching(/database.*unavailable.*try again/i) });
      expect(Number(data.headers.get('retry-after'))).toBeGreaterThan(0);
      const token = await fetch(`${url}/oauth/token`, { method: 'POST', headers: { authorization: basic(client.apiKey, client.apiSecret) } });
      expect(token.status).toBe(503);
    } finally {
      await server.close();
      await deadDb.destroy();
    }
  });
});

describe("finding 10: another organization's bill id", () => {
  it('is refused without saying it exists in another organization, and leaves that bill alone', async () => {
    const a = await apiClient(h, api);
    const b = await apiClient(h, api);
    const account = async (client: typeof a) => (await client.call('POST', '/organizations/{orgId}/accounts', { code: `C-${crypto.randomUUID().slice(0, 8)}`, name: 'Customer', emailAddress: 'ap@example.com' })).body.id as string;
    const bill = (accountId: string, subtotal: number) => ({ accountId, billDate: '2026-10-31', currency: 'USD', lineItems: [{ lineItemType: 'STANDING_CHARGE', description: 'Platform', quantity: 1, subtotal }] });
    const billId = crypto.randomUUID();
    expect((await b.call('PUT', `/organizations/{orgId}/bills/${billId}`, bill(await account(b), 400))).status).toBe(200);

    const attempt = await a.call('PUT', `/organizations/{orgId}/bills/${billId}`, bill(await account(a), 1));
    expect(attempt.status).toBe(409);
    expect(attempt.body).toEqual({ message: `id: ${billId} can't be used for a new bill; bill ids are unique across the service, so send the bill with a new UUID` });
    expect(attempt.text).not.toMatch(/organization|not found|no bill/i);

    // To A the id stays as unknown as any other; B's bill is untouched.
    expect((await a.call('GET', `/organizations/{orgId}/bills/${billId}`)).status).toBe(404);
    const stored = await b.call('GET', `/organizations/{orgId}/bills/${billId}`);
    expect([stored.body.version, stored.body.billTotal]).toEqual([1, 400]);
  });
});

function apiDeps(): ApiDeps {
  return {
    db: h.db,
    cipher: h.cipher,
    tokenKey: deriveTokenKey(Buffer.from(h.encryptionKey, 'base64')),
    tokenTtlSeconds: 3600,
    m3terAllowedBaseUrls: [],
    netsuite: new NetSuiteClient({ urlTemplate: h.urlTemplate }),
    logger: silent(),
  };
}

function silent() {
  return createLogger({ level: 'silent' });
}

function serverUrl(address: ReturnType<http.Server['address']>): string {
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}
