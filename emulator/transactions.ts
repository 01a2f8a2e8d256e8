import { invalidContent, invalidRequest, restError } from './errors';
import { assertChangeable, postingPeriodForCreate, postingPeriodForUpdate, today } from './periods';
import { isValidExternalId, resolveReference, sameExternalId, toReference } from './references';
import type { Account, Line, StoredTransaction, TransactionType } from './state';

/**
 * Transaction semantics, shared by invoices and credit memos: strict validation of references and line
 * fields, NetSuite's update rules (omitted fields stay, `null` deletes, the item sublist merges by
 * position unless replaced), totals that may not be negative, and closed accounting periods.
 * Every check runs before anything is stored, so a refused write leaves the transaction untouched.
 */
type Body = Record<string, unknown>;

/** Computed or system-managed on the real record: a client sending them back (e.g. a GET body) is ignored. */
const READ_ONLY_FIELDS = new Set([
  'id',
  'links',
  'total',
  'subtotal',
  'createdDate',
  'lastModifiedDate',
  'postingPeriod',
  'amountPaid',
  'amountRemaining',
  'amountRemainingTotalBox',
  'status',
]);
const DATE_FIELDS = new Set(['tranDate', 'dueDate', 'startDate', 'endDate']);
const NUMERIC_LINE_FIELDS = ['quantity', 'rate', 'amount'] as const;

export function parseBody(raw: unknown): Body {
  if (typeof raw !== 'string' || raw.trim() === '') throw invalidRequest('The request body is empty; send a JSON object.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw invalidRequest('The request body must be a JSON object.');
  return parsed;
}

export function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Across both types: external ids are unique among all transactions, not per record type. */
export function findByExternalId(account: Account, externalId: string): StoredTransaction | undefined {
  for (const transaction of account.transactions.values()) {
    if (sameExternalId(transaction.externalId, externalId)) return transaction;
  }
  return undefined;
}

/** A transaction of one type by internal id or external id; another type's record is not found. */
export function findTransaction(account: Account, type: TransactionType, ref: { id?: string; externalId?: string }): StoredTransaction | undefined {
  const found = ref.externalId === undefined ? account.transactions.get(ref.id ?? '') : findByExternalId(account, ref.externalId);
  return found?.type === type ? found : undefined;
}

export function transactionsOf(account: Account, type: TransactionType): StoredTransaction[] {
  return [...account.transactions.values()].filter((transaction) => transaction.type === type);
}

interface Plan {
  externalId: string | undefined;
  fields: Body;
  lines: Line[];
}

function plan(account: Account, existing: StoredTransaction | undefined, body: Body, replaceItems: boolean, nowMs: number): Plan {
  const fields: Body = { ...(existing?.fields ?? {}) };
  let externalId = existing?.externalId;
  let lines = existing?.lines ?? [];

  for (const [key, value] of Object.entries(body)) {
    if (READ_ONLY_FIELDS.has(key)) continue;
    if (key === 'externalId') {
      if (value === null) externalId = undefined;
      else if (!isValidExternalId(value)) {
        throw invalidContent('Invalid externalId: use only letters, digits, "_" and "-".', 'externalId');
      } else externalId = value;
    } else if (key === 'entity') {
      if (value === null) throw invalidContent('Please enter value(s) for: Customer.', 'entity');
      const customer = resolveReference(value, account.customers);
      if (customer === undefined) {
        throw invalidContent(`Invalid entity reference key ${JSON.stringify(value)}: no such customer.`, 'entity');
      }
      fields.entity = toReference(customer);
    } else if (key === 'item') {
      lines = planLines(account, existing === undefined || replaceItems ? [] : lines, value);
    } else if (key === 'tranDate' && value === null) {
      // Mandatory on every transaction, and what decides its accounting period.
      throw invalidContent('Please enter value(s) for: Date.', 'tranDate');
    } else if (value === null) {
      delete fields[key];
    } else {
      if (DATE_FIELDS.has(key) && !isDate(value)) {
        throw invalidContent(`Invalid date value for ${key}: ${JSON.stringify(value)} (expected YYYY-MM-DD).`, key);
      }
      fields[key] = value;
    }
  }

  if (fields.entity === undefined) throw invalidContent('Please enter value(s) for: Customer.', 'entity');
  // NetSuite dates a transaction today when the request names no date.
  if (fields.tranDate === undefined) fields.tranDate = today(nowMs);
  if (externalId !== undefined) {
    const holder = findByExternalId(account, externalId);
    if (holder !== undefined && holder !== existing) throw duplicateExternalId(externalId);
  }
  if (totalCents(lines) < 0) throw negativeTotal();
  return { externalId, fields, lines };
}

/** Oracle's wording (help section_164206526447); a negative bill has to be sent as a credit memo instead. */
export function negativeTotal() {
  return restError(400, 'USER_ERROR', 'The total cannot be negative.');
}

export function dependentRecords() {
  return restError(400, 'USER_ERROR', 'This record cannot be deleted because it has dependent records.');
}

function isDate(value: unknown): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value) && !Number.isNaN(Date.parse(value));
}

export function duplicateExternalId(externalId: string) {
  return restError(
    400,
    'USER_ERROR',
    `Error while accessing a resource. The external ID "${externalId}" is already used by another record; external IDs must be unique.`,
  );
}

function planLines(account: Account, current: Line[], sublist: unknown): Line[] {
  if (sublist === null) return [];
  if (!isObject(sublist) || !Array.isArray(sublist.items)) {
    throw invalidContent('The item sublist must be an object of the form {"items": [...]}.', 'item');
  }
  const next = [...current];
  sublist.items.forEach((line: unknown, index: number) => {
    next[index] = planLine(account, next[index], line, `item.items[${index}]`);
  });
  return next;
}

function planLine(account: Account, existing: Line | undefined, line: unknown, path: string): Line {
  if (!isObject(line)) throw invalidContent('Each item line must be a JSON object.', path);
  const merged: Line = { ...(existing ?? {}) };

  for (const [key, value] of Object.entries(line)) {
    if (key === 'item') {
      const item = value === null ? undefined : resolveReference(value, account.items);
      if (item === undefined) {
        throw invalidContent(`Invalid item reference key ${JSON.stringify(value)}: no such item.`, `${path}.item`);
      }
      merged.item = toReference(item);
    } else if (key === 'line' || key === 'links') {
      continue;
    } else if (key.startsWith('custcol') && !account.customFields.has(key)) {
      throw invalidContent(`The field ${key} is not a custom transaction column field of this account.`, `${path}.${key}`);
    } else if (value === null) {
      delete merged[key];
    } else if ((NUMERIC_LINE_FIELDS as readonly string[]).includes(key) && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw invalidContent(`Invalid number for ${key}: ${JSON.stringify(value)}.`, `${path}.${key}`);
    } else {
      merged[key] = value;
    }
  }

  if (merged.item === undefined) throw invalidContent('Please enter value(s) for: Item.', `${path}.item`);
  return price(merged, line);
}

/** NetSuite keeps rates to 8 decimals and amounts to the cent, recomputing the amount when it is not sent. */
function price(line: Line, sent: Body): Line {
  if (typeof line.rate === 'number') line.rate = round(line.rate, 8);
  const recalculate = sent.amount === undefined && (sent.rate !== undefined || sent.quantity !== undefined);
  if (recalculate && typeof line.rate === 'number') {
    line.amount = (typeof line.quantity === 'number' ? line.quantity : 1) * line.rate;
  }
  if (typeof line.amount === 'number') line.amount = round(line.amount, 2);
  return line;
}

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round((value + Number.EPSILON * Math.sign(value)) * factor) / factor;
}

/** Summed in cents, as NetSuite keeps line amounts to the cent. */
export function totalCents(lines: readonly Line[]): number {
  return lines.reduce((sum, line) => sum + (typeof line.amount === 'number' ? Math.round(line.amount * 100) : 0), 0);
}

export function transactionTotal(transaction: StoredTransaction): number {
  return totalCents(transaction.lines) / 100;
}

export function createTransaction(account: Account, type: TransactionType, body: Body, nowMs: number): StoredTransaction {
  const next = plan(account, undefined, body, true, nowMs);
  const postingPeriod = postingPeriodForCreate(account, String(next.fields.tranDate));
  const transaction: StoredTransaction = {
    type,
    id: String(account.nextTransactionId++),
    ...(next.externalId === undefined ? {} : { externalId: next.externalId }),
    fields: next.fields,
    lines: next.lines,
    writes: 1,
    createdAt: nowMs,
    lastModifiedAt: nowMs,
    postingPeriod,
    paidCents: 0,
  };
  account.transactions.set(transaction.id, transaction);
  return transaction;
}

/**
 * A paid invoice is updated like any other: no public source says NetSuite refuses it, and its `writes`
 * count lets a test prove the service never sends one.
 */
export function updateTransaction(account: Account, transaction: StoredTransaction, body: Body, replaceItems: boolean, nowMs: number): void {
  assertChangeable(account, transaction);
  const next = plan(account, transaction, body, replaceItems, nowMs);
  const postingPeriod = postingPeriodForUpdate(account, transaction, String(next.fields.tranDate));
  if (next.externalId === undefined) delete transaction.externalId;
  else transaction.externalId = next.externalId;
  transaction.fields = next.fields;
  transaction.lines = next.lines;
  transaction.postingPeriod = postingPeriod;
  transaction.writes += 1;
  transaction.lastModifiedAt = nowMs;
}

/** An applied payment is a dependent record: NetSuite refuses to delete the invoice it is applied to. */
export function deleteTransaction(account: Account, transaction: StoredTransaction): void {
  assertChangeable(account, transaction);
  if (transaction.paidCents > 0) throw dependentRecords();
  account.transactions.delete(transaction.id);
}
