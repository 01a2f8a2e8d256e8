import crypto from 'node:crypto';
import http from 'node:http';
import { createOrganization } from '../../db/organizations';
import { npmStartCommand, spawnWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { useFileWorld } from '../support/fileWorld';

/**
 * Issue 15, finding 1: three concurrent 10 MB bodies to POST /oauth/token exhausted the heap of
 * `npm start`, and the API and the worker died together. Here the service runs as `npm start` runs it
 * (its node flags, read from package.json) and is sent many oversized or costly bodies at once,
 * without a token and with one; it must answer all of them and stay up.
 */
const { h, stopBeforeClosing } = useFileWorld();
let service: WorkerProcess;
let url: string;

beforeAll(async () => {
  const start = npmStartCommand();
  service = spawnWorkerProcess({ ...h.serviceEnv(`bodies-${crypto.randomUUID()}`), ...start.env }, { nodeFlags: start.nodeFlags });
  await service.ready;
  const ready = service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; url?: string })
    .find((line) => line.msg === 'service ready');
  url = String(ready?.url);
}, 180_000);

stopBeforeClosing(async () => {
  await service?.stop();
});

type Outcome = number | string;

/** One request whose body is `body`, declared with Content-Length or streamed in chunks without one. */
function send(method: string, path: string, body: Buffer, options: { authorization?: string; chunked?: boolean } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.authorization ? { authorization: options.authorization } : {}) };
    if (!options.chunked) headers['content-length'] = String(body.length);
    const request = http.request(`${url}${path}`, { method, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    // The server may answer (413) and close before the whole body is written.
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    if (!options.chunked) return void request.end(body);
    const write = (offset: number) => {
      if (offset >= body.length || request.destroyed) return void request.end();
      const more = request.write(body.subarray(offset, offset + 256 * 1024));
      if (more) setImmediate(() => write(offset + 256 * 1024));
      else request.once('drain', () => write(offset + 256 * 1024));
    };
    write(0);
  });
}

/** A JSON object of about `bytes` bytes whose `key` is an array of empty objects: ~21 bytes of heap per byte once parsed. */
function manyObjects(prefix: string, key: string, bytes: number): Buffer {
  const head = `{${prefix}"${key}":[`;
  const count = Math.floor((bytes - head.length - 3) / 3);
  return Buffer.from(`${head}${'{},'.repeat(count)}{}]}`);
}

function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[String(outcome)] = (counts[String(outcome)] ?? 0) + 1;
  return counts;
}

async function token(apiKey: string, apiSecret: string): Promise<string> {
  const response = await fetch(`${url}/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString('base64')}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A line item as m3ter writes it, every field filled: ~1.2 KB of JSON. */
function fullLine(i: number) {
  const id = () => crypto.randomUUID();
  return {
    id: id(),
    lineItemType: 'USAGE',
    description: `API calls, tiered usage of meter ${i}`,
    quantity: 123456.789,
    units: 123456.789,
    unit: 'calls',
    subtotal: 1234.56,
    averageUnitPrice: 0.0100001,
    currency: 'USD',
    conversionRate: 1,
    convertedSubtotal: 1234.56,
    productId: id(),
    productName: 'Platform API',
    productCode: 'platform-api',
    accountingProductId: id(),
    aggregationId: id(),
    meterId: id(),
    planId: id(),
    pricingId: id(),
    contractId: id(),
    sequenceNumber: i,
    servicePeriodStartDate: '2026-10-01T00:00:00Z',
    servicePeriodEndDate: '2026-11-01T00:00:00Z',
    usagePerPricingBand: [
      { pricingBandId: id(), bandQuantity: 1000, bandUnits: 1000, bandSubtotal: 10, unitPrice: 0.01, fixedPrice: 0, lowerLimit: 0 },
      { pricingBandId: id(), bandQuantity: 122456.789, bandUnits: 122456.789, bandSubtotal: 1224.56, unitPrice: 0.01, fixedPrice: 0, lowerLimit: 1000 },
    ],
  };
}

describe('finding 1: oversized and costly bodies against npm start', () => {
  it('many at once, without a token and with one, are refused and the service stays up', async () => {
    const org = await createOrganization(h.db, 'bodies');
    const bearer = await token(org.apiKey, org.apiSecret);
    const billPath = () => `/organizations/${org.orgId}/bills/${crypto.randomUUID()}`;
    // Just under the 10 MB that used to be every route's limit.
    const tenMb = manyObjects('"grant_type":"client_credentials",', 'x', 10 * 1024 * 1024 - 1024);
    const twentyMb = manyObjects('"accountId":"A","billDate":"2026-10-31","currency":"USD",', 'lineItems', 20 * 1024 * 1024);
    // Within the bills route's size limit, but it would parse into ~330 MB of objects.
    const costly = manyObjects('"accountId":"A","billDate":"2026-10-31","currency":"USD",', 'lineItems', 16 * 1024 * 1024 - 1024);
    const smallCostly = manyObjects('"code":"X","name":"X",', 'emailAddress', 60 * 1024);

    // Anyone may try a key: the token endpoint reads the body before it knows who is asking.
    const guess = { authorization: `Basic ${Buffer.from(`${org.apiKey}:a-guess`).toString('base64')}` };
    const oversized = Promise.all([
      ...Array.from({ length: 25 }, () => send('POST', '/oauth/token', tenMb, guess)),
      ...Array.from({ length: 25 }, () => send('POST', '/oauth/token', tenMb, { ...guess, chunked: true })),
      ...Array.from({ length: 10 }, () => send('PUT', billPath(), twentyMb, { authorization: `Bearer ${bearer}` })),
      ...Array.from({ length: 10 }, () => send('PUT', billPath(), twentyMb, { authorization: `Bearer ${bearer}`, chunked: true })),
    ]);
    const costlyBills = Promise.all(Array.from({ length: 6 }, () => send('PUT', billPath(), costly, { authorization: `Bearer ${bearer}` })));
    const costlyAccounts = Promise.all(Array.from({ length: 100 }, () => send('POST', `/organizations/${org.orgId}/accounts`, smallCostly, { authorization: `Bearer ${bearer}` })));

    // Refused as too large (413); a client still writing when that answer came may see its
    // connection reset instead. Never a 5xx.
    expect((await oversized).filter((outcome) => ![413, 'ECONNRESET', 'EPIPE'].includes(outcome))).toEqual([]);
    // Within the size limits, read whole: the bills are too costly to parse, the accounts invalid.
    expect(tally(await costlyBills)).toEqual({ 413: 6 });
    expect(tally(await costlyAccounts)).toEqual({ 400: 100 });

    // Still serving: liveness, a new token, and the API.
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(service.running()).toBe(true);
    const again = await token(org.apiKey, org.apiSecret);
    const accounts = await fetch(`${url}/organizations/${org.orgId}/accounts`, { headers: { authorization: `Bearer ${again}` } });
    expect(accounts.status).toBe(200);
  }, 180_000);

  it('still takes 10,000-line bills with every field m3ter writes on a line, ten at once', async () => {
    const org = await createOrganization(h.db, 'big bill');
    const bearer = await token(org.apiKey, org.apiSecret);
    const created = await fetch(`${url}/organizations/${org.orgId}/accounts`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify({ code: 'BIG', name: 'Big', emailAddress: 'ap@big.example' }) });
    const account = (await created.json()) as { id: string };
    const body = Buffer.from(JSON.stringify({ accountId: account.id, billDate: '2026-10-31', currency: 'USD', lineItems: Array.from({ length: 10_000 }, (_, i) => fullLine(i)) }));
    expect(body.length).toBeGreaterThan(11 * 1024 * 1024);
    const ids = Array.from({ length: 10 }, () => crypto.randomUUID());
    const put = (id: string) => send('PUT', `/organizations/${org.orgId}/bills/${id}`, body, { authorization: `Bearer ${bearer}` });
    const saved = await Promise.all(ids.map(put));
    // Taken two at a time; on a busy machine the last may wait longer than the service lets them
    // (30 s) and be told to try again (503, Retry-After), which is what a client then does.
    expect(saved.filter((outcome) => outcome !== 200 && outcome !== 503)).toEqual([]);
    expect(saved.filter((outcome) => outcome === 200).length).toBeGreaterThanOrEqual(2);
    for (const [index, id] of ids.entries()) if (saved[index] === 503) expect(await put(id)).toBe(200);
    const stored = await h.db.selectFrom('bill').select('id').where('organizationId', '=', org.orgId).execute();
    expect(stored).toHaveLength(10);
    expect(service.running()).toBe(true);
  }, 180_000);
});
