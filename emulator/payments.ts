import { totalCents } from './transactions';
import type { StoredTransaction } from './state';

/**
 * What has been paid on a transaction and what remains. Payments are recorded through the admin API
 * (a customer paying in NetSuite); the REST record shows the result in the fields a client reads:
 * `amountPaid`, `amountRemaining`, `amountRemainingTotalBox` and `status`.
 */

/**
 * Status ids and names. Oracle does not document the REST shape of `status`; these follow the SuiteQL
 * statuses (CustInvc:A Open, CustInvc:B Paid In Full, CustCred:B Fully Applied) in a reference shape.
 */
export const TRANSACTION_STATUSES = { open: 'Open', paidInFull: 'Paid In Full', fullyApplied: 'Fully Applied' } as const;
export type TransactionStatus = keyof typeof TRANSACTION_STATUSES;

export interface Balance {
  amountPaid?: number;
  amountRemaining: number;
  amountRemainingTotalBox: number;
  status: { id: TransactionStatus; refName: string };
}

/**
 * What is still owed, in cents. Never below zero: an update may lower a paid invoice's total under what
 * was paid (the emulator does not refuse that), and NetSuite shows nothing owed then, not a negative.
 */
export function remainingCents(transaction: StoredTransaction): number {
  return Math.max(0, totalCents(transaction.lines) - transaction.paidCents);
}

export function balanceOf(transaction: StoredTransaction): Balance {
  const remaining = remainingCents(transaction) / 100;
  // A credit memo with nothing left to apply is fully applied; an invoice with nothing owed (a zero
  // invoice included) is paid in full; anything remaining, even after a part payment, keeps it open.
  const settled: TransactionStatus = transaction.type === 'invoice' ? 'paidInFull' : 'fullyApplied';
  const status: TransactionStatus = remaining > 0 ? 'open' : settled;
  return {
    ...(transaction.type === 'invoice' ? { amountPaid: transaction.paidCents / 100 } : {}),
    amountRemaining: remaining,
    amountRemainingTotalBox: remaining,
    status: { id: status, refName: TRANSACTION_STATUSES[status] },
  };
}

export class PaymentRefused extends Error {}

/** Applies a payment of `amount` (to the cent, positive, at most what remains) to an invoice. */
export function recordPayment(invoice: StoredTransaction, amount: number): void {
  const cents = Math.round(amount * 100);
  if (!(amount > 0) || Math.abs(amount * 100 - cents) > 1e-6) {
    throw new PaymentRefused(`amount must be a positive amount to the cent, got ${amount}`);
  }
  const remaining = remainingCents(invoice);
  if (cents > remaining) {
    throw new PaymentRefused(
      `a payment of ${(cents / 100).toFixed(2)} exceeds the ${(remaining / 100).toFixed(2)} remaining on invoice ${invoice.id}`,
    );
  }
  invoice.paidCents += cents;
}
