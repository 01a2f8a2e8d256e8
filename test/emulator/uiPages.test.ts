import { ACCOUNT, type Harness, HOST_FORM, invoiceBody, startHarness, idFrom } from './support';

jest.setTimeout(30000);

/** The invoice and credit memo pages a finance user opens: HTML, no token, every value escaped. */
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await harness.emulator.admin.addCustomer({ accountId: ACCOUNT, id: '666', externalId: 'evil-co', name: 'Evil <script>alert(1)</script> & Co' });
});

afterAll(() => harness.close());

const page = (name: string, query: string, account = HOST_FORM) =>
  fetch(`${harness.emulator.url}/${account}/app/accounting/transactions/${name}${query}`);
/** The text of the element carrying `data-field="<field>"` (the first one). */
const field = (html: string, name: string) => new RegExp(`data-field="${name}">([^<]*)<`).exec(html)?.[1];

describe('UI pages', () => {
  it('shows an invoice: type, number, external id, customer, date, period, status, amount remaining, lines and total', async () => {
    const id = idFrom(await harness.api('PUT', 'invoice/eid:ui-invoice', invoiceBody({ tranDate: '2025-01-31' })));
    await harness.emulator.admin.recordPayment(ACCOUNT, { invoiceId: id, amount: 11.99 });

    const response = await page('custinvc.nl', `?id=${id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`<h1>Invoice #${id}</h1>`);
    expect(field(html, 'recordType')).toBe('Invoice');
    expect(field(html, 'number')).toBe(id);
    expect(field(html, 'externalId')).toBe('ui-invoice');
    expect(field(html, 'customer')).toBe('Acme Ltd');
    expect(field(html, 'tranDate')).toBe('2025-01-31');
    expect(field(html, 'postingPeriod')).toBe('Jan 2025');
    expect(field(html, 'status')).toBe('Open');
    expect(field(html, 'amountRemaining')).toBe('100.00');
    expect(field(html, 'total')).toBe('111.99');
    expect(html).toContain(
      '<tr data-line="2"><td data-field="item">API calls</td><td data-field="description">Platform</td>' +
        '<td data-field="quantity">1</td><td data-field="rate">99.99</td><td data-field="amount">99.99</td></tr>',
    );
    expect(html).toContain('<td data-field="quantity">1000</td><td data-field="rate">0.012</td><td data-field="amount">12.00</td>');
  });

  it('shows a credit memo on custcred.nl, and HTML-escapes every value', async () => {
    const hostile = '<img src=x onerror="alert(1)">';
    const id = idFrom(
      await harness.api(
        'PUT',
        'creditMemo/eid:ui-credit',
        invoiceBody({
          entity: { id: '666' },
          memo: `memo ${hostile}`,
          item: { items: [{ item: { id: '78' }, quantity: 1, rate: 5, amount: 5, description: `Refund ${hostile} & 'more'` }] },
        }),
      ),
    );
    const response = await page('custcred.nl', `?id=${id}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`<h1>Credit Memo #${id}</h1>`);
    expect(field(html, 'recordType')).toBe('Credit Memo');
    expect(field(html, 'externalId')).toBe('ui-credit');
    expect(field(html, 'status')).toBe('Open');
    expect(field(html, 'amountRemaining')).toBe('5.00');
    expect(field(html, 'total')).toBe('5.00');
    expect(field(html, 'customer')).toBe('Evil &#60;script&#62;alert(1)&#60;/script&#62; &#38; Co');
    expect(field(html, 'description')).toBe('Refund &#60;img src=x onerror=&#34;alert(1)&#34;&#62; &#38; &#39;more&#39;');
    expect(field(html, 'memo')).toBe('memo &#60;img src=x onerror=&#34;alert(1)&#34;&#62;');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
  });

  it('answers 404 HTML for unknown ids, a missing id, an unknown account, or the other type’s page', async () => {
    const invoice = idFrom(await harness.api('PUT', 'invoice/eid:ui-wrong-page', invoiceBody()));
    const memo = idFrom(await harness.api('PUT', 'creditMemo/eid:ui-wrong-page-cm', invoiceBody()));
    for (const response of [
      await page('custinvc.nl', '?id=987654'),
      await page('custcred.nl', '?id=987654'),
      await page('custinvc.nl', ''),
      await page('custinvc.nl', `?id=${invoice}`, '7654321'),
      await page('custcred.nl', `?id=${invoice}`),
      await page('custinvc.nl', `?id=${memo}`),
      await page('custinvc.nl', '?id=%3Cscript%3E'),
    ]) {
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await response.text();
      expect(html).toContain('<h1>Record not found</h1>');
      expect(html).not.toContain('<script>');
    }
  });

  it('needs no token, accepts the account id in either form, and counts no REST request', async () => {
    const id = idFrom(await harness.api('PUT', 'invoice/eid:ui-no-token', invoiceBody()));
    const before = await harness.emulator.admin.getStats(ACCOUNT);
    expect((await page('custinvc.nl', `?id=${id}`, '1234567_SB1')).status).toBe(200);
    expect((await harness.emulator.admin.getStats(ACCOUNT)).requests).toEqual(before.requests);
  });
});
