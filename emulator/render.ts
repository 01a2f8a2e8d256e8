import { type EmulatorContext, recordUrl } from './context';
import { balanceOf } from './payments';
import { periodName } from './periods';
import type { Account, StoredTransaction } from './state';
import { transactionTotal } from './transactions';

/**
 * The JSON NetSuite returns for an invoice or a credit memo: HAL-ish links, references as `{id, refName}`,
 * computed total, balance and posting period.
 */
export const SINGULAR_CONTENT_TYPE = 'application/vnd.oracle.resource+json; type=singular';
export const COLLECTION_CONTENT_TYPE = 'application/vnd.oracle.resource+json; type=collection';

export const selfLinks = (href: string) => [{ rel: 'self', href }];

export function renderItemSublist(context: EmulatorContext, account: Account, transaction: StoredTransaction) {
  const href = `${recordUrl(context, account.hostForm, transaction.type, transaction.id)}/item`;
  return {
    links: selfLinks(href),
    items: transaction.lines.map((line, index) => ({ links: [], line: index + 1, ...line })),
    totalResults: transaction.lines.length,
    count: transaction.lines.length,
    hasMore: false,
    offset: 0,
  };
}

export function renderTransaction(context: EmulatorContext, account: Account, transaction: StoredTransaction, expand: boolean) {
  const href = recordUrl(context, account.hostForm, transaction.type, transaction.id);
  return {
    links: selfLinks(href),
    id: transaction.id,
    ...(transaction.externalId === undefined ? {} : { externalId: transaction.externalId }),
    ...transaction.fields,
    // The contract's shape: a reference by name only (no accountingPeriod internal ids are emulated).
    postingPeriod: { refName: periodName(transaction.postingPeriod) },
    total: transactionTotal(transaction),
    ...balanceOf(transaction),
    createdDate: new Date(transaction.createdAt).toISOString(),
    lastModifiedDate: new Date(transaction.lastModifiedAt).toISOString(),
    item: expand ? renderItemSublist(context, account, transaction) : { links: selfLinks(`${href}/item`) },
  };
}
