import type { NetSuiteRecord } from './client';

/**
 * Whether NetSuite says the invoice is paid, in full or in part. How REST renders `status` is not
 * documented, so both the status and the amount remaining are read, defensively.
 */
export function isPaid(invoice: NetSuiteRecord): boolean {
  const { total, remaining, paid } = amountsOf(invoice);
  const somethingPaid = paid !== undefined && Math.round(paid * 100) > 0;
  // A 0.00 invoice owes nothing, so NetSuite shows it "Paid In Full" with nothing paid: no payment an
  // update could upset, and a bill recalculated from zero must still reach NetSuite.
  if (total !== undefined && Math.round(total * 100) === 0) return somethingPaid;
  const status = invoice.status;
  const statusText = typeof status === 'string' ? status : status && typeof status === 'object' ? `${String((status as { id?: unknown }).id ?? '')} ${String((status as { refName?: unknown }).refName ?? '')}` : '';
  // "Paid In Full" (not "Unpaid"); a part payment leaves it "Open", so the amounts say that.
  if (/\bpaid\b/i.test(statusText) || somethingPaid) return true;
  return total !== undefined && remaining !== undefined && Math.round(remaining * 100) < Math.round(total * 100);
}

/** The invoice's total, what was paid on it and what is still open, where NetSuite gives them (as numbers or strings). */
function amountsOf(invoice: NetSuiteRecord): { total?: number; remaining?: number; paid?: number } {
  return { total: numberOf(invoice.total), remaining: numberOf(invoice.amountRemaining) ?? numberOf(invoice.amountRemainingTotalBox), paid: numberOf(invoice.amountPaid) };
}

function numberOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function paidReason(invoice: NetSuiteRecord, why: string): string {
  const { total, remaining } = amountsOf(invoice);
  const paid = total !== undefined && remaining !== undefined ? ` (${(total - remaining).toFixed(2)} of ${total.toFixed(2)} paid)` : '';
  return (
    `NetSuite invoice ${invoice.id} is paid${paid}, and ${why}: it was left as it is. ` +
    'If the bill must change, reverse the payment in NetSuite and re-run it, or settle the difference there (a credit memo or a new invoice)'
  );
}
