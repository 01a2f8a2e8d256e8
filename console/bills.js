// How the console names a bill everywhere: customer, date, status and amount, as finance reads it.
import { api } from './api.js';

/** "ACME · 2026-10-28 · APPROVED · 643.50 USD". */
export function billLabel(bill, { status = true } = {}) {
  return [bill.accountCode ?? bill.accountId, bill.billDate, status ? bill.status : undefined, `${Number(bill.billTotal).toFixed(2)} ${bill.currency}`].filter(Boolean).join(' · ');
}

/** Bills by id (without line items), for labelling runs and events; unknown ids are simply absent. */
export async function billsById(ids) {
  const unique = [...new Set(ids.filter(Boolean))];
  const bills = new Map();
  for (let i = 0; i < unique.length; i += 100) {
    const chunk = unique.slice(i, i + 100);
    const page = await api('GET', `/bills?excludeLineItems=true&pageSize=200&ids=${chunk.map(encodeURIComponent).join(',')}`);
    for (const bill of page.data) bills.set(bill.id, bill);
  }
  return bills;
}
