import { type EmulatorContext, invoiceUrl } from './context';
import { invoiceTotal } from './invoices';
import type { Account, StoredInvoice } from './state';

/** The JSON NetSuite returns for an invoice: HAL-ish links, references as `{id, refName}`, computed total. */
export const SINGULAR_CONTENT_TYPE = 'application/vnd.oracle.resource+json; type=singular';
export const COLLECTION_CONTENT_TYPE = 'application/vnd.oracle.resource+json; type=collection';

const self = (href: string) => [{ rel: 'self', href }];

export function renderItemSublist(context: EmulatorContext, account: Account, invoice: StoredInvoice) {
  const href = `${invoiceUrl(context, account.hostForm, invoice.id)}/item`;
  return {
    links: self(href),
    items: invoice.lines.map((line, index) => ({ links: [], line: index + 1, ...line })),
    totalResults: invoice.lines.length,
    count: invoice.lines.length,
    hasMore: false,
    offset: 0,
  };
}

export function renderInvoice(context: EmulatorContext, account: Account, invoice: StoredInvoice, expand: boolean) {
  const href = invoiceUrl(context, account.hostForm, invoice.id);
  return {
    links: self(href),
    id: invoice.id,
    ...(invoice.externalId === undefined ? {} : { externalId: invoice.externalId }),
    ...invoice.fields,
    total: invoiceTotal(invoice),
    createdDate: new Date(invoice.createdAt).toISOString(),
    lastModifiedDate: new Date(invoice.lastModifiedAt).toISOString(),
    item: expand ? renderItemSublist(context, account, invoice) : { links: self(`${href}/item`) },
  };
}
