import crypto from 'node:crypto';
import { apiClient, type ApiClient } from '../support/api';
import { useFileWorld } from '../support/fileWorld';

const { h, api } = useFileWorld();

const code = () => `C-${crypto.randomBytes(4).toString('hex')}`;
const body = (overrides: Record<string, unknown> = {}) => {
  const c = code();
  return { code: c, name: `Customer ${c}`, emailAddress: `ap@${c.toLowerCase()}.example`, ...overrides };
};

async function create(client: ApiClient, overrides: Record<string, unknown> = {}) {
  const response = await client.call('POST', '/organizations/{orgId}/accounts', body(overrides));
  expect(response.status).toBe(200);
  return response.body;
}

/** Every page of a list, following nextToken until it is absent, as m3ter's SDKs do. */
async function listAll(client: ApiClient, query: string): Promise<{ pages: number; ids: string[] }> {
  const ids: string[] = [];
  let pages = 0;
  let nextToken: string | undefined;
  do {
    const response = await client.call('GET', `/organizations/{orgId}/accounts?${query}${nextToken ? `&nextToken=${nextToken}` : ''}`);
    expect(response.status).toBe(200);
    pages += 1;
    ids.push(...response.body.data.map((a: { id: string }) => a.id));
    nextToken = response.body.nextToken;
  } while (nextToken);
  return { pages, ids };
}

describe('accounts', () => {
  it('creates, retrieves, updates (full body, version checked and incremented) and deletes, with m3ter fields', async () => {
    const client = await apiClient(h, api);
    const created = await create(client, {
      currency: 'GBP',
      customFields: { country: 'UK', tier: 2 },
      address: { addressLine1: '1 High St', locality: 'London', postCode: 'N1 1AA', country: 'GB' },
      purchaseOrderNumber: 'PO-1',
      daysBeforeBillDue: 30,
    });
    expect(created).toEqual({
      id: expect.any(String),
      version: 1,
      code: expect.any(String),
      name: expect.any(String),
      emailAddress: expect.any(String),
      currency: 'GBP',
      customFields: { country: 'UK', tier: 2 },
      address: { addressLine1: '1 High St', locality: 'London', postCode: 'N1 1AA', country: 'GB' },
      purchaseOrderNumber: 'PO-1',
      daysBeforeBillDue: 30,
      dtCreated: expect.any(String),
      dtLastModified: expect.any(String),
    });

    const got = await client.call('GET', `/organizations/{orgId}/accounts/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created);

    // Full update: what is left out is cleared.
    const updated = await client.call('PUT', `/organizations/{orgId}/accounts/${created.id}`, { code: created.code, name: 'Renamed', emailAddress: created.emailAddress, currency: 'USD', version: 1 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: created.id, name: 'Renamed', currency: 'USD', customFields: {}, version: 2 });
    expect(updated.body.address).toBeUndefined();
    expect(updated.body.purchaseOrderNumber).toBeUndefined();

    const again = await client.call('PUT', `/organizations/{orgId}/accounts/${created.id}`, { ...body({ code: created.code }), version: 2 });
    expect(again.body.version).toBe(3);

    // As m3ter's SDKs send it: Content-Type application/json and no body.
    const response = await fetch(`${api.url}/organizations/${client.orgId}/accounts/${created.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' } });
    const deleted = { status: response.status, body: (await response.json()) as any };
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: created.id, version: 3 });
    expect((await client.call('GET', `/organizations/{orgId}/accounts/${created.id}`)).status).toBe(404);
    expect((await client.call('DELETE', `/organizations/{orgId}/accounts/${created.id}`)).status).toBe(404);
  });

  it('refuses a stale or missing version with 409 and leaves the account as it was', async () => {
    const client = await apiClient(h, api);
    const created = await create(client);
    const first = await client.call('PUT', `/organizations/{orgId}/accounts/${created.id}`, { ...body({ code: created.code, name: 'First' }), version: 1 });
    expect(first.body.version).toBe(2);

    const stale = await client.call('PUT', `/organizations/{orgId}/accounts/${created.id}`, { ...body({ code: created.code, name: 'Stale' }), version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/^version: the stored version is 2, not 1/);
    const missing = await client.call('PUT', `/organizations/{orgId}/accounts/${created.id}`, body({ code: created.code, name: 'No version' }));
    expect(missing.status).toBe(409);
    expect(missing.body.message).toContain('version');

    const now = await client.call('GET', `/organizations/{orgId}/accounts/${created.id}`);
    expect(now.body).toMatchObject({ name: 'First', version: 2 });
  });

  it('answers 409 naming code for a duplicate code, on create and on update', async () => {
    const client = await apiClient(h, api);
    const a = await create(client);
    const b = await create(client);
    const duplicate = await client.call('POST', '/organizations/{orgId}/accounts', body({ code: a.code }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.message).toMatch(/^code: .*already exists/);
    const renamed = await client.call('PUT', `/organizations/{orgId}/accounts/${b.id}`, { ...body({ code: a.code }), version: 1 });
    expect(renamed.status).toBe(409);
    expect(renamed.body.message).toMatch(/^code: /);

    // Codes are unique per organization only.
    const other = await apiClient(h, api);
    expect((await other.call('POST', '/organizations/{orgId}/accounts', body({ code: a.code }))).status).toBe(200);
  });

  it('validates the body, naming the field', async () => {
    const client = await apiClient(h, api);
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'No code', emailAddress: 'a@b.example' }, 'code'],
      [body({ emailAddress: 'not-an-email' }), 'emailAddress'],
      [body({ currency: 'pounds' }), 'currency'],
      [body({ customFields: { nested: { no: 1 } } }), 'customFields.nested'],
      [body({ address: { street: 'unknown field' } }), 'address'],
      [body({ daysBeforeBillDue: -1 }), 'daysBeforeBillDue'],
      [body({ daysBeforeBillDue: 2 ** 31 }), 'daysBeforeBillDue'],
      [body({ name: 'nul \u0000 inside' }), 'name'],
      [body({ customFields: { note: '\u0000' } }), 'customFields.note'],
      [body({ parentAccountId: crypto.randomUUID() }), 'parentAccountId'],
    ];
    for (const [input, field] of cases) {
      const response = await client.call('POST', '/organizations/{orgId}/accounts', input);
      expect([response.status, response.body.message]).toEqual([400, expect.stringContaining(field)]);
    }
    const parent = await create(client);
    const child = await create(client, { parentAccountId: parent.id });
    expect(child.parentAccountId).toBe(parent.id);
    const selfParent = await client.call('PUT', `/organizations/{orgId}/accounts/${child.id}`, { ...body({ code: child.code, parentAccountId: child.id }), version: 1 });
    expect([selfParent.status, selfParent.body.message]).toEqual([400, expect.stringContaining('parentAccountId')]);
    expect((await client.call('GET', '/organizations/{orgId}/accounts/not-a-uuid')).status).toBe(400);
  });

  it('lists page by page with nextToken until it is absent, and filters by ids and codes', async () => {
    const client = await apiClient(h, api);
    const accounts = [];
    for (let i = 0; i < 7; i++) accounts.push(await create(client));
    const all = accounts.map((a) => a.id);

    expect(await listAll(client, 'pageSize=3')).toEqual({ pages: 3, ids: all });
    expect(await listAll(client, 'pageSize=7')).toEqual({ pages: 1, ids: all });
    expect(await listAll(client, '')).toEqual({ pages: 1, ids: all });

    const picked = [accounts[1]!, accounts[4]!, accounts[6]!];
    expect((await listAll(client, `ids=${picked.map((a) => a.id).join(',')}&pageSize=2`)).ids).toEqual(picked.map((a) => a.id));
    expect((await listAll(client, `codes=${picked.map((a) => a.code).join(',')}`)).ids).toEqual(picked.map((a) => a.id));
    expect((await listAll(client, `codes=${accounts[0].code},NOPE`)).ids).toEqual([accounts[0].id]);
    expect((await listAll(client, 'ids=not-a-uuid')).ids).toEqual([]);
    expect((await listAll(client, 'codes=%00')).ids).toEqual([]);

    for (const pageSize of ['0', '101', 'x']) {
      const response = await client.call('GET', `/organizations/{orgId}/accounts?pageSize=${pageSize}`);
      expect([response.status, response.body.message]).toEqual([400, expect.stringContaining('pageSize')]);
    }
    const badToken = await client.call('GET', '/organizations/{orgId}/accounts?nextToken=garbage');
    expect([badToken.status, badToken.body.message]).toEqual([400, expect.stringContaining('nextToken')]);
  });

  it('refuses to delete an account that has bills, saying why', async () => {
    const client = await apiClient(h, api);
    const account = await create(client);
    const bill = await client.call('PUT', `/organizations/{orgId}/bills/${crypto.randomUUID()}`, {
      accountId: account.id,
      billDate: '2026-10-31',
      currency: 'USD',
      lineItems: [{ lineItemType: 'STANDING_CHARGE', description: 'Platform', quantity: 1, subtotal: 10 }],
    });
    expect(bill.status).toBe(200);
    const refused = await client.call('DELETE', `/organizations/{orgId}/accounts/${account.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('has 1 bill(s)');
    expect((await client.call('GET', `/organizations/{orgId}/accounts/${account.id}`)).status).toBe(200);

    expect((await client.call('DELETE', `/organizations/{orgId}/bills/${bill.body.id}`)).status).toBe(200);
    expect((await client.call('DELETE', `/organizations/{orgId}/accounts/${account.id}`)).status).toBe(200);
  });

  it("keeps organizations apart: another organization's account ids answer 404", async () => {
    const a = await apiClient(h, api);
    const b = await apiClient(h, api);
    const theirs = await create(b);
    const path = `/organizations/{orgId}/accounts/${theirs.id}`;
    expect((await a.call('GET', path)).status).toBe(404);
    expect((await a.call('PUT', path, { ...body(), version: 1 })).status).toBe(404);
    expect((await a.call('DELETE', path)).status).toBe(404);
    expect((await a.call('GET', `/organizations/{orgId}/accounts?ids=${theirs.id}`)).body.data).toEqual([]);
    expect((await a.call('GET', `/organizations/{orgId}/accounts?codes=${theirs.code}`)).body.data).toEqual([]);
    // Nor can an account of A name B's account as its parent.
    expect((await a.call('POST', '/organizations/{orgId}/accounts', body({ parentAccountId: theirs.id }))).status).toBe(400);
    // B's account is untouched.
    expect((await b.call('GET', path)).body).toEqual(theirs);
    // A's token on B's path.
    const direct = await fetch(`${api.url}/organizations/${b.orgId}/accounts/${theirs.id}`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(direct.status).toBe(404);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/organizations/{orgId}/accounts'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/organizations/{orgId}/accounts/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
  });
});
