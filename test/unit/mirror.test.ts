import { isAllowedBaseUrl, newPass, planBill, type BillCopy, type RemoteBill } from '../../domain/mirror';

const remote = (overrides: Partial<RemoteBill> = {}): RemoteBill =>
  ({
  id: '0b6c1f0e-8a0e-4d5c-9d7e-2f1a3b4c5d6e',
  version: 1,
  dtLastModified: '2026-10-28T10:00:00Z',
  accountId: '1b6c1f0e-8a0e-4d5c-9d7e-2f1a3b4c5d6e',
  billDate: '2026-10-28',
  currency: 'USD',
  status: 'PENDING',
  locked: false,
  billTotal: 100,
  lastCalculatedDate: '2026-10-28T09:00:00Z',
  ...overrides,
  }) as RemoteBill;

const copyOf = (bill: RemoteBill, overrides: Partial<BillCopy> = {}): BillCopy => ({
  status: bill.status,
  locked: bill.locked,
  billTotal: bill.billTotal ?? 0,
  sourceVersion: bill.version,
  sourceDtLastModified: bill.dtLastModified ?? null,
  sourceLastCalculated: bill.lastCalculatedDate ?? null,
  ...overrides,
});

describe('planBill: what a bill changed in m3ter means here', () => {
  it('calculates a new bill, approving and locking it as m3ter has it', () => {
    expect(planBill(undefined, remote())).toEqual({ calculate: true, approve: false, reopen: false, lock: false });
    expect(planBill(undefined, remote({ status: 'APPROVED', locked: true }))).toEqual({ calculate: true, approve: true, reopen: false, lock: true });
  });

  it('does nothing for a bill whose version and modification time are those copied', () => {
    const bill = remote({ status: 'APPROVED' });
    expect(planBill(copyOf(bill), bill)).toEqual({ calculate: false, approve: false, reopen: false, lock: false });
  });

  it('approves without recalculating when only the approval changed, even if m3ter bumped the version', () => {
    const before = remote();
    const after = remote({ status: 'APPROVED', version: 2, dtLastModified: '2026-10-29T08:00:00Z' });
    expect(planBill(copyOf(before), after)).toEqual({ calculate: false, approve: true, reopen: false, lock: false });
  });

  it('recalculates when m3ter calculated again or the total moved, then approves if m3ter shows it approved', () => {
    const before = remote({ status: 'APPROVED' });
    expect(planBill(copyOf(before), remote({ status: 'APPROVED', version: 2, lastCalculatedDate: '2026-10-29T09:00:00Z' }))).toEqual({ calculate: true, approve: true, reopen: false, lock: false });
    expect(planBill(copyOf(before), remote({ status: 'PENDING', dtLastModified: '2026-10-29T09:00:00Z', billTotal: 120 })).calculate).toBe(true);
  });

  it('treats a newer version without a calculation time as a recalculation: an extra update is harmless, a missed one is not', () => {
    const before = remote({ lastCalculatedDate: undefined });
    expect(planBill(copyOf(before), remote({ lastCalculatedDate: undefined, version: 2, dtLastModified: '2026-10-29T09:00:00Z' })).calculate).toBe(true);
  });

  it('reopens a copy m3ter put back to PENDING, but never a locked one', () => {
    const before = remote({ status: 'APPROVED' });
    const reopened = remote({ status: 'PENDING', dtLastModified: '2026-10-29T09:00:00Z' });
    expect(planBill(copyOf(before), reopened).reopen).toBe(true);
    expect(planBill(copyOf(before, { locked: true }), reopened).reopen).toBe(false);
  });
});

describe('newPass', () => {
  it("covers the window's days back and a year ahead, since m3ter dates a bill at its period's end", () => {
    const pass = newPass(3, new Date('2026-11-30T12:00:00Z'), 90);
    expect([pass.pass, pass.billDateStart, pass.billDateEnd]).toEqual([3, '2026-09-01', '2027-12-01']);
  });
});

describe('isAllowedBaseUrl', () => {
  it('allows the listed URLs and paths under them, and any port only where an entry says :*', () => {
    const allowed = ['https://api.m3ter.com', 'http://127.0.0.1:*'];
    expect(isAllowedBaseUrl('https://api.m3ter.com', allowed)).toBe(true);
    expect(isAllowedBaseUrl('https://api.m3ter.com/v1', allowed)).toBe(true);
    expect(isAllowedBaseUrl('http://127.0.0.1:4010', allowed)).toBe(true);
    expect(isAllowedBaseUrl('https://api.m3ter.com.evil.example', allowed)).toBe(false);
    expect(isAllowedBaseUrl('https://api.m3ter.com:8443', allowed)).toBe(false);
    expect(isAllowedBaseUrl('http://127.0.0.1.evil.example:80', allowed)).toBe(false);
    expect(isAllowedBaseUrl('http://169.254.169.254', allowed)).toBe(false);
  });
});
