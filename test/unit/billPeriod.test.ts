import fc from 'fast-check';
import { billDateRange, billPeriodSchema, dayAfter } from '../../domain/billPeriod';
import { formatError } from '../../client/formatError';

describe('billPeriodSchema', () => {
  it('accepts a period of one or more days', () => {
    expect(billPeriodSchema.parse({ from: '2026-10-01', to: '2026-10-31' })).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(billPeriodSchema.parse({ from: '2026-10-15', to: '2026-10-15' })).toEqual({ from: '2026-10-15', to: '2026-10-15' });
  });

  it('refuses an end before the start, naming the field', () => {
    const result = billPeriodSchema.safeParse({ from: '2026-10-31', to: '2026-10-01' });
    expect(result.success).toBe(false);
    expect(formatError(result.error)).toBe('to: must be on or after from: the period is from..to, both days included');
  });

  it.each([
    ['2026-02-30', 'must be a real calendar date'],
    ['2026-10-1', 'must be a date written YYYY-MM-DD'],
    ['October', 'must be a date written YYYY-MM-DD'],
  ])('refuses %p as a date, naming the field', (bad, message) => {
    const result = billPeriodSchema.safeParse({ from: bad, to: '2026-12-31' });
    expect(result.success).toBe(false);
    expect(formatError(result.error)).toContain(`from: ${message}`);
  });
});

describe('billDateRange', () => {
  it('ends the day after the last day, across month, year and leap-day boundaries', () => {
    expect(billDateRange({ from: '2026-10-01', to: '2026-10-31' })).toEqual({ billDateStart: '2026-10-01', billDateEnd: '2026-11-01' });
    expect(dayAfter('2026-12-31')).toBe('2027-01-01');
    expect(dayAfter('2028-02-28')).toBe('2028-02-29');
    expect(dayAfter('2027-02-28')).toBe('2027-03-01');
  });

  it('selects exactly the bill dates from..to, both included', () => {
    const day = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, day, day, (a, b, billDate) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const { billDateStart, billDateEnd } = billDateRange({ from, to });
        expect(billDate >= billDateStart && billDate < billDateEnd).toBe(billDate >= from && billDate <= to);
      }),
    );
  });
});
