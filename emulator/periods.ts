import { type RestError, restError } from './errors';
import type { Account, PeriodLock, StoredTransaction } from './state';

/**
 * Accounting periods, as calendar months `YYYY-MM`. NetSuite posts nothing into a closed period, and no
 * A/R transaction (invoices, credit memos) into an A/R-locked one: a change or deletion of a transaction
 * dated there fails, while a create follows the account preference "Default Posting Period When
 * Transaction Date in Closed Period" (`closedPeriodCreates`). Oracle documents no REST error code for
 * this (SOAP has CLOSED_TRAN_PRD), so the refusal is a USER_ERROR whose detail names period and remedy.
 */
export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The period a `YYYY-MM-DD` (or RFC 3339) date falls in. */
export function periodOf(date: string): string {
  return date.slice(0, 7);
}

/** NetSuite's name for a monthly period: `2026-11` → `Nov 2026`. */
export function periodName(period: string): string {
  const [year, month] = period.split('-');
  return `${MONTHS[Number(month) - 1] ?? month} ${year}`;
}

export function nextPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

/** The day a transaction created now is dated when the body names none, as NetSuite defaults `tranDate`. */
export function today(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

export function periodLocked(period: string, lock: PeriodLock): RestError {
  const state = lock === 'closed' ? 'is closed' : 'is locked for Accounts Receivable';
  return restError(
    400,
    'USER_ERROR',
    `The accounting period ${periodName(period)} ${state}: you cannot create, change or delete a transaction dated in it. ` +
      'Reopen the period, or date the transaction in an open one.',
    'tranDate',
  );
}

function refuseIfLocked(account: Account, period: string): void {
  const lock = account.periods.get(period);
  if (lock !== undefined) throw periodLocked(period, lock);
}

/**
 * Refuses to change or delete a transaction that sits in a locked period, by its date or by where it
 * was posted (a create moved out of a closed month posts in a later one, which may be locked since).
 */
export function assertChangeable(account: Account, transaction: StoredTransaction): void {
  refuseIfLocked(account, periodOf(String(transaction.fields.tranDate)));
  refuseIfLocked(account, transaction.postingPeriod);
}

/** The posting period of a new transaction: its date's month, or the next open one if the account allows. */
export function postingPeriodForCreate(account: Account, tranDate: string): string {
  const period = periodOf(tranDate);
  const lock = account.periods.get(period);
  if (lock === undefined) return period;
  if (account.closedPeriodCreates === 'refuse') throw periodLocked(period, lock);
  let next = nextPeriod(period);
  // Finite: only the months an admin locked are in the map.
  while (account.periods.has(next)) next = nextPeriod(next);
  return next;
}

/**
 * Re-dating a transaction re-derives its posting period, which must be open. The same day sent again
 * (an upsert resends the whole bill, perhaps as a full RFC 3339 time) keeps it, even a moved one.
 */
export function postingPeriodForUpdate(account: Account, transaction: StoredTransaction, tranDate: string): string {
  if (tranDate.slice(0, 10) === String(transaction.fields.tranDate).slice(0, 10)) return transaction.postingPeriod;
  const period = periodOf(tranDate);
  refuseIfLocked(account, period);
  return period;
}
