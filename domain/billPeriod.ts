import { z } from 'zod';
import { isoDate } from './bill';

/**
 * The bills of a period are those whose `billDate` falls in it, both ends included: the bill date is
 * the date every bill has (the service period `startDate`/`endDate` is optional), the invoice's
 * `tranDate` in NetSuite and so its accounting period, and the date m3ter's bill list filters by.
 * "October" is `--from 2026-10-01 --to 2026-10-31`.
 */
export const billPeriodSchema = z
  .object({ from: isoDate, to: isoDate })
  .refine(({ from, to }) => from <= to, { path: ['to'], message: 'must be on or after from: the period is from..to, both days included' });
export type BillPeriod = z.infer<typeof billPeriodSchema>;

/** The period as m3ter's bill filters take it: start inclusive, end exclusive (the day after `to`). */
export function billDateRange(period: BillPeriod): { billDateStart: string; billDateEnd: string } {
  return { billDateStart: period.from, billDateEnd: dayAfter(period.to) };
}

/** The next calendar day of a YYYY-MM-DD date, across month, year and leap-day boundaries. */
export function dayAfter(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}
