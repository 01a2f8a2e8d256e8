import { ACCOUNT, type Harness, HOST_FORM, errorDetail, invoiceBody, startHarness, idFrom } from './support';

jest.setTimeout(30000);

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(() => harness.close());

const invoices = () => harness.emulator.admin.listInvoices(ACCOUNT);

describe('authentication of record requests', () => {
  it('answers 401 INVALID_LOGIN with WWW-Authenticate once the access token has expired', async () => {
    const token = await harness.token();
    expect((await harness.api('GET', 'invoice/999999', undefined, token)).status).toBe(404);
    harness.clock.advance(3600);
    const response = await harness.api('GET', 'invoice/999999', undefined, token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${ACCOUNT}", error="invalid_token"`);
    expect(await response.json()).toEqual({
      type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2',
      title: 'Unauthorized',
      status: 401,
      'o:errorDetails': [
        {
          detail:
            'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
          'o:errorCode': 'INVALID_LOGIN',
        },
      ],
    });
  });

  it('answers 401 without a token or with an unknown one', async () => {
    const none = await fetch(`${harness.emulator.url}/${HOST_FORM}/services/rest/record/v1/invoice/1`);
    expect(none.status).toBe(401);
    expect((await harness.api('GET', 'invoice/1', undefined, 'made-up')).status).toBe(401);
  });
});

describe('invoice writes', () => {
  it('creates with POST: 204, no body, Location with a numeric internal id', async () => {
    const response = await harness.api('POST', 'invoice', invoiceBody({ externalId: 'bill-post-1' }));
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    const location = response.headers.get('location');
    expect(location).toMatch(new RegExp(`^${harness.emulator.url}/${HOST_FORM}/services/rest/record/v1/invoice/\\d+$`));

    const duplicate = await harness.api('POST', 'invoice', invoiceBody({ externalId: 'BILL-POST-1' }));
    expect(duplicate.status).toBe(400);
    const detail = await errorDetail(duplicate);
    expect(detail['o:errorCode']).toBe('USER_ERROR');
    expect(detail.detail).toMatch(/external ID "BILL-POST-1" is already used/);
    expect((await invoices()).filter((invoice) => invoice.externalId === 'bill-post-1')).toHaveLength(1);
  });

  it('upserts with PUT eid: twice into one invoice written twice', async () => {
    const first = await harness.api('PUT', 'invoice/eid:bill-put-1', invoiceBody());
    const second = await harness.api('PUT', 'invoice/eid:BILL-put-1', invoiceBody({ memo: 'again' }));
    expect([first.status, second.status]).toEqual([204, 204]);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    const matching = (await invoices()).filter((invoice) => invoice.externalId?.toLowerCase() === 'bill-put-1');
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({ externalId: 'bill-put-1', writes: 2, memo: 'again' });
  });

  it('rejects an unknown item with o:errorPath item.items[1].item and stores nothing', async () => {
    const before = (await invoices()).length;
    const body = invoiceBody();
    (body.item as { items: Array<Record<string, unknown>> }).items[1]!.item = { externalId: 'no-such-item' };
    const response = await harness.api('PUT', 'invoice/eid:bill-bad-item', body);
    expect(response.status).toBe(400);
    expect(await errorDetail(response)).toMatchObject({ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'item.items[1].item' });
    expect((await invoices()).length).toBe(before);
  });

  it.each([
    ['a missing entity', { entity: undefined }, 'entity'],
    ['an unknown customer', { entity: { id: '999' } }, 'entity'],
    ['an unregistered custcol field', { item: { items: [{ item: { id: '77' }, amount: 1, custcol_other: 'x' }] } }, 'item.items[0].custcol_other'],
    ['a quantity given as a string', { item: { items: [{ item: { id: '77' }, quantity: '3' }] } }, 'item.items[0].quantity'],
    ['a line without item', { item: { items: [{ amount: 5 }] } }, 'item.items[0].item'],
    ['a bad date', { tranDate: '31/01/2025' }, 'tranDate'],
  ])('rejects %s with INVALID_CONTENT', async (_label, overrides, errorPath) => {
    const body = invoiceBody(overrides);
    for (const [key, value] of Object.entries(body)) if (value === undefined) delete body[key];
    const response = await harness.api('POST', 'invoice', body);
    expect(response.status).toBe(400);
    expect(await errorDetail(response)).toMatchObject({ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': errorPath });
  });

  it('answers INVALID_REQUEST for malformed JSON', async () => {
    const response = await harness.api('POST', 'invoice', '{"entity": ');
    expect(response.status).toBe(400);
    expect((await errorDetail(response))['o:errorCode']).toBe('INVALID_REQUEST');
  });

  it('tolerates unknown top-level fields and keeps them', async () => {
    const response = await harness.api('PUT', 'invoice/eid:bill-extra', invoiceBody({ custbody_anything: 'kept', otherRefNum: 'PO-1' }));
    expect(response.status).toBe(204);
    const invoice = (await invoices()).find((candidate) => candidate.externalId === 'bill-extra');
    expect(invoice).toMatchObject({ custbody_anything: 'kept', otherRefNum: 'PO-1', currency: { id: '1' } });
  });
});

describe('invoice updates', () => {
  it('PATCH leaves omitted fields, deletes null ones, and 404s for unknown ids', async () => {
    const created = await harness.api('PUT', 'invoice/eid:bill-patch', invoiceBody());
    const id = idFrom(created);
    const patched = await harness.api('PATCH', `invoice/${id}`, { memo: null, dueDate: '2025-03-31' });
    expect(patched.status).toBe(204);
    const invoice = (await invoices()).find((candidate) => candidate.id === id);
    expect(invoice).not.toHaveProperty('memo');
    expect(invoice).toMatchObject({ dueDate: '2025-03-31', tranDate: '2025-01-31', writes: 2 });

    const byEid = await harness.api('PATCH', 'invoice/eid:BILL-PATCH', { memo: 'via eid' });
    expect(byEid.status).toBe(204);

    const missing = await harness.api('PATCH', 'invoice/424242', { memo: 'x' });
    expect(missing.status).toBe(404);
    expect((await errorDetail(missing))['o:errorCode']).toBe('NONEXISTENT_ID');
  });

  it('merges the item sublist by position, or replaces it with ?replace=item', async () => {
    const created = await harness.api('PUT', 'invoice/eid:bill-lines', invoiceBody());
    const id = idFrom(created);
    const update = { item: { items: [{ amount: 20 }] } };

    await harness.api('PATCH', `invoice/${id}`, update);
    let invoice = (await invoices()).find((candidate) => candidate.id === id)!;
    expect(invoice.item.items).toHaveLength(2);
    expect(invoice.item.items[0]).toMatchObject({ item: { id: '77' }, amount: 20, custcol_m3ter_external_line_item: 'line-1' });
    expect(invoice.total).toBe(119.99);

    const replaced = await harness.api('PATCH', `invoice/${id}?replace=item`, { item: { items: [{ item: { id: '78' }, amount: 5 }] } });
    expect(replaced.status).toBe(204);
    invoice = (await invoices()).find((candidate) => candidate.id === id)!;
    expect(invoice.item.items).toEqual([expect.objectContaining({ line: 1, item: { id: '78', refName: 'Platform fee' }, amount: 5 })]);
    expect(invoice.total).toBe(5);

    // Without replace, a line update that does not name an item needs an existing line to merge into.
    const appended = await harness.api('PUT', 'invoice/eid:bill-lines', { item: { items: [{}, { amount: 1 }] } });
    expect(appended.status).toBe(400);
    expect((await errorDetail(appended))['o:errorPath']).toBe('item.items[1].item');
  });
});

describe('invoice reads', () => {
  it('returns a singular resource with links, references, total, and an expandable item sublist', async () => {
    const created = await harness.api('PUT', 'invoice/eid:bill-read', invoiceBody());
    const id = idFrom(created);

    const plain = await harness.api('GET', `invoice/${id}`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/vnd.oracle.resource+json; type=singular');
    const body = (await plain.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id,
      externalId: 'bill-read',
      entity: { id: '501', refName: 'Acme Ltd' },
      tranDate: '2025-01-31',
      total: 111.99,
      item: { links: [{ rel: 'self', href: `${harness.emulator.accountUrl(ACCOUNT)}/services/rest/record/v1/invoice/${id}/item` }] },
    });

    const expanded = (await (await harness.api('GET', `invoice/eid:BILL-READ?expandSubResources=true`)).json()) as {
      item: { items: Array<Record<string, unknown>>; totalResults: number };
    };
    expect(expanded.item.totalResults).toBe(2);
    expect(expanded.item.items[1]).toMatchObject({ item: { id: '77', refName: 'API calls' }, quantity: 1, rate: 99.99, amount: 99.99 });
  });

  it('404s with NONEXISTENT_ID for unknown ids and external ids', async () => {
    for (const ref of ['invoice/9999', 'invoice/eid:never-sent']) {
      const response = await harness.api('GET', ref);
      expect(response.status).toBe(404);
      expect((await errorDetail(response))['o:errorCode']).toBe('NONEXISTENT_ID');
    }
  });

  it('rejects external ids with characters NetSuite cannot parse', async () => {
    const response = await harness.api('PUT', 'invoice/eid:bill%7Cpipe', invoiceBody());
    expect(response.status).toBe(400);
  });
});

describe('the look-ups of a configuration check', () => {
  const suiteql = async (q: unknown, headers: Record<string, string> = { prefer: 'transient' }) =>
    fetch(`${harness.emulator.url}/${HOST_FORM}/services/rest/query/v1/suiteql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await harness.token()}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ q }),
    });

  beforeAll(async () => {
    await harness.emulator.admin.addItem({ accountId: ACCOUNT, id: '710', name: 'Other' });
    await harness.emulator.admin.addCustomField({ accountId: ACCOUNT, scriptId: 'custcol_m3ter_external_line_item' });
    await harness.emulator.admin.addCustomer({ accountId: ACCOUNT, id: '720', externalId: 'acct-lookup-1', name: 'Lookup Ltd' });
  });

  it('answers SuiteQL for items and custom fields, values as strings and column names in lower case', async () => {
    const items = await suiteql('SELECT id, itemid FROM item WHERE id IN (710, 711)');
    expect(items.status).toBe(200);
    expect(await items.json()).toEqual({ links: [], count: 1, hasMore: false, items: [{ links: [], id: '710', itemid: 'Other' }], offset: 0, totalResults: 1 });
    const fields = (await (await suiteql("SELECT scriptid FROM customfield WHERE UPPER(scriptid) IN ('CUSTCOL_M3TER_EXTERNAL_LINE_ITEM', 'CUSTCOL_NOPE')")).json()) as { items: unknown[] };
    expect(fields.items).toEqual([{ links: [], scriptid: 'CUSTCOL_M3TER_EXTERNAL_LINE_ITEM' }]);
  });

  it('refuses SuiteQL without "Prefer: transient", and queries it does not understand, as NetSuite refuses them', async () => {
    const noPrefer = await suiteql('SELECT id FROM item WHERE id IN (1)', {});
    expect(noPrefer.status).toBe(400);
    expect((await errorDetail(noPrefer)).detail).toContain('Prefer: transient');
    for (const q of ['SELECT * FROM item', 'SELECT id FROM nothing WHERE id IN (1)', 'SELECT price FROM item WHERE id IN (1)', 'SELECT id FROM item WHERE id IN (Other)']) {
      const refused = await suiteql(q);
      expect([q, refused.status]).toEqual([q, 400]);
      expect((await errorDetail(refused))['o:errorCode']).toBe('INVALID_PARAMETER');
    }
  });

  it('reads a customer by external id (eid:) or internal id, and answers 404 NONEXISTENT_ID for one it does not have', async () => {
    const byEid = await harness.api('GET', 'customer/eid:acct-lookup-1');
    expect(byEid.status).toBe(200);
    expect(await byEid.json()).toMatchObject({ id: '720', externalId: 'acct-lookup-1', companyName: 'Lookup Ltd' });
    expect((await harness.api('GET', 'customer/720')).status).toBe(200);
    const missing = await harness.api('GET', 'customer/eid:someone-else');
    expect(missing.status).toBe(404);
    expect((await errorDetail(missing))['o:errorCode']).toBe('NONEXISTENT_ID');
  });
});
