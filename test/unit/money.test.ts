import fc from 'fast-check';
import { billInputSchema } from '../../domain/bill';
import { fromCents, isStorableAmount, isStorableQuantity, MAX_AMOUNT, MAX_QUANTITY, roundRate, sumToCents, toCents } from '../../domain/money';

describe('toCents', () => {
  it('converts amounts to integer cents', () => {
    expect(toCents(12.34)).toBe(1234);
    expect(toCents(0)).toBe(0);
    expect(toCents(-12.34)).toBe(-1234);
    expect(toCents(1_000_000.01)).toBe(100_000_001);
  });

  it('rounds half up the way a person expects, despite binary floating point', () => {
    expect(toCents(1.005)).toBe(101); // 1.005 is stored as 1.00499999…
    expect(toCents(2.675)).toBe(268);
    expect(toCents(0.125)).toBe(13);
    expect(toCents(0.124)).toBe(12);
  });

  it('rounds negative halves away from zero, symmetric with positives', () => {
    expect(toCents(-1.005)).toBe(-101);
    expect(toCents(-0.125)).toBe(-13);
    expect(toCents(-0.124)).toBe(-12);
  });

  it('does not drift when summing floating-point sums', () => {
    expect(toCents(0.1 + 0.2)).toBe(30);
  });

  it('rounds half cents away from zero at large magnitudes too', () => {
    expect(toCents(25515342.005)).toBe(2551534201);
    expect(toCents(-25515342.005)).toBe(-2551534201);
    expect(toCents(123456789012.345)).toBe(12345678901235);
    expect(toCents(-123456789012.345)).toBe(-12345678901235);
  });

  it('never returns negative zero', () => {
    expect(Object.is(toCents(-0), 0)).toBe(true);
    expect(Object.is(toCents(-0.001), 0)).toBe(true);
  });

  it('handles tiny and exponent-notation amounts', () => {
    expect(toCents(1e-7)).toBe(0);
    expect(toCents(0.004999999)).toBe(0);
    expect(toCents(1e21)).toBe(1e23);
  });

  it('property: agrees with integer half-away-from-zero rounding of amounts with up to 6 decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }) /* 15 significant digits: what a double holds */, (micros) => {
        const expected = Math.sign(micros) * Math.floor((Math.abs(micros) + 5000) / 10_000) + 0;
        expect(toCents(Number((micros / 1e6).toFixed(6)))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('sumToCents', () => {
  it('sums the amounts as written and rounds once', () => {
    expect(sumToCents([])).toBe(0);
    expect(sumToCents([0.333, 0.333, 0.333])).toBe(100);
    expect(sumToCents([0.1, 0.2])).toBe(30);
    expect(sumToCents([0.005, 0.005, 0.005])).toBe(2);
    expect(sumToCents([-19379763.859203, -322.745001, -6135255.400796])).toBe(-2551534201);
  });

  it('property: equals integer arithmetic on 6-decimal amounts, however large or many', () => {
    const micros = fc.oneof(fc.integer({ min: -1e14, max: 1e14 }), fc.integer({ min: -1e9, max: 1e9 }).map((n) => n * 5000 + (n % 2)));
    fc.assert(
      fc.property(fc.array(micros, { maxLength: 50 }), (values) => {
        const exact = values.reduce((a, b) => a + b, 0);
        const expected = Math.sign(exact) * Math.floor((Math.abs(exact) + 5000) / 10_000) + 0;
        expect(sumToCents(values.map((v) => v / 1e6))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('passes NaN and infinities through rather than inventing a number', () => {
    expect(sumToCents([1, Number.NaN])).toBeNaN();
    expect(sumToCents([Number.POSITIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('fromCents', () => {
  it('is the inverse of toCents for whole cents', () => {
    for (const cents of [0, 1, 99, 100, 12345, -1, -12345]) expect(toCents(fromCents(cents))).toBe(cents);
    expect(fromCents(1234)).toBe(12.34);
  });
});

describe('roundRate', () => {
  it('keeps eight decimals', () => {
    expect(roundRate(1 / 3)).toBe(0.33333333);
    expect(roundRate(2 / 3)).toBe(0.66666667);
    expect(roundRate(10)).toBe(10);
    expect(roundRate(-1 / 3)).toBe(-0.33333333);
    expect(roundRate(0.123456789)).toBe(0.12345679);
  });
});

describe('amounts NetSuite can take', () => {
  it('refuses in a bill what NetSuite could not hold, naming the field: no Infinity total, no null amount downstream', () => {
    const bill = (line: Record<string, unknown>) => billInputSchema.safeParse({ accountId: 'ACME', billDate: '2026-10-31', currency: 'USD', lineItems: [{ lineItemType: 'USAGE', description: 'API', quantity: 1, subtotal: 1, ...line }] });
    const issues = (line: Record<string, unknown>) => (bill(line).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ subtotal: 1e308 })).toEqual([expect.stringMatching(/^lineItems\.0\.subtotal: must be a finite amount no larger than 9,999,999,999,999\.99/)]);
    expect(issues({ quantity: 1e-320 })).toEqual([expect.stringMatching(/^lineItems\.0\.quantity: must be 0, or between 0\.000000001 and/)]);
    expect(issues({ quantity: 1e16 })).toHaveLength(1);
    expect(issues({ subtotal: '99999999999999.99' })).toHaveLength(1);
    expect(bill({ subtotal: 9_999_999_999_999.99, quantity: 0 }).success).toBe(true);
    expect(bill({ quantity: 0.000000001 }).success).toBe(true);
  });

  it('refuses lines that each fit but add up to more than one total can hold', () => {
    const line = { lineItemType: 'USAGE', description: 'API', quantity: 1, subtotal: 9_000_000_000_000 };
    const parsed = billInputSchema.safeParse({ accountId: 'ACME', billDate: '2026-10-31', currency: 'USD', lineItems: [line, line] });
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['lineItems']);
  });

  it('every bound is consistent: the largest storable amount and quantity are storable, one cent or unit more is not', () => {
    expect([isStorableAmount(MAX_AMOUNT), isStorableAmount(MAX_AMOUNT + 0.01), isStorableAmount(Number.POSITIVE_INFINITY), isStorableAmount(Number.NaN)]).toEqual([true, false, false, false]);
    expect([isStorableQuantity(MAX_QUANTITY), isStorableQuantity(MAX_QUANTITY + 1), isStorableQuantity(0), isStorableQuantity(-0.0000000001)]).toEqual([true, false, true, false]);
  });
});
