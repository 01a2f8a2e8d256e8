import { ACCOUNT, type Harness, HOST_FORM, errorDetail, invoiceBody, startHarness, idFrom } from './support';

jest.setTimeout(30000);

/** Credit memos beside invoices, negative totals, and DELETE: what a client of the REST record service sees. */
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(() => harness.close());

const admin = () => harness.emulator.admin;
const recordBase = () => `${harness.emulator.url}/${HOST_FORM}/services/rest/record/v1`;

/** A credit memo body: one line crediting 25.50. */
const creditBody = (overrides: Record<string, unknown> = {}) =>
  invoiceBody({ memo: 'Credit for January', item: { items: [{ item: { id: '78' }, quantity: 1, rate: 25.5, amount: 25.5 }] }, ...overrides });

const NEGATIVE = { item: { items: [{ item: { id: '77' }, amount: 10 }, { item: { id: '78' }, amount: -10.01 }] } };

describe('credit memos', () => {
  it('upserts with PUT creditMemo/eid:, answering 204 and a Location at creditMemo/{id}', async () => {
    const first = await harness.api('PUT', 'creditMemo/eid:credit-put-1', creditBody());
    expect(first.status).toBe(204);
    expect(await first.text()).toBe('');
    expect(first.headers.get('location')).toMatch(new RegExp(`^${recordBase()}/creditMemo/\\d+$`));

    const second = await harness.api('PUT', 'creditMemo/eid:CREDIT-PUT-1', creditBody({ memo: 'again' }));
    expect(second.status).toBe(204);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));

    const memos = (await admin().listCreditMemos(ACCOUNT)).filter((memo) => memo.externalId === 'credit-put-1');
    expect(memos).toEqual([
      expect.objectContaining({ type: 'creditMemo', id: idFrom(first), memo: 'again', total: 25.5, amountRemaining: 25.5, writes: 2 }),
    ]);
    // Invoices and credit memos are listed apart.
    expect((await admin().listInvoices(ACCOUNT)).some((invoice) => invoice.externalId === 'credit-put-1')).toBe(false);
  });

  it('creates with POST, patches, and reads by id or external id like an invoice', async () => {
    const created = await harness.api('POST', 'creditMemo', creditBody({ externalId: 'credit-post-1' }));
    expect(created.status).toBe(204);
    const id = idFrom(created);
    expect(created.headers.get('location')).toBe(`${recordBase()}/creditMemo/${id}`);

    const patched = await harness.api('PATCH', `creditMemo/${id}?replace=item`, { item: { items: [{ item: { id: '77' }, amount: 3 }] } });
    expect(patched.status).toBe(204);

    const read = await harness.api('GET', `creditMemo/eid:CREDIT-POST-1?expandSubResources=true`);
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('application/vnd.oracle.resource+json; type=singular');
    expect(await read.json()).toMatchObject({
      links: [{ rel: 'self', href: `${recordBase()}/creditMemo/${id}` }],
      id,
      externalId: 'credit-post-1',
      entity: { id: '501', refName: 'Acme Ltd' },
      total: 3,
      amountRemaining: 3,
      amountRemainingTotalBox: 3,
      postingPeriod: { refName: 'Jan 2025' },
      item: { items: [expect.objectContaining({ line: 1, item: { id: '77', refName: 'API calls' }, amount: 3 })], totalResults: 1 },
    });

    const sublist = await harness.api('GET', `creditMemo/${id}/item`);
    expect(sublist.status).toBe(200);
    expect(sublist.headers.get('content-type')).toBe('application/vnd.oracle.resource+json; type=collection');
    expect(await sublist.json()).toMatchObject({ links: [{ rel: 'self', href: `${recordBase()}/creditMemo/${id}/item` }], totalResults: 1 });
  });

  it('shares one internal-id sequence and one external-id namespace with invoices', async () => {
    const invoice = await harness.api('PUT', 'invoice/eid:shared-ns-1', invoiceBody());
    const memo = await harness.api('PUT', 'creditMemo/eid:shared-ns-2', creditBody());
    const invoiceId = Number(idFrom(invoice));
    expect(Number(idFrom(memo))).toBe(invoiceId + 1);

    // An invoice's external id cannot be taken by a credit memo, by PUT or POST, in any case.
    for (const response of [
      await harness.api('PUT', 'creditMemo/eid:SHARED-NS-1', creditBody()),
      await harness.api('POST', 'creditMemo', creditBody({ externalId: 'shared-ns-1' })),
      await harness.api('POST', 'invoice', invoiceBody({ externalId: 'shared-ns-2' })),
    ]) {
      expect(response.status).toBe(400);
      const detail = await errorDetail(response);
      expect(detail['o:errorCode']).toBe('USER_ERROR');
      expect(detail.detail).toMatch(/external ID "shared-ns-[12]" is already used/i);
    }
    expect((await admin().listCreditMemos(ACCOUNT)).filter((memo) => memo.externalId?.startsWith('shared-ns'))).toHaveLength(1);

    // Each type's routes find only their own records.
    for (const ref of [`creditMemo/${invoiceId}`, 'creditMemo/eid:shared-ns-1', `invoice/${invoiceId + 1}`, 'invoice/eid:shared-ns-2']) {
      const response = await harness.api('GET', ref);
      expect(response.status).toBe(404);
      expect((await errorDetail(response))['o:errorCode']).toBe('NONEXISTENT_ID');
    }
    expect((await harness.api('PATCH', `creditMemo/${invoiceId}`, { memo: 'x' })).status).toBe(404);
  });
});

describe('negative totals', () => {
  it.each([
    ['invoice', 'POST', 'invoice', invoiceBody({ externalId: 'neg-post-inv', ...NEGATIVE })],
    ['invoice', 'PUT', 'invoice/eid:neg-put-inv', invoiceBody(NEGATIVE)],
    ['creditMemo', 'POST', 'creditMemo', creditBody({ externalId: 'neg-post-cm', ...NEGATIVE })],
    ['creditMemo', 'PUT', 'creditMemo/eid:neg-put-cm', creditBody(NEGATIVE)],
  ] as const)('refuses a %s created by %s with a total below zero, storing nothing', async (type, method, path, body) => {
    const list = () => (type === 'invoice' ? admin().listInvoices(ACCOUNT) : admin().listCreditMemos(ACCOUNT));
    const before = await list();
    const response = await harness.api(method, path, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1',
      title: 'Bad Request',
      status: 400,
      'o:errorDetails': [{ detail: 'The total cannot be negative.', 'o:errorCode': 'USER_ERROR' }],
    });
    expect(await list()).toEqual(before);
  });

  it.each(['invoice', 'creditMemo'])('refuses an update of a %s that would make its total negative, leaving it unchanged', async (type) => {
    const created = await harness.api('PUT', `${type}/eid:neg-update-${type}`, invoiceBody());
    const id = idFrom(created);
    const read = async () => (await harness.api('GET', `${type}/${id}?expandSubResources=true`)).json() as Promise<{ total: number }>;
    const before = await read();

    const merged = await harness.api('PATCH', `${type}/${id}`, { item: { items: [{ amount: -200 }] } });
    expect(merged.status).toBe(400);
    expect(await errorDetail(merged)).toEqual({ detail: 'The total cannot be negative.', 'o:errorCode': 'USER_ERROR' });
    const replaced = await harness.api('PUT', `${type}/eid:neg-update-${type}?replace=item`, { item: { items: [{ item: { id: '77' }, amount: -0.01 }] } });
    expect(replaced.status).toBe(400);

    expect(await read()).toEqual(before);
    expect((await read()).total).toBe(111.99);
    const listed = type === 'invoice' ? await admin().listInvoices(ACCOUNT) : await admin().listCreditMemos(ACCOUNT);
    expect(listed.find((record) => record.id === id)?.writes).toBe(1);
  });

  it('allows a total of exactly zero, to the cent (lines summing to zero, or no lines)', async () => {
    const balanced = { item: { items: [{ item: { id: '77' }, amount: 0.1 }, { item: { id: '77' }, amount: 0.2 }, { item: { id: '78' }, amount: -0.3 }] } };
    expect((await harness.api('PUT', 'invoice/eid:zero-inv', invoiceBody(balanced))).status).toBe(204);
    expect((await harness.api('PUT', 'creditMemo/eid:zero-cm', creditBody({ item: { items: [] } }))).status).toBe(204);
    expect((await admin().listInvoices(ACCOUNT)).find((invoice) => invoice.externalId === 'zero-inv')?.total).toBe(0);
    expect((await admin().listCreditMemos(ACCOUNT)).find((memo) => memo.externalId === 'zero-cm')?.total).toBe(0);
  });
});

describe('DELETE', () => {
  it.each(['invoice', 'creditMemo'])('deletes a %s by id or external id: 204, then 404 and gone from the admin list', async (type) => {
    const list = () => (type === 'invoice' ? admin().listInvoices(ACCOUNT) : admin().listCreditMemos(ACCOUNT));
    const byId = idFrom(await harness.api('PUT', `${type}/eid:delete-${type}-1`, invoiceBody()));
    await harness.api('PUT', `${type}/eid:delete-${type}-2`, invoiceBody());
    const deletesBefore = (await admin().getStats(ACCOUNT)).requests.delete;

    const first = await harness.api('DELETE', `${type}/${byId}`);
    expect(first.status).toBe(204);
    expect(await first.text()).toBe('');
    expect((await harness.api('DELETE', `${type}/eid:DELETE-${type.toUpperCase()}-2`)).status).toBe(204);

    for (const ref of [`${type}/${byId}`, `${type}/eid:delete-${type}-2`]) {
      const gone = await harness.api('GET', ref);
      expect(gone.status).toBe(404);
      expect((await errorDetail(gone))['o:errorCode']).toBe('NONEXISTENT_ID');
      const again = await harness.api('DELETE', ref);
      expect(again.status).toBe(404);
      expect((await errorDetail(again))['o:errorCode']).toBe('NONEXISTENT_ID');
    }
    expect((await list()).filter((record) => record.externalId?.startsWith(`delete-${type}`))).toEqual([]);
    expect((await admin().getStats(ACCOUNT)).requests.delete).toBe(deletesBefore + 4);
  });

  it('refuses to delete an invoice with a payment (dependent records), and does not delete another type by its id', async () => {
    const id = idFrom(await harness.api('PUT', 'invoice/eid:delete-paid', invoiceBody()));
    await admin().recordPayment(ACCOUNT, { invoiceId: id, amount: 10 });
    const refused = await harness.api('DELETE', `invoice/${id}`);
    expect(refused.status).toBe(400);
    expect(await errorDetail(refused)).toEqual({
      detail: 'This record cannot be deleted because it has dependent records.',
      'o:errorCode': 'USER_ERROR',
    });
    expect((await harness.api('DELETE', `creditMemo/${id}`)).status).toBe(404);
    expect((await harness.api('GET', `invoice/${id}`)).status).toBe(200);
  });

  it('frees the external id for a new record, with a new internal id', async () => {
    const first = idFrom(await harness.api('PUT', 'invoice/eid:delete-reuse', invoiceBody()));
    await harness.api('DELETE', `invoice/${first}`);
    const memo = await harness.api('PUT', 'creditMemo/eid:delete-reuse', creditBody());
    expect(memo.status).toBe(204);
    expect(Number(idFrom(memo))).toBeGreaterThan(Number(first));
  });

  it('goes through the governance pipeline: authentication and faults scripted for the delete operation', async () => {
    const id = idFrom(await harness.api('PUT', 'invoice/eid:delete-governed', invoiceBody()));
    expect((await harness.api('DELETE', `invoice/${id}`, undefined, 'made-up')).status).toBe(401);

    await admin().scriptFaults(ACCOUNT, [{ kind: 'error500', operation: 'delete' }]);
    expect((await harness.api('GET', `invoice/${id}`)).status).toBe(200);
    const faulted = await harness.api('DELETE', `invoice/${id}`);
    expect(faulted.status).toBe(500);
    expect((await errorDetail(faulted))['o:errorCode']).toBe('UNEXPECTED_ERROR');
    expect((await harness.api('GET', `invoice/${id}`)).status).toBe(200);
    expect((await harness.api('DELETE', `invoice/${id}`)).status).toBe(204);
  });
});
