import crypto from 'node:crypto';
import { seedIntegration } from '../../demo/seed';
import { invoiceExternalId } from '../../domain/externalId';
import { apiClient, type ApiClient } from '../support/api';
import { useFileWorld } from '../support/fileWorld';

const NS = '5550042';
const { h, api, keyPair } = useFileWorld();

const LINES = [
  { lineItemType: 'STANDING_CHARGE', description: 'Platform', quantity: 1, subtotal: 400, productId: 'p-platform' },
  { lineItemType: 'USAGE', description: 'API calls', quantity: 2000, subtotal: '150.25', unit: 'calls', productId: 'p-api' },
];

async function account(client: ApiClient, overrides: Record<string, unknown> = {}) {
  const code = `C-${crypto.randomBytes(4).toString('hex')}`;
  const response = await client.call('POST', '/organizations/{orgId}/accounts', { code, name: `Customer ${code}`, emailAddress: `ap@${code.toLowerCase()}.example`, ...overrides });
  expect(response.status).toBe(200);
  return response.body as { id: string; code: string; name: string };
}

/** Our extension: the billing engine creates (or recalculates) a bill with PUT /bills/{id}. */
async function putBill(client: ApiClient, accountId: string, overrides: Record<string, unknown> = {}, id: string = crypto.randomUUID()) {
  const response = await client.call('PUT', `/organizations/{orgId}/bills/${id}`, { accountId, billDate: '2026-10-31', dueDate: '2026-11-30', currency: 'USD', lineItems: LINES, ...overrides });
  expect([response.status, response.text]).toEqual([200, expect.any(String)]);
  return response.body;
}

/** A bodiless request as m3ter's SDKs send it: Content-Type application/json and no body. */
async function bodiless(client: ApiClient, method: string, path: string) {
  const response = await fetch(`${api.url}${path.replace('{orgId}', client.orgId)}`, { method, headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' } });
  return { status: response.status, body: (await response.json()) as any };
}

/** Every page of a bill list, following nextToken until it is absent, as m3ter's SDKs do. */
async function listAll(client: ApiClient, query: string): Promise<{ pages: number; ids: string[]; bills: any[] }> {
  const bills: any[] = [];
  let pages = 0;
  let nextToken: string | undefined;
  do {
    const response = await client.call('GET', `/organizations/{orgId}/bills?${query}${nextToken ? `&nextToken=${nextToken}` : ''}`);
    expect([response.status, response.text]).toEqual([200, expect.any(String)]);
    pages += 1;
    bills.push(...response.body.data);
    nextToken = response.body.nextToken;
  } while (nextToken);
  return { pages, ids: bills.map((b) => b.id), bills };
}

describe('bills to NetSuite through the API', () => {
  it('a bill PUT by the billing engine and approved through the API reaches NetSuite as an invoice', async () => {
    const client = await apiClient(h, api);
    const seeded = await seedIntegration({
      db: h.db,
      cipher: h.cipher,
      emulator: h.emulator.admin,
      keyPair,
      netsuiteAccountId: NS,
      orgId: client.orgId,
      certificateId: `cert-${crypto.randomUUID()}`,
      configData: { onlySendBillOnApproval: true },
    });
    const customer = await account(client);
    await h.emulator.admin.addCustomer({ accountId: NS, externalId: customer.id, name: customer.name });

    const bill = await putBill(client, customer.id);
    expect(bill).toMatchObject({ status: 'PENDING', version: 1, billTotal: 550.25 });
    const approved = await client.call('POST', '/organizations/{orgId}/bills/approve', { billIds: [bill.id] });
    expect(approved).toMatchObject({ status: 200, body: { message: 'Approved 1 bill' } });

    await h.settleBill(bill.id);
    const invoice = (await h.emulator.admin.listInvoices(NS)).find((i) => i.externalId === invoiceExternalId(seeded.configId, bill.id));
    expect(invoice).toBeDefined();
    expect(invoice!.total).toBeCloseTo(550.25, 2);
    expect(invoice!.item.items.map((l) => l.description)).toEqual(['Platform', 'API calls']);
    expect(invoice!.writes).toBe(1);

    const stored = await client.call('GET', `/organizations/{orgId}/bills/${bill.id}`);
    expect(stored.body).toMatchObject({ status: 'APPROVED', approvedBy: `apiKey:${client.apiKey}`, dtApproved: expect.any(String) });
  });
});

describe('bills', () => {
  it("answer with m3ter's bill fields and the current version's line items", async () => {
    const client = await apiClient(h, api);
    const customer = await account(client, { purchaseOrderNumber: 'PO-77' });
    const id = crypto.randomUUID();
    const put = await putBill(client, customer.id, { startDate: '2026-10-01', endDate: '2026-11-01', billingFrequency: 'MONTHLY', timezone: 'UTC', sequentialInvoiceNumber: 'INV-1' }, id);
    const got = await client.call('GET', `/organizations/{orgId}/bills/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(put);
    expect(got.body).toEqual({
      id,
      version: 1,
      accountId: customer.id,
      accountCode: customer.code,
      billDate: '2026-10-31',
      dueDate: '2026-11-30',
      startDate: '2026-10-01',
      endDate: '2026-11-01',
      billingFrequency: 'MONTHLY',
      billTotal: 550.25,
      currency: 'USD',
      status: 'PENDING',
      locked: false,
      sequentialInvoiceNumber: 'INV-1',
      purchaseOrderNumber: 'PO-77',
      timezone: 'UTC',
      lastCalculatedDate: expect.any(String),
      lineItems: [
        { id: expect.any(String), billId: id, sequenceNumber: 0, lineItemType: 'STANDING_CHARGE', description: 'Platform', quantity: 1, subtotal: 400, productId: 'p-platform' },
        { id: expect.any(String), billId: id, sequenceNumber: 1, lineItemType: 'USAGE', description: 'API calls', quantity: 2000, subtotal: 150.25, unit: 'calls', productId: 'p-api' },
      ],
      dtCreated: expect.any(String),
      dtLastModified: expect.any(String),
    });

    const lineItems = await client.call('GET', `/organizations/{orgId}/bills/${id}/lineitems`);
    expect(lineItems.status).toBe(200);
    expect(lineItems.body).toEqual({ data: got.body.lineItems });
    const paged = await client.call('GET', `/organizations/{orgId}/bills/${id}/lineitems?pageSize=1`);
    expect(paged.body.data).toEqual([got.body.lineItems[0]]);
    const second = await client.call('GET', `/organizations/{orgId}/bills/${id}/lineitems?pageSize=1&nextToken=${paged.body.nextToken}`);
    expect(second.body).toEqual({ data: [got.body.lineItems[1]] });
    const one = await client.call('GET', `/organizations/{orgId}/bills/${id}/lineitems/${got.body.lineItems[1].id}`);
    expect(one).toMatchObject({ status: 200, body: got.body.lineItems[1] });
    expect((await client.call('GET', `/organizations/{orgId}/bills/${id}/lineitems/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await client.call('GET', `/organizations/{orgId}/bills/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await client.call('GET', `/organizations/{orgId}/bills/${crypto.randomUUID()}/lineitems`)).status).toBe(404);
  });

  it('a recalculation via PUT is version 2, back to PENDING, with only the new line items', async () => {
    const client = await apiClient(h, api);
    const customer = await account(client);
    const bill = await putBill(client, customer.id);
    const status = await client.call('PUT', `/organizations/{orgId}/bills/${bill.id}/status`, { status: 'APPROVED' });
    expect(status.body).toMatchObject({ status: 'APPROVED', version: 1 });

    const recalculated = await putBill(client, customer.id, { lineItems: [{ lineItemType: 'USAGE', description: 'API calls (corrected)', quantity: 2100, subtotal: 160 }] }, bill.id);
    expect(recalculated).toMatchObject({ id: bill.id, version: 2, status: 'PENDING', billTotal: 160 });
    expect(recalculated.dtApproved).toBeUndefined();
    expect(recalculated.approvedBy).toBeUndefined();
    expect(recalculated.lineItems.map((l: { description: string }) => l.description)).toEqual(['API calls (corrected)']);
    const got = await client.call('GET', `/organizations/{orgId}/bills/${bill.id}`);
    expect(got.body).toEqual(recalculated);
    expect((await client.call('GET', `/organizations/{orgId}/bills/${bill.id}/lineitems`)).body.data).toHaveLength(1);
  });

  it('lock: refused while PENDING; a locked bill cannot be recalculated, reopened or deleted', async () => {
    const client = await apiClient(h, api);
    const customer = await account(client);
    const bill = await putBill(client, customer.id);
    const path = `/organizations/{orgId}/bills/${bill.id}`;

    const pending = await client.call('PUT', `${path}/lock`);
    expect(pending.status).toBe(409);
    expect(pending.body.message).toContain('PENDING');
    expect((await client.call('GET', path)).body.locked).toBe(false);

    await client.call('PUT', `${path}/status`, { status: 'APPROVED' });
    const locked = await bodiless(client, 'PUT', `${path}/lock`);
    expect(locked).toMatchObject({ status: 200, body: { id: bill.id, locked: true, status: 'APPROVED', version: 1 } });
    expect((await client.call('PUT', `${path}/lock`)).status).toBe(200);

    const recalc = await client.call('PUT', path, { accountId: customer.id, billDate: '2026-10-31', currency: 'USD', lineItems: LINES });
    expect(recalc.status).toBe(409);
    expect(recalc.body.message).toContain('locked');
    const reopen = await client.call('PUT', `${path}/status`, { status: 'PENDING' });
    expect([reopen.status, reopen.body.message]).toEqual([409, expect.stringContaining('locked')]);
    const deleted = await client.call('DELETE', path);
    expect([deleted.status, deleted.body.message]).toEqual([409, expect.stringContaining('locked')]);
    expect((await client.call('GET', path)).body).toMatchObject({ locked: true, status: 'APPROVED', version: 1 });
  });

  it('status: PENDING reopens an approved bill; DELETE returns the deleted bill', async () => {
    const client = await apiClient(h, api);
    const customer = await account(client);
    const bill = await putBill(client, customer.id);
    const path = `/organizations/{orgId}/bills/${bill.id}`;
    await client.call('PUT', `${path}/status`, { status: 'APPROVED' });
    const reopened = await client.call('PUT', `${path}/status`, { status: 'PENDING' });
    expect(reopened.body).toMatchObject({ status: 'PENDING', version: 1 });
    expect(reopened.body.dtApproved).toBeUndefined();

    const deleted = await bodiless(client, 'DELETE', path);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: bill.id, accountCode: customer.code, lineItems: bill.lineItems });
    expect((await client.call('GET', path)).status).toBe(404);
    expect((await client.call('DELETE', path)).status).toBe(404);
    expect((await client.call('PUT', `${path}/status`, { status: 'APPROVED' })).status).toBe(404);
    expect((await client.call('PUT', `${path}/lock`)).status).toBe(404);
  });

  it('latest: the bill with the latest bill date of the account', async () => {
    const client = await apiClient(h, api);
    const customer = await account(client);
    const other = await account(client);
    expect((await client.call('GET', `/organizations/{orgId}/bills/latest/${customer.id}`)).status).toBe(404);
    await putBill(client, customer.id, { billDate: '2026-09-30' });
    const latest = await putBill(client, customer.id, { billDate: '2026-11-30' });
    await putBill(client, customer.id, { billDate: '2026-10-31' });
    await putBill(client, other.id, { billDate: '2026-12-31' });
    const got = await client.call('GET', `/organizations/{orgId}/bills/latest/${customer.id}`);
    expect(got).toMatchObject({ status: 200, body: { id: latest.id, billDate: '2026-11-30', lineItems: latest.lineItems } });
  });

  it("a page of bills with their lines ends early rather than hold more lines than one bill may, and the next page goes on from there", async () => {
    const client = await apiClient(h, api);
    const customer = await account(client);
    // 3 × 4,000 lines: two bills fill a page's 10,000-line budget no more than one 10,000-line bill would.
    const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ lineItemType: 'USAGE', description: `meter ${i}`, quantity: 1, subtotal: 1 }));
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await putBill(client, customer.id, { lineItems: lines(4_000) })).id);

    const first = await client.call('GET', `/organizations/{orgId}/bills?accountId=${customer.id}&pageSize=200`);
    expect(first.status).toBe(200);
    expect(first.body.data.map((b: { id: string }) => b.id)).toEqual(ids.slice(0, 2));
    expect(first.body.data.map((b: { lineItems: unknown[] }) => b.lineItems.length)).toEqual([4_000, 4_000]);
    expect(first.body.nextToken).toEqual(expect.any(String));
    const all = await listAll(client, `accountId=${customer.id}`);
    expect([all.pages, all.ids]).toEqual([2, ids]);
    expect(all.bills.every((b) => b.lineItems.length === 4_000)).toBe(true);
    // Without lines, the page is as long as asked.
    expect((await listAll(client, `accountId=${customer.id}&excludeLineItems=true`)).pages).toBe(1);
  });

  it('lists page by page with nextToken until it is absent, and filters', async () => {
    const client = await apiClient(h, api);
    const a = await account(client);
    const b = await account(client);
    const dates = ['2026-08-31', '2026-09-30', '2026-10-31', '2026-10-31', '2026-11-30'];
    const billsOfA = [];
    for (const billDate of dates) billsOfA.push(await putBill(client, a.id, { billDate }));
    const billsOfB = [await putBill(client, b.id, { billDate: '2026-10-31' }), await putBill(client, b.id, { billDate: '2026-12-31', billingFrequency: 'MONTHLY' })];
    const all = [...billsOfA, ...billsOfB].map((x) => x.id);
    const idsOf = (bills: { id: string }[]) => bills.map((x) => x.id);

    expect((await listAll(client, 'pageSize=2')).pages).toBe(4);
    expect((await listAll(client, 'pageSize=2')).ids).toEqual(all);
    expect((await listAll(client, 'pageSize=7')).pages).toBe(1);
    expect((await listAll(client, '')).ids).toEqual(all);

    expect((await listAll(client, `accountId=${a.id}&pageSize=2`)).ids).toEqual(idsOf(billsOfA));
    // The account's code works too, as for bill ingestion.
    expect((await listAll(client, `accountId=${b.code}`)).ids).toEqual(idsOf(billsOfB));
    expect((await listAll(client, `accountId=${crypto.randomUUID()}`)).ids).toEqual([]);
    expect((await listAll(client, 'billDate=2026-10-31')).ids).toEqual([billsOfA[2].id, billsOfA[3].id, billsOfB[0].id]);
    // billDateStart inclusive, billDateEnd exclusive.
    expect((await listAll(client, `accountId=${a.id}&billDateStart=2026-09-30&billDateEnd=2026-11-30`)).ids).toEqual(idsOf(billsOfA.slice(1, 4)));
    expect((await listAll(client, `ids=${billsOfA[0].id},${billsOfB[1].id}&pageSize=1`)).ids).toEqual([billsOfA[0].id, billsOfB[1].id]);

    await client.call('POST', '/organizations/{orgId}/bills/approve', { billIds: [billsOfA[0].id, billsOfA[1].id] });
    await client.call('PUT', `/organizations/{orgId}/bills/${billsOfA[1].id}/lock`);
    expect((await listAll(client, 'status=APPROVED')).ids).toEqual([billsOfA[0].id, billsOfA[1].id]);
    expect((await listAll(client, 'status=PENDING')).ids).toEqual(all.slice(2));
    expect((await listAll(client, 'locked=true')).ids).toEqual([billsOfA[1].id]);
    expect((await listAll(client, 'locked=false&status=APPROVED')).ids).toEqual([billsOfA[0].id]);
    expect((await listAll(client, 'billingFrequency=MONTHLY')).ids).toEqual([billsOfB[1].id]);

    const withLines = await listAll(client, `ids=${billsOfA[0].id}`);
    expect(withLines.bills[0].lineItems).toHaveLength(2);
    const withoutLines = await listAll(client, `ids=${billsOfA[0].id}&excludeLineItems=true`);
    expect(withoutLines.bills[0].lineItems).toBeUndefined();
    expect(withoutLines.bills[0]).toMatchObject({ id: billsOfA[0].id, status: 'APPROVED', billTotal: 550.25 });

    for (const [query, field] of [
      ['pageSize=0', 'pageSize'],
      ['pageSize=201', 'pageSize'],
      ['status=DRAFT', 'status'],
      ['billDate=31/10/2026', 'billDate'],
      ['billDateStart=0000-00-00', 'billDateStart'],
      ['accountId=%00', 'accountId'],
      ['locked=maybe', 'locked'],
      ['nextToken=garbage', 'nextToken'],
    ]) {
      const response = await client.call('GET', `/organizations/{orgId}/bills?${query}`);
      expect([query, response.status, response.body.message]).toEqual([query, 400, expect.stringContaining(field!)]);
    }
  });

  it('approve: every id must be a bill of the organization, otherwise nothing is approved', async () => {
    const client = await apiClient(h, api);
    const customer = await account(client);
    const bill = await putBill(client, customer.id);
    const unknown = crypto.randomUUID();
    const refused = await client.call('POST', '/organizations/{orgId}/bills/approve', { billIds: [bill.id, unknown] });
    expect([refused.status, refused.body.message]).toEqual([404, expect.stringContaining(unknown)]);
    expect((await client.call('GET', `/organizations/{orgId}/bills/${bill.id}`)).body.status).toBe('PENDING');
    expect((await client.call('POST', '/organizations/{orgId}/bills/approve', { billIds: [] })).status).toBe(400);
    const malformed = await client.call('POST', '/organizations/{orgId}/bills/approve', { billIds: ['nope'] });
    expect([malformed.status, malformed.body.message]).toEqual([400, expect.stringContaining('billIds.0')]);
  });

  it('validation errors name the field', async () => {
    const client = await apiClient(h, api);
    const customer = await account(client);
    const put = (body: Record<string, unknown>, id: string = crypto.randomUUID()) =>
      client.call('PUT', `/organizations/{orgId}/bills/${id}`, { accountId: customer.id, billDate: '2026-10-31', currency: 'USD', lineItems: LINES, ...body });
    const cases: [Record<string, unknown>, string][] = [
      [{ lineItems: [{ ...LINES[0], lineItemType: 'FREEBIE' }] }, 'lineItems.0.lineItemType'],
      [{ lineItems: [LINES[0], { ...LINES[1], subtotal: 'lots' }] }, 'lineItems.1.subtotal'],
      [{ billDate: '31/10/2026' }, 'billDate'],
      [{ dueDate: '2026-02-30' }, 'dueDate'],
      [{ lineItems: [{ ...LINES[0], description: 'nul \u0000 inside' }] }, 'lineItems.0.description'],
      [{ currency: 'dollars' }, 'currency'],
      [{ billingFrequency: 'HOURLY' }, 'billingFrequency'],
      [{ accountId: crypto.randomUUID() }, 'accountId'],
      [{ lineItems: undefined }, 'lineItems'],
      // Values that pass a plain type check but not the integer column they go into.
      [{ lineItems: [LINES[0], { ...LINES[1], sequenceNumber: 2 ** 31 }] }, 'lineItems.1.sequenceNumber'],
      // The lines add up to 550.25: NetSuite's invoice would carry another total than the one stated.
      [{ billTotal: 999 }, 'billTotal'],
      [{ lineItems: [{ ...LINES[0], id: 'f1d6f3a2-1c2b-4e8f-9a7d-3b5c6d7e8f90' }, { ...LINES[1], id: 'f1d6f3a2-1c2b-4e8f-9a7d-3b5c6d7e8f90' }] }, 'lineItems.1.id'],
    ];
    for (const [body, field] of cases) {
      const response = await put(body);
      expect([field, response.status, response.body.message]).toEqual([field, 400, expect.stringContaining(field)]);
    }
    const badId = await put({}, 'not-a-uuid');
    expect([badId.status, badId.body.message]).toEqual([400, expect.stringContaining('id')]);
    const badStatus = await client.call('PUT', `/organizations/{orgId}/bills/${crypto.randomUUID()}/status`, { status: 'PAID' });
    expect([badStatus.status, badStatus.body.message]).toEqual([400, expect.stringContaining('status')]);
  });

  it("keeps organizations apart: another organization's bills answer 404 and can't be approved", async () => {
    const a = await apiClient(h, api);
    const b = await apiClient(h, api);
    const theirAccount = await account(b);
    const theirs = await putBill(b, theirAccount.id);
    const path = `/organizations/{orgId}/bills/${theirs.id}`;

    expect((await a.call('GET', path)).status).toBe(404);
    expect((await a.call('DELETE', path)).status).toBe(404);
    expect((await a.call('GET', `${path}/lineitems`)).status).toBe(404);
    expect((await a.call('GET', `${path}/lineitems/${theirs.lineItems[0].id}`)).status).toBe(404);
    expect((await a.call('PUT', `${path}/status`, { status: 'APPROVED' })).status).toBe(404);
    expect((await a.call('PUT', `${path}/lock`)).status).toBe(404);
    expect((await a.call('GET', `/organizations/{orgId}/bills/latest/${theirAccount.id}`)).status).toBe(404);
    expect((await a.call('POST', '/organizations/{orgId}/bills/approve', { billIds: [theirs.id] })).status).toBe(404);
    expect((await a.call('GET', `/organizations/{orgId}/bills?ids=${theirs.id}`)).body.data).toEqual([]);
    expect((await a.call('GET', `/organizations/{orgId}/bills?accountId=${theirAccount.id}`)).body.data).toEqual([]);
    // A can't recalculate B's bill: its id is taken, and the answer says nothing else (test/api/security.test.ts,
    // finding 10). Billing B's account is as if it did not exist.
    const mine = await account(a);
    const recalculation = await a.call('PUT', path, { accountId: mine.id, billDate: '2026-10-31', currency: 'USD', lineItems: LINES });
    expect([recalculation.status, recalculation.body.message]).toEqual([409, expect.stringContaining("can't be used for a new bill")]);
    const foreignAccount = await a.call('PUT', `/organizations/{orgId}/bills/${crypto.randomUUID()}`, { accountId: theirAccount.id, billDate: '2026-10-31', currency: 'USD', lineItems: LINES });
    expect([foreignAccount.status, foreignAccount.body.message]).toEqual([400, expect.stringContaining('accountId')]);
    // A's token on B's own path.
    const direct = await fetch(`${api.url}/organizations/${b.orgId}/bills/${theirs.id}`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(direct.status).toBe(404);

    // B's bill is untouched.
    expect((await b.call('GET', path)).body).toEqual(theirs);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const methods = (path: string) => Object.keys(doc.paths[path] ?? {});
    expect(methods('/organizations/{orgId}/bills')).toContain('get');
    expect(methods('/organizations/{orgId}/bills/{id}')).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
    expect(methods('/organizations/{orgId}/bills/latest/{accountId}')).toContain('get');
    expect(methods('/organizations/{orgId}/bills/approve')).toContain('post');
    expect(methods('/organizations/{orgId}/bills/{id}/status')).toContain('put');
    expect(methods('/organizations/{orgId}/bills/{id}/lock')).toContain('put');
    expect(methods('/organizations/{orgId}/bills/{billId}/lineitems')).toContain('get');
    expect(methods('/organizations/{orgId}/bills/{billId}/lineitems/{id}')).toContain('get');
  });
});
