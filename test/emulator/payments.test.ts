import { ACCOUNT, type Harness, invoiceBody, startHarness, idFrom } from './support';

jest.setTimeout(30000);

/** Payments recorded through the admin API, and the balance fields a client reads on the REST record. */
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(() => harness.close());

const admin = () => harness.emulator.admin;
const read = async (path: string) => (await harness.api('GET', path)).json() as Promise<Record<string, unknown>>;
const OPEN = { id: 'open', refName: 'Open' };
const PAID = { id: 'paidInFull', refName: 'Paid In Full' };

/** invoiceBody()'s lines come to 111.99. */
const TOTAL = 111.99;

describe('a fresh invoice', () => {
  it('renders nothing paid, the total remaining, status open', async () => {
    const id = idFrom(await harness.api('PUT', 'invoice/eid:pay-fresh', invoiceBody()));
    expect(await read(`invoice/${id}`)).toMatchObject({
      total: TOTAL,
      amountPaid: 0,
      amountRemaining: TOTAL,
      amountRemainingTotalBox: TOTAL,
      status: OPEN,
    });
    expect((await admin().listInvoices(ACCOUNT)).find((invoice) => invoice.id === id)).toMatchObject({
      type: 'invoice',
      amountPaid: 0,
      amountRemaining: TOTAL,
      status: OPEN,
    });
  });

  it('is paid in full when its total is zero, and a credit memo shows its total remaining', async () => {
    const zero = idFrom(await harness.api('PUT', 'invoice/eid:pay-zero', invoiceBody({ item: { items: [] } })));
    expect(await read(`invoice/${zero}`)).toMatchObject({ total: 0, amountRemaining: 0, status: PAID });

    const memo = idFrom(await harness.api('PUT', 'creditMemo/eid:pay-memo', invoiceBody()));
    const body = await read(`creditMemo/${memo}`);
    expect(body).toMatchObject({ total: TOTAL, amountRemaining: TOTAL, amountRemainingTotalBox: TOTAL, status: OPEN });
  });
});

describe('recording payments', () => {
  it('adds partial payments up to the cent, keeps the invoice open until nothing remains, then paid in full', async () => {
    const id = idFrom(await harness.api('PUT', 'invoice/eid:pay-partial', invoiceBody()));

    const afterFirst = await admin().recordPayment(ACCOUNT, { invoiceId: id, amount: 0.1 });
    expect(afterFirst).toMatchObject({ id, amountPaid: 0.1, amountRemaining: 111.89, status: OPEN });
    await admin().recordPayment(ACCOUNT, { externalId: 'PAY-PARTIAL', amount: 0.2 });
    expect(await read(`invoice/eid:pay-partial`)).toMatchObject({
      amountPaid: 0.3,
      amountRemaining: 111.69,
      amountRemainingTotalBox: 111.69,
      status: OPEN,
    });

    const final = await admin().recordPayment(ACCOUNT, { invoiceId: id, externalId: 'pay-partial', amount: 111.69 });
    expect(final).toMatchObject({ amountPaid: TOTAL, amountRemaining: 0, amountRemainingTotalBox: 0, status: PAID });
    expect(await read(`invoice/${id}`)).toMatchObject({ total: TOTAL, amountPaid: TOTAL, amountRemaining: 0, status: PAID });
  });

  it('refuses a payment larger than what remains, with a message saying so, and records nothing', async () => {
    const id = idFrom(await harness.api('PUT', 'invoice/eid:pay-over', invoiceBody()));
    await admin().recordPayment(ACCOUNT, { invoiceId: id, amount: 100 });
    await expect(admin().recordPayment(ACCOUNT, { invoiceId: id, amount: 12 })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining(`a payment of 12.00 exceeds the 11.99 remaining on invoice ${id}`),
    });
    expect(await read(`invoice/${id}`)).toMatchObject({ amountPaid: 100, amountRemaining: 11.99, status: OPEN });
  });

  it('refuses malformed payments and unknown or non-invoice targets', async () => {
    const id = idFrom(await harness.api('PUT', 'invoice/eid:pay-bad', invoiceBody()));
    const memo = idFrom(await harness.api('PUT', 'creditMemo/eid:pay-bad-memo', invoiceBody()));
    for (const payment of [{ invoiceId: id, amount: 0 }, { invoiceId: id, amount: -5 }, { invoiceId: id, amount: 1.005 }, { amount: 5 }]) {
      await expect(admin().recordPayment(ACCOUNT, payment)).rejects.toMatchObject({ status: 400 });
    }
    await expect(admin().recordPayment(ACCOUNT, { invoiceId: id, externalId: 'pay-bad-memo', amount: 1 })).rejects.toMatchObject({ status: 400 });
    await expect(admin().recordPayment(ACCOUNT, { invoiceId: '987654', amount: 1 })).rejects.toMatchObject({ status: 404 });
    await expect(admin().recordPayment(ACCOUNT, { invoiceId: memo, amount: 1 })).rejects.toMatchObject({ status: 404 });
    await expect(admin().recordPayment(ACCOUNT, { externalId: 'pay-bad-memo', amount: 1 })).rejects.toMatchObject({ status: 404 });
    expect(await read(`invoice/${id}`)).toMatchObject({ amountPaid: 0 });
  });
});

describe('a paid invoice', () => {
  it('is still updated (NetSuite is not known to refuse it), and its writes count shows the update', async () => {
    const id = idFrom(await harness.api('PUT', 'invoice/eid:pay-then-update', invoiceBody()));
    await admin().recordPayment(ACCOUNT, { invoiceId: id, amount: TOTAL });
    expect((await harness.api('PUT', 'invoice/eid:pay-then-update', invoiceBody({ memo: 'changed after payment' }))).status).toBe(204);
    expect((await admin().listInvoices(ACCOUNT)).find((invoice) => invoice.id === id)).toMatchObject({
      writes: 2,
      memo: 'changed after payment',
      amountPaid: TOTAL,
      status: PAID,
    });

    // Raising the total reopens it for the difference.
    const raised = await harness.api('PATCH', `invoice/${id}`, { item: { items: [{ amount: 13 }] } });
    expect(raised.status).toBe(204);
    const body = await read(`invoice/${id}`);
    expect(body).toMatchObject({ total: 112.99, amountPaid: TOTAL, amountRemaining: 1, status: OPEN });
    // The write count is the admin view's, never on the REST record.
    expect(body).not.toHaveProperty('writes');
  });
});
