import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from './context';
import { balanceOf } from './payments';
import { resolveAccount } from './pipeline';
import { periodName } from './periods';
import type { StoredTransaction, TransactionType } from './state';
import { findTransaction, transactionTotal } from './transactions';

/**
 * The pages a finance user opens from a link the service shows (on `https://{account}.app.netsuite.com`,
 * here `{emulator}/{hostForm}`): a read-only view of one invoice or credit memo. They sit behind
 * NetSuite's browser login, not the REST API's tokens, so the emulator asks for no authentication and
 * counts them in no REST stats. Every value is HTML-escaped: memos and descriptions come from m3ter.
 */
export const UI_PAGES: Record<TransactionType, { path: string; label: string }> = {
  invoice: { path: '/app/accounting/transactions/custinvc.nl', label: 'Invoice' },
  creditMemo: { path: '/app/accounting/transactions/custcred.nl', label: 'Credit Memo' },
};

type PageRequest = FastifyRequest<{ Params: { account: string }; Querystring: Record<string, string | undefined> }>;

export function registerUiPages(app: FastifyInstance, context: EmulatorContext): void {
  for (const [type, page] of Object.entries(UI_PAGES) as Array<[TransactionType, (typeof UI_PAGES)[TransactionType]]>) {
    app.get(`/:account${page.path}`, async (request: PageRequest, reply: FastifyReply) => {
      const account = resolveAccount(context, request.params.account);
      const id = request.query.id;
      // Another type's id is not found either: NetSuite's custinvc.nl shows invoices only.
      const transaction = account === undefined || id === undefined ? undefined : findTransaction(account, type, { id });
      if (transaction === undefined) return html(reply, 404, notFoundPage(page.label, id));
      return html(reply, 200, transactionPage(page.label, transaction));
    });
  }
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('x-content-type-options', 'nosniff').send(body);
}

export function escapeHtml(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const money = (value: unknown): string => (typeof value === 'number' ? value.toFixed(2) : '');
const refName = (value: unknown): unknown =>
  typeof value === 'object' && value !== null ? ((value as { refName?: unknown; id?: unknown }).refName ?? (value as { id?: unknown }).id) : value;

function document(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} - NetSuite</title></head>
<body>
${body}
</body>
</html>
`;
}

/** `data-field` names each value so a browser test can read it without depending on the layout. */
function transactionPage(label: string, transaction: StoredTransaction): string {
  const balance = balanceOf(transaction);
  const summary: Array<[string, string, string]> = [
    ['recordType', 'Record type', escapeHtml(label)],
    ['number', 'Number', escapeHtml(transaction.id)],
    ['externalId', 'External ID', escapeHtml(transaction.externalId)],
    ['customer', 'Customer', escapeHtml(refName(transaction.fields.entity))],
    ['tranDate', 'Date', escapeHtml(transaction.fields.tranDate)],
    ['postingPeriod', 'Posting period', escapeHtml(periodName(transaction.postingPeriod))],
    ['status', 'Status', escapeHtml(balance.status.refName)],
    ['amountRemaining', 'Amount remaining', money(balance.amountRemaining)],
    ['memo', 'Memo', escapeHtml(transaction.fields.memo)],
  ];
  const lines = transaction.lines.map(
    (line, index) =>
      `<tr data-line="${index + 1}"><td data-field="item">${escapeHtml(refName(line.item))}</td>` +
      `<td data-field="description">${escapeHtml(line.description)}</td>` +
      `<td data-field="quantity">${escapeHtml(line.quantity)}</td>` +
      `<td data-field="rate">${escapeHtml(line.rate)}</td>` +
      `<td data-field="amount">${money(line.amount)}</td></tr>`,
  );
  const title = `${label} #${transaction.id}`;
  return document(
    title,
    `<h1>${escapeHtml(title)}</h1>
<table class="summary">
${summary.map(([field, name, value]) => `<tr><th>${name}</th><td data-field="${field}">${value}</td></tr>`).join('\n')}
</table>
<h2>Items</h2>
<table class="items">
<thead><tr><th>Item</th><th>Description</th><th>Quantity</th><th>Rate</th><th>Amount</th></tr></thead>
<tbody>
${lines.join('\n')}
</tbody>
<tfoot><tr><th colspan="4">Total</th><td data-field="total">${money(transactionTotal(transaction))}</td></tr></tfoot>
</table>`,
  );
}

function notFoundPage(label: string, id: string | undefined): string {
  return document(
    'Record not found',
    `<h1>Record not found</h1>\n<p>There is no ${escapeHtml(label.toLowerCase())} with internal id ${escapeHtml(id ?? '(none)')} in this account.</p>`,
  );
}
