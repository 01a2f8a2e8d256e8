import { billsWithinLineBudget, MAX_LINE_ITEMS } from '../../domain/bill';

describe('how many bills a page shows with their lines', () => {
  it('as many as fit in one bill’s worth of lines, and always the first, however large', () => {
    expect(billsWithinLineBudget([4_000, 4_000, 4_000])).toBe(2);
    expect(billsWithinLineBudget([MAX_LINE_ITEMS, 1])).toBe(1);
    expect(billsWithinLineBudget([MAX_LINE_ITEMS + 5, 0])).toBe(1);
    expect(billsWithinLineBudget(Array.from({ length: 200 }, () => 2))).toBe(200);
    expect(billsWithinLineBudget([0, 0, MAX_LINE_ITEMS, 0])).toBe(4);
    expect(billsWithinLineBudget([])).toBe(0);
  });
});
